// Issue 5, acceptance 6: a Telegram sender killed with SIGKILL half-way through a two-part digest
// to 300 chats, then restarted, delivers every part to every chat, in order, and repeats at most
// one message per delivery that was in flight (the in-flight window: CONCURRENCY).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { deliveryCounts } from '../../src/store/deliveries.js';
import { type BotApiEmulator, startBotApiEmulator, TELEGRAM_LIMITS } from '../support/bot-api-emulator.js';
import { ROOT } from '../support/cli.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { telegramDigest, telegramNewsletter, text } from './telegram-fixtures.js';

const CHILD = fileURLToPath(new URL('./fixtures/telegram-send-child.ts', import.meta.url));
const CHATS = 300;
const PARTS = ['<b>Part one</b>', '<i>Part two</i>'];
const CONCURRENCY = 16;
const LEASE_MS = 60_000;
const RATE_GLOBAL = 100;
const PER_CHAT_MS = 250;

function runChild(
  store: TestStore,
  emu: BotApiEmulator,
  env: Record<string, string>,
  killAt?: number,
): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: store.url,
        API_ROOT: emu.url,
        BOT_TOKEN: emu.token,
        CONCURRENCY: String(CONCURRENCY),
        LEASE_MS: String(LEASE_MS),
        RATE_GLOBAL: String(RATE_GLOBAL),
        PER_CHAT_MS: String(PER_CHAT_MS),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    if (killAt !== undefined) void emu.waitFor(() => emu.messages.length >= killAt, 60_000).then(() => child.kill('SIGKILL'), reject);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`sender exited ${code}: ${stderr}`));
      else resolve({ code, signal });
    });
  });
}

forEachDialect('crash-safe Telegram sending', (dialect) => {
  let store: TestStore;
  let emu: BotApiEmulator;
  beforeEach(async () => {
    store = await dialect.open();
    emu = await startBotApiEmulator({ limits: { ...TELEGRAM_LIMITS, global: RATE_GLOBAL, perChatMs: PER_CHAT_MS } });
  });
  afterEach(async () => {
    await emu.close();
    await store.close();
  });

  it('kill -9 half-way through 300 chats, restart: every chat gets every part in order, duplicates ≤ the in-flight window', { timeout: 120_000 }, async () => {
    const T0 = new Date();
    const chats = Array.from({ length: CHATS }, (_, i) => String(100_000 + i));
    const { newsletterId } = await telegramNewsletter(store.db, chats, T0);
    const digestId = await telegramDigest(store.db, newsletterId, PARTS.map(text), T0);
    const total = CHATS * PARTS.length;

    const killed = await runChild(store, emu, {}, total / 2);
    expect(killed.signal).toBe('SIGKILL');
    const atKill = emu.messages.length;
    expect(atKill).toBeGreaterThanOrEqual(total / 2);
    expect(atKill).toBeLessThan(total);
    // Some deliveries were cut between their parts: the restart must resume them, not redo them.
    const partway = await store.db.selectFrom('deliveries').select('id').where('state', '=', 'sending').where('parts_sent', '=', 1).execute();
    const resumed = await runChild(store, emu, { CLOCK_OFFSET_MS: String(LEASE_MS + 1000) });
    expect(resumed.code).toBe(0);

    for (const chat of chats) {
      const texts = emu.sent(chat).map((m) => m.text);
      expect(new Set(texts)).toEqual(new Set(['Part one', 'Part two'])); // 0 missing
      expect(texts.indexOf('Part one')).toBeLessThan(texts.indexOf('Part two')); // in order
    }
    const duplicates = emu.messages.length - total;
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
    expect(await deliveryCounts(store.db, { digestId })).toMatchObject({ sent: CHATS, pending: 0, sending: 0, failed: 0 });
    process.stderr.write(
      `telegram crash test [${dialect.name}]: ${atKill} messages at the kill, ${partway.length} deliveries between parts, ${duplicates} duplicates\n`,
    );
  });
});
