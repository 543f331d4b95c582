// Acceptance 5: with every secret setting given a known value, the failures an admin is most
// likely to see — SMTP refusing the login, an unreachable Bot API, an unreachable database, the
// config dump, a bad admin login, the ops endpoints — each still say what failed, and nothing
// captured (stdout, stderr, JSON log lines, HTTP bodies) holds a secret, plain or URL-encoded.
import { createServer } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/admin/password.js';
import { loadConfig } from '../../src/config/index.js';
import { adminApiDeps, adminWebDeps, httpDeps } from '../../src/deps.js';
import { createRoot } from '../../src/main.js';
import { buildServer } from '../../src/http/server.js';
import { createLogger, secretValues } from '../../src/log.js';
import { createOps } from '../../src/ops/routes.js';
import { openDb } from '../../src/store/db.js';
import { getNewsletter } from '../../src/store/newsletters.js';
import { subscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { ROOT, runCli } from '../support/cli.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';
import { tempDirs } from '../support/temp-dirs.js';

const FEED = path.join(ROOT, 'examples', 'feeds', 'industry-news.xml');
const tempDir = tempDirs('secrets-leak');

// Characters that URLs must encode, so the encoded form differs from the plain one.
const SMTP_PASSWORD = 'smtp/Pa55:w@rd-leak';
const DB_PASSWORD = 'pg/Pa55@leak-check';
const BOT_SECRET = 'AAFleakCheckToken_abcdefghijklmnopq';
const FIXED = {
  TELEGRAM_BOT_TOKEN: `987654321:${BOT_SECRET}`,
  TIDINGS_SECRET: 'tidings-secret-leak-check-0123456789abcdef',
  ADMIN_TOKEN: 'admin-token-leak-check-0123456789abcdefgh',
  BOUNCE_WEBHOOK_SECRET: 'bounce-secret-leak-check-0123',
  METRICS_TOKEN: 'metrics-token-leak-check-0123',
};
const DB_URL = `postgres://tidings:${encodeURIComponent(DB_PASSWORD)}@127.0.0.1:1/x`;

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('acceptance 5: no secret in any output', { timeout: 240_000 }, () => {
  let sink: SmtpSink;
  let env: Record<string, string>;
  let secrets: string[];
  let apiPort: number;

  const expectNoSecret = (what: string, text: string) => {
    for (const s of secrets) expect(text.includes(s), `${what} holds a secret (${s.slice(0, 6)}…)`).toBe(false);
  };

  beforeAll(async () => {
    // Accepts no login but the right one, which Tidings does not have.
    sink = await startSmtpSink({ password: 'the-right-password' });
    apiPort = await closedPort();
    const passwordHash = await hashPassword('a strong admin password 42');
    env = {
      TIDINGS_DATA_DIR: tempDir(),
      LOG_LEVEL: 'debug',
      SMTP_URL: `smtp://news:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${sink.port}`,
      MAIL_FROM: 'news@example.org',
      TIDINGS_POSTAL_ADDRESS: '12 Mill Street, Manchester',
      TIDINGS_PUBLIC_URL: 'https://news.example.org',
      TELEGRAM_API_ROOT: `http://127.0.0.1:${apiPort}`,
      ADMIN_PASSWORD_HASH: passwordHash,
      ...FIXED,
    };
    const plain = [...Object.values(FIXED), passwordHash, passwordHash.split('$').pop()!, SMTP_PASSWORD, DB_PASSWORD, BOT_SECRET, env.SMTP_URL!, DB_URL];
    secrets = [...new Set(plain.flatMap((s) => [s, encodeURIComponent(s)]))];

    for (const args of [
      ['newsletters', 'add', 'news', '--name', 'Industry News'],
      ['sources', 'add', FEED, '--kind', 'feed'],
      ['subscribers', 'add', 'ann@example.org', '--newsletter', 'news'],
      ['ingest'],
    ]) {
      const r = await runCli(args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const store = openDb(path.join(env.TIDINGS_DATA_DIR!, 'tidings.db'));
    try {
      const nl = (await getNewsletter(store.db, 'news'))!;
      const chat = await upsertSubscriber(store.db, { telegramChatId: '4242' }, new Date());
      await subscribe(
        store.db,
        { subscriberId: chat.id, newsletterId: nl.id, channel: 'telegram', status: 'active', consent: { source: 'telegram' } },
        new Date(),
      );
    } finally {
      await store.close();
    }
  }, 120_000);
  afterAll(async () => {
    await sink?.close();
  });

  it('(a, b) SMTP refuses the login and the Bot API is unreachable during `tidings send`: both reported, no secret', async () => {
    const r = await runCli(['send', 'news'], env);
    const all = r.stdout + r.stderr;
    expect(r.code, all).toBe(0);
    expect(r.stderr).toMatch(/SMTP AUTH \w+ refused \(check SMTP_URL/);
    expect(r.stdout).toMatch(/to retry later 1/);
    expect(all).toMatch(/Telegram: sent 0, failed 0, to retry later 1/);
    expect(r.stderr).toContain(`sendMessage: connect ECONNREFUSED 127.0.0.1:${apiPort}`);
    expect(sink.messages).toHaveLength(0);
    expectNoSecret('tidings send', all);
  });

  it('(b) an unreachable Bot API on the telegram CLI path: named, token unprinted', async () => {
    const r = await runCli(['telegram', 'bind', '-1001234567', 'news'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the Telegram Bot API at http://127.0.0.1:${apiPort} (ECONNREFUSED)`);
    expectNoSecret('tidings telegram bind', r.stdout + r.stderr);
  });

  it('(c) an unreachable PostgreSQL: the command says so, the password nowhere', async () => {
    for (const [args, level] of [
      [['sources', 'list'], 'debug'],
      [['migrate'], 'warn'],
    ] as const) {
      const r = await runCli([...args], { ...env, DATABASE_URL: DB_URL, LOG_LEVEL: level });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Could not migrate the database: connect ECONNREFUSED 127.0.0.1:1. Check DATABASE_URL');
      expectNoSecret(`tidings ${args.join(' ')}`, r.stdout + r.stderr);
    }
  });

  it('(d) the config dump shows every secret as <redacted>', async () => {
    const r = await runCli(['config'], { ...env, DATABASE_URL: DB_URL });
    expect(r.code, r.stderr).toBe(0);
    const dump = JSON.parse(r.stdout);
    expect(dump).toMatchObject({
      databaseUrl: '<redacted>',
      secret: '<redacted>',
      bounceWebhookSecret: '<redacted>',
      metricsToken: '<redacted>',
      admin: { passwordHash: '<redacted>', token: '<redacted>' },
      telegram: { botToken: '<redacted>' },
    });
    expect(dump.email.smtpUrl).toBe(`smtp://<redacted>@127.0.0.1:${sink.port}`);
    expectNoSecret('tidings config', r.stdout + r.stderr);
  });

  it('(e, f) a bad admin login, a wrong API bearer, /metrics and /readyz: refused or served, logs clean', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _e, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ level: 'debug', destination, secrets: secretValues(env) });
    const deps = await createRoot(loadConfig(env), log);
    const ops = createOps({ db: deps.store.db, log, now: deps.now, config: deps.config });
    const app = buildServer({ ...httpDeps(deps), admin: adminWebDeps(deps), api: adminApiDeps(deps), ops: ops.routes });
    const bodies: string[] = [];
    try {
      const form = await app.inject({ url: '/admin/login' });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
      const cookie = String(form.headers['set-cookie']).split(';')[0]!;
      const login = await app.inject({
        method: 'POST',
        url: '/admin/login',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `_csrf=${encodeURIComponent(csrf)}&password=not-the-password-123`,
      });
      expect(login.statusCode).toBe(401);
      expect(login.body).toContain('Login failed');
      const api = await app.inject({ url: '/api/v1/newsletters', headers: { authorization: `Bearer ${FIXED.ADMIN_TOKEN}-wrong` } });
      expect(api.statusCode).toBe(401);
      const metricsNoToken = await app.inject({ url: '/metrics' });
      expect(metricsNoToken.statusCode).toBe(401);
      const metrics = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${FIXED.METRICS_TOKEN}` } });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.body).toContain('tidings_database_up 1');
      const ready = await app.inject({ url: '/readyz' });
      expect(ready.json()).toEqual({ ready: true, checks: { database: 'ok', migrations: 'ok' } });
      for (const r of [form, login, api, metricsNoToken, metrics, ready]) bodies.push(JSON.stringify(r.headers), r.body);
    } finally {
      ops.close();
      await app.close();
      await deps.close();
    }
    expect(lines.join('')).toContain('admin login refused: wrong credentials');
    expectNoSecret('HTTP responses', bodies.join('\n'));
    expectNoSecret('server log', lines.join(''));
  });
});
