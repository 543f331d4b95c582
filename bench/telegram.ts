// Issue 5, acceptance 8: a digest broadcast to 1,000 Telegram chats through the ledger, the
// pacer and the Bot API client, against the emulator enforcing Telegram's real limits (30 per
// second per bot, 1 per second per chat). The sender runs in its own process, like `tidings
// send`; the emulator here counts what arrived and every 429 it had to answer.
import { startBotApiEmulator, TELEGRAM_LIMITS } from '../test/support/bot-api-emulator.js';
import { type Bench, runWorker } from './harness.js';

const CHATS = Number(process.env.BENCH_TELEGRAM_CHATS ?? 1000);
/** Items of the digest: 6 fit one message; the full 20-item digest is 3 messages per chat. */
const ITEMS = Number(process.env.BENCH_TELEGRAM_ITEMS ?? 6);
/** TELEGRAM_CONCURRENCY as the bench runs it (the default). */
const CONCURRENCY = 64;

interface WorkerResult {
  ms: number;
  progress: { sent: number; failed: number };
  counts: { sent: number };
  parts: number;
}

export const telegramBench: Bench = {
  name: 'telegram',
  description: `a digest broadcast to ${CHATS} Telegram chats against the Bot API emulator enforcing the real flood limits`,
  figures: ['telegram', 'responses_429'],
  async run() {
    const emu = await startBotApiEmulator({ limits: TELEGRAM_LIMITS });
    try {
      const r = await runWorker<WorkerResult>(new URL('./support/telegram-send-worker.ts', import.meta.url), [
        emu.url,
        emu.token,
        String(CHATS),
        String(ITEMS),
        String(CONCURRENCY),
      ]);
      if (r.counts.sent !== CHATS) throw new Error(`telegram bench: ${r.counts.sent} of ${CHATS} deliveries sent`);
      const sends = emu.calls.filter((c) => c.method === 'sendMessage' || c.method === 'sendPhoto');
      const accepted = sends
        .filter((c) => c.status === 200)
        .map((c) => c.at)
        .sort((a, b) => a - b);
      const refused = sends.filter((c) => c.status === 429).length;
      // Past the first second's burst of 30, what the pacer sustains.
      const span = (accepted.at(-1)! - accepted[0]!) / 1000;
      const sustained = span > 0 ? (accepted.length - TELEGRAM_LIMITS.global) / span : 0;
      const perSecond = (accepted.length * 1000) / r.ms;
      return {
        telegram: {
          value: Math.round(perSecond * 100) / 100,
          unit: 'msgs/s',
          higher_is_better: true,
          target: 28,
          cap: TELEGRAM_LIMITS.global,
          sustained_per_s: Math.round(sustained * 100) / 100,
          chats: CHATS,
          messages: accepted.length,
          parts_per_digest: r.parts,
          concurrency: CONCURRENCY,
          seconds: Math.round(r.ms / 100) / 10,
        },
        responses_429: { value: refused, unit: 'responses', higher_is_better: false, target: 0, requests: sends.length },
      };
    } finally {
      await emu.close();
    }
  },
};
