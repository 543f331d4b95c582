// Acceptance 7 (issue 5): with known secret values set, the error paths print none of them —
// not on stdout, stderr, in the logs (LOG_LEVEL=debug, telegraf's DEBUG output on) or in an HTTP
// body: an unreachable Bot API, a token the Bot API refuses, a wrong webhook secret, and a
// stranger trying admin commands. Real `tidings` processes, as an operator runs them.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { upsertSubscriber } from '../../src/store/subscribers.js';
import { tokenSigner } from '../../src/subscribers/tokens.js';
import { type BotApiEmulator, startBotApiEmulator } from '../support/bot-api-emulator.js';
import { BIN, ROOT, runCli } from '../support/cli.js';
import { tempDirs } from '../support/temp-dirs.js';

const TOKEN = '123456789:TEST-emulator-token-0123456789';
const TOKEN_SECRET_PART = 'TEST-emulator-token-0123456789';
const WEBHOOK_SECRET = 'hook-secret-9f8e7d6c5b4a39281706';
const LINK_SECRET = 'tidings-secret-for-signing-links-0123456789';
const SECRETS = [TOKEN, TOKEN_SECRET_PART, encodeURIComponent(TOKEN), WEBHOOK_SECRET, LINK_SECRET];
const tmp = tempDirs('bot-secrets');

function expectNoSecrets(...texts: string[]): void {
  const all = texts.join('\n');
  for (const s of SECRETS) expect(all, `the output must not contain ${s.slice(0, 4)}…`).not.toContain(s);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const baseEnv = (extra: Record<string, string>) => ({
  TIDINGS_DATA_DIR: tmp(),
  TELEGRAM_BOT_TOKEN: TOKEN,
  TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
  TELEGRAM_ADMIN_IDS: '1001',
  LOG_LEVEL: 'debug',
  DEBUG: 'telegraf:*',
  ...extra,
});

const children: ChildProcess[] = [];
let emu: BotApiEmulator | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await emu?.close();
  emu = undefined;
});

describe('secrets on error paths', { timeout: 60_000 }, () => {
  it('an unreachable Bot API: one clear line, no token, with debug logging on', async () => {
    const port = await closedPort();
    const r = await runCli(['bot'], baseEnv({ TELEGRAM_API_ROOT: `http://127.0.0.1:${port}` }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: cannot reach the Telegram Bot API at http://127.0.0.1:${port} (ECONNREFUSED): check TELEGRAM_API_ROOT and the network`);
    // The debug log did run (telegraf's own lines, through the logger).
    expect(r.stderr).toContain('HTTP call');
    expectNoSecrets(r.stdout, r.stderr);
  });

  it('the Bot API going away while polling: telegraf retries, its debug lines are redacted, Ctrl-C still stops it', async () => {
    emu = await startBotApiEmulator({ token: TOKEN, limits: false });
    const child = spawn(process.execPath, [BIN, 'bot'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...baseEnv({ TELEGRAM_API_ROOT: emu.url }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    const retried = new Promise<void>((resolve) => {
      child.stderr!.on('data', (d) => {
        stderr += d;
        if (stderr.includes('Failed to fetch updates')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await emu.waitFor(() => emu!.callsTo('getUpdates').length > 0, 30_000);
    // It answers while the API is there.
    await emu.userMessage({ from: { id: 2002 }, text: '/help' });
    await emu.waitFor(() => emu!.sent(2002).length === 1);
    await emu.close();
    emu = undefined;
    await retried;
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toContain('Bot @tidings_test_bot is answering');
    expect(stdout).toContain('Stopped.');
    expect(stderr).toMatch(/Failed to fetch updates.*FetchError: request to http:\/\/127\.0\.0\.1:\d+\/bot[^/]*\/getUpdates failed/);
    expectNoSecrets(stdout, stderr);
  });

  it('a token the Bot API refuses: named, never shown', async () => {
    emu = await startBotApiEmulator({ token: '987654321:the-real-token-is-another-one-xx' });
    const r = await runCli(['bot'], baseEnv({ TELEGRAM_API_ROOT: emu.url }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: the Bot API refused TELEGRAM_BOT_TOKEN (401 Unauthorized)');
    expectNoSecrets(r.stdout, r.stderr);
  });

  it('a malformed token in the config is refused without echoing it', async () => {
    const r = await runCli(['bot'], baseEnv({ TELEGRAM_BOT_TOKEN: 'not a token TEST-emulator-token-0123456789' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TELEGRAM_BOT_TOKEN: expected a bot token from @BotFather');
    expectNoSecrets(r.stdout, r.stderr);
  });

  it('webhook mode in `tidings serve`: wrong secrets and a stranger’s admin command leak nothing', async () => {
    emu = await startBotApiEmulator({ token: TOKEN, limits: false });
    const port = await closedPort();
    const env = baseEnv({
      TELEGRAM_API_ROOT: emu.url,
      TELEGRAM_MODE: 'webhook',
      HTTP_PORT: String(port),
      TIDINGS_PUBLIC_URL: `http://127.0.0.1:${port}`,
      TIDINGS_SECRET: LINK_SECRET,
    });
    // An email subscriber, for the preferences page's "Connect Telegram" link.
    const store = openDb(path.join(env.TIDINGS_DATA_DIR, 'tidings.db'));
    await migrateToLatest(store);
    const subscriberId = (await upsertSubscriber(store.db, { email: 'alice@example.org' }, new Date())).id;
    await store.close();
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

    // serve tells Telegram where the webhook is, with the secret.
    await emu.waitFor(() => emu!.webhook() !== null, 30_000);
    expect(emu.webhook()!.url).toBe(`http://127.0.0.1:${port}/telegram/webhook`);

    await emu.userMessage({ from: { id: 2002, language_code: 'en' }, text: '/sources add https://example.org/feed' });
    expect(emu.sent(2002).map((m) => m.text)).toEqual(['This command is for admins only.']);
    const update = await emu.userMessage({ from: { id: 2002 }, text: '/help' });
    const wrong = await emu.postToWebhook(update, { secret: 'hook-secret-9f8e7d6c5b4a39281707' });
    const missing = await emu.postToWebhook(update, { secret: null });
    expect([wrong.status, missing.status]).toEqual([403, 401]);

    // The preferences page offers the bot's deep link once serve has learned the bot's name.
    const prefs = `http://127.0.0.1:${port}/preferences?token=${tokenSigner(Buffer.from(LINK_SECRET)).sign('preferences', subscriberId)}`;
    let page = '';
    for (let i = 0; i < 100 && !page.includes('Connect Telegram'); i++) {
      page = await (await fetch(prefs)).text();
      if (!page.includes('Connect Telegram')) await new Promise((r) => setTimeout(r, 50));
    }
    expect(page).toMatch(/href="https:\/\/t\.me\/tidings_test_bot\?start(=|&#x3D;)link-[A-Za-z0-9_-]+"/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('telegram admin command refused');
    expect(stderr).toContain('telegram webhook: wrong secret token');
    expectNoSecrets(stdout, stderr, page, wrong.body, missing.body, ...emu.webhookDeliveries.map((d) => d.body));
  });
});
