// Telegram as a DeliveryChannel of the one send loop (send-loop.ts). Unlike mail, one delivery is
// several paced messages that can take seconds (one per second per chat, longer under a 429), so
// the loop claims one row per lane at a time. Every part but the last is recorded (parts_sent)
// before the next goes out, so a crash repeats at most one message per delivery in flight and a
// restart resumes each unfinished delivery at its first unconfirmed part.
import type { Kysely } from 'kysely';
import type { TelegramPart } from '../digest/render-telegram.js';
import { digestForTelegram, recordPartsSent } from '../store/deliveries.js';
import type { Database } from '../store/schema.js';
import { cachedLoader } from './cached-loader.js';
import { DeliveryError } from './channel.js';
import { type DeliveryChannel, runSendLoop, type SendLoopDeps, type SendOptions, type SendProgress } from './send-loop.js';
import { type TelegramChannel, TelegramSetupError } from './telegram.js';

export interface TelegramSendDeps extends SendLoopDeps {
  channel: TelegramChannel;
  /** A ready digest's Telegram messages (cached by the caller per digest). */
  partsFor: (digestId: number) => Promise<readonly TelegramPart[]>;
}

/** Deliveries in progress at once (each mostly waits in the pacer), and the ledger's settings. */
export type TelegramSendOptions = SendOptions;

export function telegramDelivery(deps: Pick<TelegramSendDeps, 'channel' | 'partsFor' | 'db' | 'log' | 'now'>): DeliveryChannel {
  return {
    name: 'telegram',
    claimLimit: (concurrency) => concurrency,
    hardBounce: { status: 'blocked', suppress: false },
    uncertainRetriesOnce: true,
    isFatal: (err) => err instanceof TelegramSetupError,
    async send(row, { signal, claimedAt, leaseMs }) {
      const parts = await deps.partsFor(row.digest_id);
      let sent = row.parts_sent;
      const onPart = async (n: number) => {
        sent = n;
        // The last part's record is the "sent" mark itself.
        if (n < parts.length) await recordPartsSent(deps.db, row.id, n, deps.now());
      };
      for (;;) {
        try {
          await deps.channel.send(parts, { address: row.address, from: sent, onPart, signal });
          return;
        } catch (err) {
          // A 429 holds this chat in the pacer; waiting here keeps the row, and its place in the
          // digest, while the other lanes go on. Long waits go back to the ledger instead.
          const wait = err instanceof DeliveryError && err.code === 429 ? (err.retryAfterMs ?? 0) : undefined;
          if (wait === undefined || signal?.aborted || deps.now().getTime() - claimedAt + wait > leaseMs / 2) throw err;
          deps.log.info({ delivery: row.id, retryAfterMs: wait }, 'telegram: flood control for this chat; waiting, other chats continue');
        }
      }
    },
  };
}

/** Sends every due Telegram row (of one digest, when given) and returns the tallies. */
export function sendTelegramPending(deps: TelegramSendDeps, opts: TelegramSendOptions): Promise<SendProgress> {
  return runSendLoop(deps, telegramDelivery(deps), opts);
}

/** Loads (and caches) a ready digest's Telegram parts; refuses one that is not ready. */
export function telegramPartsLoader(db: Kysely<Database>): (digestId: number) => Promise<readonly TelegramPart[]> {
  return cachedLoader(async (digestId: number): Promise<readonly TelegramPart[]> => {
    const row = await digestForTelegram(db, digestId);
    const parts: unknown = row?.status === 'ready' && row.telegram ? JSON.parse(row.telegram) : null;
    if (!Array.isArray(parts) || parts.length === 0)
      throw new Error(`digest ${digestId} has no Telegram messages to send (status ${row?.status ?? 'missing'})`);
    return parts as TelegramPart[];
  });
}
