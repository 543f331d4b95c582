// Issue 5, acceptance 4: a digest to 1,000 private chats and 5 groups keeps every flood limit,
// checked from the emulator's log of every call (refused ones included) — with the limits scaled
// up to keep the run short — and once more at Telegram's real 30 per second on 300 chats.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { PacingLimits } from '../../src/deliver/pacing.js';
import { sendTelegramPending } from '../../src/deliver/telegram-send.js';
import { type BotApiEmulator, startBotApiEmulator, TELEGRAM_LIMITS } from '../support/bot-api-emulator.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { telegramDeps, telegramDigest, telegramNewsletter, text, withinWindows } from './telegram-fixtures.js';

const T0 = new Date('2026-11-24T08:00:00.000Z');

forEachDialect('Telegram pacing', (dialect) => {
  let store: TestStore;
  let emu: BotApiEmulator | undefined;
  beforeEach(async () => {
    store = await dialect.open();
  });
  afterEach(async () => {
    await emu?.close();
    await store.close();
  });

  async function broadcast(limits: PacingLimits, chats: string[], parts: number, concurrency: number) {
    emu = await startBotApiEmulator({ limits });
    const { newsletterId } = await telegramNewsletter(store.db, chats, T0);
    await telegramDigest(
      store.db,
      newsletterId,
      Array.from({ length: parts }, (_, i) => text(`<b>Part ${i + 1}</b> of the digest`)),
      T0,
    );
    const deps = telegramDeps({ db: store.db, dialect: store.dialect, apiRoot: emu.url, token: emu.token, limits });
    try {
      return await sendTelegramPending(deps, { concurrency, leaseMs: 600_000, maxAttempts: 3 });
    } finally {
      await deps.channel.close();
    }
  }

  /** Every limit, checked over all sendMessage calls the emulator saw (attempts, not only successes). */
  function expectWithinLimits(e: BotApiEmulator, l: PacingLimits) {
    const calls = e.callsTo('sendMessage');
    expect(calls.filter((c) => c.status !== 200)).toEqual([]);
    expect(
      withinWindows(
        calls.map((c) => c.at),
        l.global,
        l.windowMs,
      ),
    ).toBe(true);
    const byChat = new Map<string, number[]>();
    for (const c of calls) byChat.set(c.chat!, [...(byChat.get(c.chat!) ?? []), c.at]);
    for (const [chat, at] of byChat) {
      expect(withinWindows(at, 1, l.perChatMs)).toBe(true);
      if (chat.startsWith('-')) expect(withinWindows(at, l.group, l.groupWindowMs)).toBe(true);
    }
    return byChat;
  }

  it('1,000 private chats and 5 groups, limits scaled ×10 (global) and a group budget of 1 per 3 s', { timeout: 60_000 }, async () => {
    const limits: PacingLimits = { global: 300, windowMs: 1000, perChatMs: 1000, group: 1, groupWindowMs: 3000 };
    const chats = [...Array.from({ length: 1000 }, (_, i) => String(5000 + i)), ...Array.from({ length: 5 }, (_, i) => `-100${700 + i}`)];
    const progress = await broadcast(limits, chats, 2, 400);
    expect(progress).toMatchObject({ sent: 1005, failed: 0, retried: 0 });
    const byChat = expectWithinLimits(emu!, limits);
    expect(byChat.size).toBe(1005);
    for (const c of chats) expect(emu!.sent(c).map((m) => m.text)).toEqual(['Part 1 of the digest', 'Part 2 of the digest']);
  });

  it("Telegram's real limits on 300 chats: never more than 30 in any second, no 429", { timeout: 60_000 }, async () => {
    const chats = Array.from({ length: 300 }, (_, i) => String(9000 + i));
    const progress = await broadcast(TELEGRAM_LIMITS, chats, 1, 64);
    expect(progress).toMatchObject({ sent: 300, failed: 0, retried: 0 });
    expectWithinLimits(emu!, TELEGRAM_LIMITS);
  });
});
