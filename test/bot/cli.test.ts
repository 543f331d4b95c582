// The bot from the command line, as an operator runs it: `tidings bot` answering an admin's
// /sendnow (the digest is built and queued; the process's delivery loop sends it), and `tidings telegram
// bind|unbind|audit`.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { oneCottonArticle } from '../support/ledger-seed.js';
import { openDb } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { addSource } from '../../src/store/sources.js';
import { subscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { type BotApiEmulator, startBotApiEmulator } from '../support/bot-api-emulator.js';
import { BIN, ROOT, runCli } from '../support/cli.js';
import { tempDirs } from '../support/temp-dirs.js';

const TOKEN = '123456789:TEST-emulator-token-for-cli-tests';
const ADMIN = 1001;
const ALICE = 2002;
const tmp = tempDirs('bot-cli');

/** A data folder with a newsletter, one fresh article and Alice subscribed on Telegram. */
async function seed(): Promise<string> {
  const dir = tmp();
  const store = openDb(path.join(dir, 'tidings.db'));
  try {
    await migrateToLatest(store);
    const now = new Date();
    const nl = await addNewsletter(store.db, { slug: 'daily', name: 'Daily Cotton' }, now);
    const src = await addSource(store.db, { kind: 'feed', url: 'https://news.example.org/feed', name: 'Example News' }, now);
    await oneCottonArticle(store.db, src.id, now);
    const alice = await upsertSubscriber(store.db, { telegramChatId: String(ALICE) }, now);
    await subscribe(store.db, { subscriberId: alice.id, newsletterId: nl.id, channel: 'telegram', status: 'active', consent: { source: 'telegram' } }, now);
  } finally {
    await store.close();
  }
  return dir;
}

const children: ChildProcess[] = [];
let emu: BotApiEmulator | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await emu?.close();
  emu = undefined;
});

const envFor = (dir: string, api: BotApiEmulator) => ({
  TIDINGS_DATA_DIR: dir,
  TELEGRAM_BOT_TOKEN: TOKEN,
  TELEGRAM_API_ROOT: api.url,
  TELEGRAM_ADMIN_IDS: String(ADMIN),
});

describe('tidings bot and tidings telegram', { timeout: 60_000 }, () => {
  it('`tidings bot`: an admin’s /sendnow builds the digest and the Telegram loop delivers it', async () => {
    const dir = await seed();
    emu = await startBotApiEmulator({ token: TOKEN, limits: false });
    const child = spawn(process.execPath, [BIN, 'bot'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...envFor(dir, emu) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await emu.waitFor(() => emu!.callsTo('getUpdates').length > 0, 30_000);
    // The command menu was published, in English and Chinese.
    expect(emu.commands()?.map((c) => (c as { command: string }).command)).toContain('search');
    expect(emu.commands('default', 'zh')).toHaveLength(10);

    await emu.userMessage({ from: { id: ADMIN }, text: '/sendnow daily' });
    await emu.waitFor(() => emu!.sent(ADMIN).length === 1 && emu!.sent(ALICE).length >= 1);
    expect(emu.sent(ADMIN)[0]!.text).toMatch(/^Digest \d+ of Daily Cotton is built; 1 deliveries queued\.$/);
    expect(emu.sent(ALICE)[0]!.text).toContain('Cotton climbs');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('Bot @tidings_test_bot is answering');
    // Info lines only (the service logs at info): /sendnow queued, the process's delivery loop sent.
    expect(stderr).toMatch(/"channel":"telegram","sent":1,.*"msg":"deliveries sent"/);
    expect(stderr).not.toMatch(/"level":(40|50|60)/);

    const audit = await runCli(['telegram', 'audit'], envFor(dir, emu));
    expect(audit.stdout).toMatch(new RegExp(`telegram:${ADMIN}\\s+newsletter\\.send\\s+ok\\s+newsletter \\d+ "daily": digest \\d+ ready, 1 deliveries queued`));
  });

  it('`tidings bot` explains what is missing', async () => {
    const r = await runCli(['bot'], { TIDINGS_DATA_DIR: tmp() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: TELEGRAM_BOT_TOKEN is not set');
    const hook = await runCli(['bot'], {
      TIDINGS_DATA_DIR: tmp(),
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: 'a-webhook-secret-of-length',
    });
    expect(hook.stderr).toContain('TELEGRAM_MODE=webhook: Telegram pushes updates to `tidings serve`');
  });

  it('`tidings telegram bind` checks the bot may post, binds a channel or a forum topic, and audits', async () => {
    const dir = await seed();
    emu = await startBotApiEmulator({ token: TOKEN, limits: false });
    emu.addChat({ id: -100300, type: 'channel', title: 'Cotton Channel', username: 'cottonnews', canPostMessages: false });
    emu.addChat({ id: -100400, type: 'supergroup', title: 'Traders', isForum: true });
    const env = envFor(dir, emu);

    const refused = await runCli(['telegram', 'bind', '@cottonnews', 'daily'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error: Cannot bind Cotton Channel (-100300): in a channel the bot must be an administrator allowed to post messages');
    emu.chat(-100300)!.canPostMessages = true;
    const ok = await runCli(['telegram', 'bind', '@cottonnews', 'daily'], env);
    expect(ok.stdout).toBe('Cotton Channel (-100300) now gets Daily Cotton.\n');
    expect((await runCli(['telegram', 'bind', '-100400', 'daily', '--thread', '12'], env)).stdout).toBe('Traders (-100400:12) now gets Daily Cotton.\n');
    expect((await runCli(['telegram', 'unbind', '-100400', 'daily', '--thread', '12'], env)).stdout).toBe(
      'Traders (-100400:12) no longer gets Daily Cotton.\n',
    );
    const unknown = await runCli(['telegram', 'bind', '@nobodyhere', 'daily'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: Telegram does not know that chat or will not say \(.*chat not found\)/);
    expect((await runCli(['telegram', 'bind', 'not a chat', 'daily'], env)).stderr).toContain('is not a chat');

    const audit = (await runCli(['telegram', 'audit'], env)).stdout;
    expect(audit).toMatch(/cli\s+telegram\.bind\s+REFUSED\/FAILED\s+-100300 daily: refused, in a channel/);
    expect(audit).toMatch(/cli\s+telegram\.bind\s+ok\s+-100300 \(Cotton Channel\) daily/);
    expect(audit).toMatch(/cli\s+telegram\.unbind\s+ok\s+-100400:12 \(Traders\) daily/);
    for (const r of [refused, ok, unknown]) expect(r.stdout + r.stderr).not.toContain('TEST-emulator-token');
  });
});
