// The Telegram send loop over the ledger. Unlike mail, one delivery is several paced messages
// that can take seconds (one per second per chat, longer under a 429), so lanes pull rows from
// a queue refilled as it empties instead of working in batches: a chat that must wait never
// holds up the chats behind it.
//
// Crash safety, as in worker.ts: a lane takes its next row only once this one's "sent" mark is
// committed, and every part but the last is recorded (parts_sent) before the next goes out. A
// crash therefore repeats at most one message per delivery in flight; a restart resumes each
// unfinished delivery at its first unconfirmed part.
import type { Kysely } from 'kysely';
import { cachedLoader } from './cached-loader.js';
import type { TelegramPart } from '../digest/render-telegram.js';
import type { Logger } from '../log.js';
import type { DialectName } from '../store/db.js';
import { recordEvent } from '../store/subscriber-events.js';
import type { Database, DeliveryRow } from '../store/schema.js';
import { setChannelStatus } from '../store/subscribers.js';
import { DeliveryError } from './channel.js';
import { claimDeliveries, markFailed, markRetry, markSent, releaseDeliveries } from './ledger.js';
import { MarkBuffer } from './mark-buffer.js';
import { type TelegramChannel, TelegramSetupError } from './telegram.js';
import { recheck, retryDelayMs, type SendProgress } from './worker.js';

export interface TelegramSendDeps {
  db: Kysely<Database>;
  dialect: DialectName;
  channel: TelegramChannel;
  log: Logger;
  now: () => Date;
  /** A ready digest's Telegram messages (cached by the caller per digest). */
  partsFor: (digestId: number) => Promise<readonly TelegramPart[]>;
  /** Called after each send attempt (all parts, pacing included) with its latency; absent: nothing is timed. */
  observe?: (channel: 'telegram', seconds: number, outcome: 'ok' | 'failed') => void;
}

export interface TelegramSendOptions {
  /** Deliveries in progress at once (each mostly waits in the pacer). */
  concurrency: number;
  leaseMs: number;
  maxAttempts: number;
  digestId?: number;
  onProgress?: (p: SendProgress) => void;
  /** Stop taking rows; sends in flight finish and are marked, the rest go back to pending. */
  signal?: AbortSignal;
}

/** Marks the last error of a delivery whose message may or may not have arrived. */
const UNCERTAIN = 'uncertain: ';

/** Sends every due Telegram row (of one digest, when given) and returns the tallies. */
export async function sendTelegramPending(deps: TelegramSendDeps, opts: TelegramSendOptions): Promise<SendProgress> {
  const progress: SendProgress = { sent: 0, failed: 0, retried: 0, suppressed: 0 };
  const marks = new MarkBuffer((ids) => markSent(deps.db, ids, deps.now()));
  const queue: DeliveryRow[] = [];
  let exhausted = false;
  let refilling: Promise<void> | null = null;
  let fatal: Error | null = null;
  const stopped = () => Boolean(opts.signal?.aborted) || fatal !== null;
  const refill = async () => {
    const rows = await claimDeliveries(deps.db, deps.dialect, { channel: 'telegram', limit: opts.concurrency, leaseMs: opts.leaseMs, now: deps.now(), digestId: opts.digestId });
    if (rows.length === 0) exhausted = true;
    else queue.push(...(await recheck(deps, rows, progress)));
  };
  const take = async (): Promise<DeliveryRow | undefined> => {
    while (queue.length === 0 && !exhausted && !stopped()) {
      refilling ??= refill().finally(() => {
        refilling = null;
      });
      await refilling;
    }
    return stopped() ? undefined : queue.shift();
  };
  const lane = async () => {
    for (let row = await take(); row; row = await take()) {
      await deliver(deps, opts, row, marks, progress, (e) => {
        fatal ??= e;
      });
      opts.onProgress?.({ ...progress });
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, lane));
  } finally {
    await marks.flush();
    // Claimed but never started: pending again now, not only when the lease runs out.
    await releaseDeliveries(deps.db, queue.splice(0).map((row) => row.id), deps.now());
  }
  if (fatal) throw fatal;
  return progress;
}

async function deliver(deps: TelegramSendDeps, opts: TelegramSendOptions, row: DeliveryRow, marks: MarkBuffer, progress: SendProgress, onFatal: (e: Error) => void): Promise<void> {
  const claimedAt = deps.now().getTime();
  let sent = row.parts_sent;
  try {
    const parts = await deps.partsFor(row.digest_id);
    const onPart = async (n: number) => {
      sent = n;
      // The last part's record is the "sent" mark itself.
      if (n < parts.length) await recordParts(deps.db, row.id, n, deps.now());
    };
    for (;;) {
      const started = deps.observe ? performance.now() : 0;
      try {
        await deps.channel.send(parts, { address: row.address, from: sent, onPart, signal: opts.signal });
        if (deps.observe) deps.observe('telegram', (performance.now() - started) / 1000, 'ok');
        break;
      } catch (err) {
        if (deps.observe) deps.observe('telegram', (performance.now() - started) / 1000, 'failed');
        // A 429 holds this chat in the pacer; waiting here keeps the row, and its place in the
        // digest, while the other lanes go on. Long waits go back to the ledger instead.
        const wait = err instanceof DeliveryError && err.code === 429 ? (err.retryAfterMs ?? 0) : undefined;
        if (wait === undefined || opts.signal?.aborted || deps.now().getTime() - claimedAt + wait > opts.leaseMs / 2) throw err;
        deps.log.info({ delivery: row.id, retryAfterMs: wait }, 'telegram: flood control for this chat; waiting, other chats continue');
      }
    }
  } catch (err) {
    const now = deps.now();
    if (err instanceof TelegramSetupError || (opts.signal?.aborted && !(err instanceof DeliveryError))) {
      if (err instanceof TelegramSetupError) onFatal(err);
      await markRetry(deps.db, row.id, err instanceof Error ? err.message : String(err), now, now);
      progress.retried++;
      return;
    }
    await failed(deps, opts, row, err, progress);
    return;
  }
  await marks.add(row.id);
  progress.sent++;
}

async function recordParts(db: Kysely<Database>, id: number, n: number, now: Date): Promise<void> {
  await db.updateTable('deliveries').set({ parts_sent: n, updated_at: now.toISOString() }).where('id', '=', id).where('state', '=', 'sending').execute();
}

async function failed(deps: TelegramSendDeps, opts: TelegramSendOptions, row: DeliveryRow, err: unknown, progress: SendProgress): Promise<void> {
  const e = err instanceof DeliveryError ? err : new DeliveryError(err instanceof Error ? err.message : String(err), { permanent: false, cause: err });
  const now = deps.now();
  const message = e.message.slice(0, 500);
  // Telegram has no idempotency key: after a lost reply the message may be there. One more try
  // (a possible duplicate) beats a reader missing the digest; a second lost reply ends it.
  if (e.uncertain && row.last_error?.startsWith(UNCERTAIN)) {
    await markFailed(deps.db, row.id, `may or may not have been delivered (connection lost after sending, twice); not retried again: ${message}`, now);
    progress.failed++;
    deps.log.warn({ delivery: row.id, err: message }, 'telegram: delivery uncertain twice; giving up');
    return;
  }
  if (!e.permanent && row.attempts < opts.maxAttempts) {
    const at = new Date(now.getTime() + retryDelayMs(row.attempts, e.retryAfterMs));
    await markRetry(deps.db, row.id, `${e.uncertain ? UNCERTAIN : ''}${message}`, at, now);
    progress.retried++;
    deps.log.warn({ delivery: row.id, attempts: row.attempts, uncertain: e.uncertain, err: message }, 'telegram: send failed; will retry');
    return;
  }
  await markFailed(deps.db, row.id, message, now);
  progress.failed++;
  deps.log.warn({ delivery: row.id, attempts: row.attempts, permanent: e.permanent, err: message }, 'telegram: send failed for good');
  if (e.suppress) {
    // Blocked, kicked or gone: every Telegram subscription of this chat ends now. No suppression
    // entry: a user who comes back and subscribes again in the bot is welcome.
    await setChannelStatus(deps.db, row.subscriber_id, 'telegram', 'blocked', now);
    await recordEvent(deps.db, { type: 'bounce-hard', subscriberId: row.subscriber_id, subscriptionId: row.subscription_id, address: row.address, detail: message, now });
  }
}

/** Loads (and caches) a ready digest's Telegram parts; refuses one that is not ready. */
export function telegramPartsLoader(db: Kysely<Database>): (digestId: number) => Promise<readonly TelegramPart[]> {
  return cachedLoader(async (digestId: number): Promise<readonly TelegramPart[]> => {
    const row = await db.selectFrom('digests').select(['status', 'telegram']).where('id', '=', digestId).executeTakeFirst();
    const parts: unknown = row?.status === 'ready' && row.telegram ? JSON.parse(row.telegram) : null;
    if (!Array.isArray(parts) || parts.length === 0) throw new Error(`digest ${digestId} has no Telegram messages to send (status ${row?.status ?? 'missing'})`);
    return parts as TelegramPart[];
  });
}
