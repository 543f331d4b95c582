// `tidings send` with TELEGRAM_BOT_TOKEN: the digest also goes to the newsletter's Telegram chats
// (a private chat and a forum topic) through the Bot API at TELEGRAM_API_ROOT, once; without a
// token the rows wait and say so; an unreachable Bot API leaves them pending, token unprinted.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { getNewsletter } from '../../src/store/newsletters.js';
import { subscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { type BotApiEmulator, startBotApiEmulator } from '../support/bot-api-emulator.js';
import { ROOT, runCli } from '../support/cli.js';
import { tempDirs } from '../support/temp-dirs.js';

const FEED = path.join(ROOT, 'examples', 'feeds', 'industry-news.xml');
const tempDir = tempDirs('send-telegram');
const CHATS = ['4242', '-1005000:7'];

describe('tidings send to Telegram', { timeout: 120_000 }, () => {
  let emu: BotApiEmulator;
  let env: Record<string, string>;
  beforeEach(async () => {
    emu = await startBotApiEmulator();
    const dir = tempDir();
    env = { TIDINGS_DATA_DIR: dir, LOG_LEVEL: 'warn', TELEGRAM_BOT_TOKEN: emu.token, TELEGRAM_API_ROOT: emu.url };
    for (const args of [['newsletters', 'add', 'news', '--name', 'Industry News'], ['sources', 'add', FEED, '--kind', 'feed'], ['ingest']]) {
      const r = await runCli(args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const store = openDb(path.join(dir, 'tidings.db'));
    try {
      const now = new Date();
      const nl = (await getNewsletter(store.db, 'news'))!;
      for (const chat of CHATS) {
        const p = await upsertSubscriber(store.db, { telegramChatId: chat }, now);
        await subscribe(store.db, { subscriberId: p.id, newsletterId: nl.id, channel: 'telegram', status: 'active', consent: { source: 'telegram' } }, now);
      }
    } finally {
      await store.close();
    }
  });
  afterEach(async () => {
    await emu.close();
  });

  it('sends the digest to each chat once, in HTML, to the forum topic too', async () => {
    const first = await runCli(['send', 'news'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Telegram: sent 2, failed 0, to retry later 0, skipped 0\./);
    const toUser = emu.sent('4242');
    expect(toUser.length).toBeGreaterThan(0);
    expect(toUser.every((m) => m.parse_mode === 'HTML' && m.acknowledged)).toBe(true);
    expect(toUser[0]!.text).toContain('Industry News');
    expect(emu.sent('-1005000').map((m) => m.message_thread_id)).toEqual(toUser.map(() => 7));
    expect(emu.calls.filter((c) => c.status !== 200)).toEqual([]);

    const calls = emu.calls.length;
    const again = await runCli(['send', 'news', '--no-build'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(emu.calls.length).toBe(calls);
  });

  it('without a token the rows wait and say so; with an unreachable Bot API they stay pending, the token unprinted', async () => {
    const { TELEGRAM_BOT_TOKEN: _t, ...noToken } = env;
    const waiting = await runCli(['send', 'news'], noToken);
    expect(waiting.code, waiting.stderr).toBe(0);
    expect(waiting.stdout).toContain('Telegram: 2 deliveries wait; set TELEGRAM_BOT_TOKEN to send them.');

    const down = await runCli(['send', 'news', '--no-build', '--json'], { ...env, TELEGRAM_API_ROOT: 'http://127.0.0.1:9', LOG_LEVEL: 'debug' });
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout).telegram).toMatchObject({ configured: true, progress: { sent: 0, retried: 2 }, remaining: 2 });
    expect(down.stdout + down.stderr).not.toContain(emu.token.split(':')[1]);
    expect(emu.calls).toEqual([]);
  });
});
