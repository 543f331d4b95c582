// Issue 6 acceptance 3: three replicas of the service on one PostgreSQL. With the same schedule
// and clocks 30 s apart, 10 slots make exactly 10 digests and every (digest, subscriber, channel)
// arrives exactly once at the SMTP sink and the Bot API emulator. A worker killed with SIGKILL
// mid-send leaves its rows to the others: nothing missing.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertArticles } from '../../src/store/articles.js';
import { addNewsletter, updateNewsletter } from '../../src/store/newsletters.js';
import { addSource } from '../../src/store/sources.js';
import { type BotApiEmulator, startBotApiEmulator } from '../support/bot-api-emulator.js';
import { ROOT } from '../support/cli.js';
import { dialects, type TestStore } from '../support/databases.js';
import { readyDigest } from '../support/ledger-seed.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';
import { tempDirs } from '../support/temp-dirs.js';

const REPLICA = fileURLToPath(new URL('./fixtures/replica.ts', import.meta.url));
const dataDir = tempDirs('scale-out');
const postgres = dialects.find((d) => d.name === 'postgres');
const T0 = new Date('2026-11-24T07:59:00.000Z');
const minute = (k: number) => new Date(T0.getTime() + (k + 1) * 60_000);

interface Replica {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function replica(env: Record<string, string>): Replica {
  const child = spawn(process.execPath, ['--import', 'tsx', REPLICA], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return { child, output: () => output, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function until(what: string, check: () => Promise<boolean>, replicas: Replica[], timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    const dead = replicas.find((r) => r.child.exitCode !== null && r.child.signalCode === null);
    if (dead) throw new Error(`a replica exited while waiting for ${what}:\n${dead.output()}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${replicas.map((r) => r.output()).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopAll(replicas: Replica[]): Promise<void> {
  for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
  await Promise.all(replicas.map((r) => r.exited));
}

const messageId = (raw: Buffer) => /^Message-ID:\s*(\S+)/im.exec(raw.toString('latin1'))?.[1];

(postgres ? describe : describe.skip)('three replicas on PostgreSQL', () => {
  let store: TestStore;
  let sink: SmtpSink;
  let bot: BotApiEmulator;
  let replicas: Replica[] = [];
  const baseEnv = () => ({
    DATABASE_URL: store.url,
    TIDINGS_DATA_DIR: dataDir(),
    SMTP_URL: sink.url,
    MAIL_FROM: 'news@news.example.org',
    MAIL_FROM_NAME: 'News',
    TIDINGS_PUBLIC_URL: 'https://news.example.org',
    TIDINGS_POSTAL_ADDRESS: '1 Mill Lane, Springfield',
    TELEGRAM_BOT_TOKEN: '123456789:TEST-emulator-token-0123456789',
    TELEGRAM_API_ROOT: bot.url,
    DELIVERY_CONCURRENCY: '8',
    LOG_LEVEL: 'warn',
  });

  beforeEach(async () => {
    store = await postgres!.open();
    sink = await startSmtpSink({ parse: false });
    bot = await startBotApiEmulator({ limits: false, autoChats: true });
  });
  afterEach(async () => {
    await stopAll(replicas);
    replicas = [];
    await bot.close();
    await sink.close();
    await store.close();
  });

  it('10 slots with clocks ±30 s apart: one digest per slot, one delivery per (digest, subscriber, channel)', { timeout: 240_000 }, async () => {
    const db = store.db;
    const nl = await addNewsletter(db, { slug: 'minutely', name: 'Minutely', cron: '* * * * *', timezone: 'Asia/Shanghai', catchUpGraceMinutes: 10 }, T0);
    const source = (await addSource(db, { kind: 'feed', url: 'http://127.0.0.1/feed', name: 'Feed' }, T0)).id;
    const at = T0.toISOString();
    const emails = await db
      .insertInto('subscribers')
      .values(Array.from({ length: 100 }, (_, i) => ({ email: `r${i}@example.org`, name: null, language: 'en' as const, created_at: at, updated_at: at })))
      .returning('id')
      .execute();
    const chats = await db
      .insertInto('subscribers')
      .values(
        Array.from({ length: 5 }, (_, i) => ({
          email: null,
          telegram_chat_id: String(7000 + i),
          name: null,
          language: 'en' as const,
          created_at: at,
          updated_at: at,
        })),
      )
      .returning('id')
      .execute();
    const subscription = (channel: 'email' | 'telegram') => (p: { id: number }) => ({
      subscriber_id: p.id,
      newsletter_id: nl.id,
      channel,
      status: 'active' as const,
      consent_source: 'test',
      subscribed_at: at,
      created_at: at,
      updated_at: at,
    });
    await db
      .insertInto('subscriptions')
      .values([...emails.map(subscription('email')), ...chats.map(subscription('telegram'))])
      .execute();
    for (let k = 0; k < 10; k++) {
      const fetched = new Date(minute(k).getTime() - 20_000).toISOString();
      const rows = [0, 1].map((j) => ({
        source_id: source,
        guid: `g${k}-${j}`,
        guid_key: `${source}:g${k}-${j}`,
        url: `https://127.0.0.1/a/${k}/${j}`,
        title: `Cotton market update ${k}-${j}`,
        published_at: fetched,
        fetched_at: fetched,
        lang: 'en',
        text: `Prices moved in minute ${k}.`,
        fingerprint: `fp${k}-${j}`,
        search_text: `cotton ${k} ${j}`,
      }));
      await insertArticles(db, rows);
    }

    // Simulated time runs 12× real time (a slot every 5 s) from T0, started in all three at
    // once when all have loaded; their clocks are 30 s early, on time and 30 s late.
    const env = { ...baseEnv(), ROLES: 'scheduler,worker', DELIVERY_LEASE_SECONDS: '600', CLOCK_T0: T0.toISOString(), CLOCK_SPEED: '12' };
    replicas = [-30_000, 0, 30_000].map((offset) => replica({ ...env, CLOCK_OFFSET_MS: String(offset) }));
    await until('the replicas to load', async () => replicas.every((r) => r.output().includes('loaded')), replicas);
    const real0 = Date.now() + 1000;
    for (const r of replicas) r.child.stdin!.write(`${real0}\n`);
    const ready = () =>
      db.selectFrom('digests').select(['id', 'slot_at', 'status', 'covers', 'telegram']).where('newsletter_id', '=', nl.id).orderBy('slot_at').execute();
    await until('10 ready digests', async () => (await ready()).filter((d) => d.status === 'ready').length >= 10, replicas, 200_000);
    // No 11th slot: the test is about these ten.
    await updateNewsletter(db, nl.id, { enabled: false }, minute(10));
    const digests = (await ready()).filter((d) => d.slot_at <= minute(9).toISOString());
    const owed = digests.length * 105;
    const sent = async () =>
      Number(
        (
          await db
            .selectFrom('deliveries')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('state', '=', 'sent')
            .where(
              'digest_id',
              'in',
              digests.map((d) => d.id),
            )
            .executeTakeFirstOrThrow()
        ).n,
      );
    await until('every delivery sent', async () => (await sent()) === owed, replicas);
    await stopAll(replicas);

    expect(digests.map((d) => [d.slot_at, d.status, d.covers])).toEqual(Array.from({ length: 10 }, (_, k) => [minute(k).toISOString(), 'ready', null]));
    const ids = sink.messages.map((m) => messageId(m.raw));
    expect(ids).toHaveLength(10 * 100);
    expect(new Set(ids).size).toBe(10 * 100);
    const parts = digests.reduce((n, d) => n + (JSON.parse(d.telegram!) as unknown[]).length, 0);
    for (let i = 0; i < 5; i++) expect(bot.sent(7000 + i), `chat ${7000 + i}`).toHaveLength(parts);
  });

  it('a worker killed with SIGKILL mid-send: the other two finish its rows, nothing missing', { timeout: 180_000 }, async () => {
    const recipients = 600;
    await readyDigest(store, recipients);
    await sink.close();
    sink = await startSmtpSink({ parse: false, replyDelayMs: 15 });
    const env = { ...baseEnv(), ROLES: 'worker', DELIVERY_LEASE_SECONDS: '10' };
    replicas = [0, 1, 2].map(() => replica(env));
    await until('100 mails', async () => sink.messages.length >= 100, replicas);
    replicas[0]!.child.kill('SIGKILL');
    const unsent = async () => (await store.db.selectFrom('deliveries').select('id').where('state', '!=', 'sent').limit(1).execute()).length;
    await until('every row sent', async () => (await unsent()) === 0, replicas.slice(1));
    await stopAll(replicas);
    const ids = sink.messages.map((m) => messageId(m.raw));
    expect(new Set(ids).size).toBe(recipients);
    // Only mails in flight at the kill can arrive twice, with the same Message-ID (receivers drop the copy).
    expect(ids.length - recipients).toBeLessThanOrEqual(8);
  });
});
