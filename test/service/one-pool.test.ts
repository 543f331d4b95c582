// One `tidings start` process sends through one SMTP pool, whoever asks: a send-now from the
// admin API, a /sendnow from a Telegram admin and a scheduled slot all queue their digests, and
// the process's one delivery loop mails them through its one transport. Counted at the sink:
// never more connections than SMTP_POOL_CONNECTIONS, and the transport is built once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { oneCottonArticle } from '../support/ledger-seed.js';
import { openDb } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { addSource, pauseSource } from '../../src/store/sources.js';
import { subscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { type BotApiEmulator, startBotApiEmulator } from '../support/bot-api-emulator.js';
import { BIN, ROOT } from '../support/cli.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';
import { tempDirs } from '../support/temp-dirs.js';

const dataDir = tempDirs('one-pool');
const ADMIN = 1001;
const ADMIN_TOKEN = 'one-pool-test-admin-token-0123456789abcdefghijk';
const POOL = 2;
const PER_NEWSLETTER = 12;
const SLUGS = ['web-news', 'bot-news', 'sched-news'] as const;
const NAMES = { 'web-news': 'Web News', 'bot-news': 'Bot News', 'sched-news': 'Sched News' };

/** Three newsletters with their own subscribers and one article each can send; no first-run examples. */
async function seed(dir: string): Promise<Record<(typeof SLUGS)[number], number>> {
  const store = openDb(path.join(dir, 'tidings.db'));
  try {
    await migrateToLatest(store);
    const now = new Date();
    const ids = {} as Record<(typeof SLUGS)[number], number>;
    for (const slug of SLUGS) {
      // The scheduled one runs every minute since three minutes ago: its first tick owes a slot.
      const schedule = slug === 'sched-news' ? { cron: '* * * * *', timezone: 'UTC' } : { cron: '0 8 * * *', timezone: 'UTC' };
      const at = slug === 'sched-news' ? new Date(now.getTime() - 3 * 60_000) : now;
      ids[slug] = (await addNewsletter(store.db, { slug, name: NAMES[slug], ...schedule }, at)).id;
      for (let i = 0; i < PER_NEWSLETTER; i++) {
        const sub = await upsertSubscriber(store.db, { email: `${slug}-${i}@example.org` }, now);
        await subscribe(store.db, { subscriberId: sub.id, newsletterId: ids[slug], channel: 'email', status: 'active', consent: { source: 'test' } }, now);
      }
    }
    // A paused source: not a first run (no examples, no one-pass pipeline), and nothing to fetch.
    const src = await addSource(store.db, { kind: 'feed', url: 'https://news.example.org/feed', name: 'Example News' }, now);
    await pauseSource(store.db, src.id, 'test', now);
    await oneCottonArticle(store.db, src.id, now);
    return ids;
  } finally {
    await store.close();
  }
}

/** Polls `done` until it holds; fails after `ms` saying what `state` shows. */
function until(done: () => boolean, ms: number, state: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (done()) resolve();
      else if (Date.now() > deadline) reject(new Error(`not done after ${ms} ms: ${state()}`));
      else return;
      clearInterval(timer);
    }, 50);
  });
}

let sink: SmtpSink | undefined;
let emu: BotApiEmulator | undefined;
afterEach(async () => {
  await sink?.close();
  await emu?.close();
});

it('web send-now, bot /sendnow and the schedule all mail through the one pool of one `tidings start`', { timeout: 60_000 }, async () => {
  const dir = dataDir();
  const ids = await seed(dir);
  sink = await startSmtpSink({ parse: false });
  emu = await startBotApiEmulator({ limits: false });
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TIDINGS_DATA_DIR: dir,
    SMTP_URL: sink.url,
    SMTP_POOL_CONNECTIONS: String(POOL),
    DELIVERY_CONCURRENCY: '8',
    MAIL_FROM: 'news@news.example.org',
    TIDINGS_PUBLIC_URL: 'https://news.example.org',
    TIDINGS_POSTAL_ADDRESS: '1 Mill Lane, Springfield',
    TELEGRAM_BOT_TOKEN: emu.token,
    TELEGRAM_API_ROOT: emu.url,
    TELEGRAM_ADMIN_IDS: String(ADMIN),
    ADMIN_TOKEN,
    LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /Tidings is running: .*· (http:\/\/\S+)\/\./.exec(stdout);
        if (m || child.exitCode !== null) clearInterval(timer);
        if (m) resolve(m[1]!);
        else if (child.exitCode !== null) reject(new Error(`exited early:\n${stdout}\n${stderr}`));
      }, 50);
    });
    expect(stdout).toMatch(/Tidings is running: email delivery, telegram delivery, ingest, scheduler, bot, web/);

    const web = await fetch(`${url}/api/v1/newsletters/${ids['web-news']}/send-now`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(web.status).toBe(201);
    await emu.waitFor(() => emu!.callsTo('getUpdates').length > 0, 20_000);
    await emu.userMessage({ from: { id: ADMIN }, text: '/sendnow bot-news' });
    await emu.waitFor(() => emu!.sent(ADMIN).length === 1);
    expect(emu.sent(ADMIN)[0]!.text).toMatch(/^Digest \d+ of Bot News is built; 12 deliveries queued\.$/);

    // The scheduler's first tick (within 10 s of the start) owes sched-news its slot.
    await until(
      () => sink!.messages.length >= SLUGS.length * PER_NEWSLETTER,
      40_000,
      () => `${sink!.messages.length} mails so far\n${stderr}`,
    );
    const recipients = sink.messages.map((m) => m.to[0]!).sort();
    expect(recipients).toEqual(SLUGS.flatMap((slug) => Array.from({ length: PER_NEWSLETTER }, (_, i) => `${slug}-${i}@example.org`)).sort());
    expect(sink.connections()).toBeGreaterThan(0);
    expect(sink.connections()).toBeLessThanOrEqual(POOL);
    expect(stderr.match(/"msg":"email transport built"/g)).toHaveLength(1);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(stderr).not.toMatch(/"level":(50|60)/);
});
