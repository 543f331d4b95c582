// The one send loop over the ledger, for every channel: claim rows, re-check each at send time
// (still subscribed? address suppressed?), send with bounded concurrency, mark each row. Lanes
// pull rows from a queue refilled as it empties, so a recipient that must wait (a Telegram chat
// held by flood control) never holds up the ones behind it. What differs between channels —
// how many rows to claim at once, how one row is sent (one mail, or several paced messages),
// what a hard bounce does — is a property of the DeliveryChannel.
//
// Crash safety: a lane takes its next row only once this one's "sent" mark is committed, so a
// crash repeats at most `concurrency` sends (mail with its original Message-ID) and loses none.
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import type { DialectName } from '../store/db.js';
import {
  activeSubscriptionIds,
  claimDeliveries,
  markFailed,
  markRetry,
  markSent,
  markSuppressed,
  releaseDeliveries,
  subscriberNames,
} from '../store/deliveries.js';
import type { Database, DeliveryRow } from '../store/schema.js';
import { recordEvent, suppress, suppressedAmong } from '../store/subscriber-events.js';
import { setChannelStatus } from '../store/subscribers.js';
import { type ChannelName, DeliveryError } from './channel.js';
import { MarkBuffer } from './mark-buffer.js';

export interface SendProgress {
  sent: number;
  failed: number;
  retried: number;
  suppressed: number;
}

export interface SendOptions {
  /** Rows in progress at once. */
  concurrency: number;
  leaseMs: number;
  maxAttempts: number;
  /** Only this digest's rows. */
  digestId?: number;
  onProgress?: (p: SendProgress) => void;
  /** Stop claiming rows; sends in flight finish and are marked, the rest go back to pending. */
  signal?: AbortSignal;
}

/** How one channel delivers a claimed row, and the few rules in which channels differ. */
export interface DeliveryChannel {
  readonly name: ChannelName;
  /** Rows claimed per refill (mail: batches; Telegram, seconds per row: one per lane). */
  claimLimit(concurrency: number): number;
  /** Group commit of "sent" marks (see MarkBuffer); none: each mark alone. */
  markGather?(concurrency: number): { ms: number; batch: number };
  /** Sends every part of the row; rejects (a DeliveryError when the other side said why). */
  send(row: DeliveryRow, ctx: { name: string | null; signal?: AbortSignal; claimedAt: number; leaseMs: number }): Promise<void>;
  /** A hard bounce: mail suppresses the address and marks it bounced; Telegram marks the chat blocked. */
  readonly hardBounce: { status: 'bounced' | 'blocked'; suppress: boolean };
  /**
   * Telegram has no idempotency key, so after a lost reply it retries once (a possible duplicate
   * beats a missing digest) and not twice; mail retries with the same Message-ID.
   */
  readonly uncertainRetriesOnce?: boolean;
  /** An error that stops the whole run (the bot token was revoked): the row waits for a fix. */
  isFatal?(err: unknown): boolean;
}

export interface SendLoopDeps {
  db: Kysely<Database>;
  dialect: DialectName;
  log: Logger;
  now: () => Date;
  /** Called after each send with its latency (metrics); absent: nothing is timed. */
  observe?: (channel: ChannelName, seconds: number, outcome: 'ok' | 'failed') => void;
}

/** Marks the last error of a delivery whose message may or may not have arrived. */
const UNCERTAIN = 'uncertain: ';

/** Backoff for transient failures: 1, 2, 4 … minutes, at most an hour, unless the server said. */
export function retryDelayMs(attempts: number, hint?: number): number {
  if (hint !== undefined && hint > 0) return Math.min(hint, 24 * 3_600_000);
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** Sends every due row of the channel (of one digest, when given) and returns the tallies. */
export async function runSendLoop(deps: SendLoopDeps, channel: DeliveryChannel, opts: SendOptions): Promise<SendProgress> {
  const progress: SendProgress = { sent: 0, failed: 0, retried: 0, suppressed: 0 };
  const marks = new MarkBuffer((ids) => markSent(deps.db, ids, deps.now()), channel.markGather?.(opts.concurrency));
  const queue: { row: DeliveryRow; name: string | null }[] = [];
  let exhausted = false;
  let refilling: Promise<void> | null = null;
  let fatal: unknown = null;
  const stopped = () => Boolean(opts.signal?.aborted) || fatal !== null;
  const refill = async () => {
    const now = deps.now();
    const rows = await claimDeliveries(deps.db, deps.dialect, {
      channel: channel.name,
      limit: channel.claimLimit(opts.concurrency),
      leaseMs: opts.leaseMs,
      now,
      digestId: opts.digestId,
    });
    if (rows.length === 0) exhausted = true;
    const sendable = await recheck(deps, rows, progress);
    const names = await subscriberNames(
      deps.db,
      sendable.map((r) => r.subscriber_id),
    );
    queue.push(...sendable.map((row) => ({ row, name: names.get(row.subscriber_id) ?? null })));
  };
  const take = async () => {
    while (queue.length === 0 && !exhausted && !stopped()) {
      refilling ??= refill().finally(() => {
        refilling = null;
      });
      await refilling;
    }
    return stopped() ? undefined : queue.shift();
  };
  const lane = async () => {
    for (let next = await take(); next; next = await take()) {
      await deliver(deps, channel, opts, next.row, next.name, marks, progress, (err) => {
        fatal ??= err;
      });
      opts.onProgress?.({ ...progress });
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, lane));
  } finally {
    await marks.flush();
    // Claimed but never started: pending again now, not only when the lease runs out.
    await releaseDeliveries(
      deps.db,
      queue.splice(0).map((q) => q.row.id),
      deps.now(),
    );
  }
  if (fatal) throw fatal;
  return progress;
}

async function deliver(
  deps: SendLoopDeps,
  channel: DeliveryChannel,
  opts: SendOptions,
  row: DeliveryRow,
  name: string | null,
  marks: MarkBuffer,
  progress: SendProgress,
  onFatal: (e: unknown) => void,
): Promise<void> {
  const started = deps.observe ? performance.now() : 0;
  const observe = (outcome: 'ok' | 'failed') => deps.observe?.(channel.name, (performance.now() - started) / 1000, outcome);
  try {
    await channel.send(row, { name, signal: opts.signal, claimedAt: deps.now().getTime(), leaseMs: opts.leaseMs });
    observe('ok');
  } catch (err) {
    observe('failed');
    const now = deps.now();
    // Not the recipient's fault: the row is owed again at once, with no attempt counted against it.
    if (channel.isFatal?.(err) || (opts.signal?.aborted && !(err instanceof DeliveryError))) {
      if (channel.isFatal?.(err)) onFatal(err);
      await markRetry(deps.db, row.id, err instanceof Error ? err.message : String(err), now, now);
      progress.retried++;
      return;
    }
    await failed(deps, channel, opts, row, err, progress);
    return;
  }
  // Resolves once the mark is committed: only then does this lane take the next row.
  await marks.add(row.id);
  progress.sent++;
}

async function failed(deps: SendLoopDeps, channel: DeliveryChannel, opts: SendOptions, row: DeliveryRow, err: unknown, progress: SendProgress): Promise<void> {
  const e = err instanceof DeliveryError ? err : new DeliveryError(err instanceof Error ? err.message : String(err), { permanent: false, cause: err });
  const now = deps.now();
  const message = e.message.slice(0, 500);
  const log = { delivery: row.id, channel: channel.name, attempts: row.attempts, err: message };
  if (channel.uncertainRetriesOnce && e.uncertain && row.last_error?.startsWith(UNCERTAIN)) {
    await markFailed(deps.db, row.id, `may or may not have been delivered (connection lost after sending, twice); not retried again: ${message}`, now);
    progress.failed++;
    deps.log.warn(log, 'delivery uncertain twice; giving up');
    return;
  }
  if (!e.permanent && row.attempts < opts.maxAttempts) {
    const mark = channel.uncertainRetriesOnce && e.uncertain ? UNCERTAIN : '';
    await markRetry(deps.db, row.id, `${mark}${message}`, new Date(now.getTime() + retryDelayMs(row.attempts, e.retryAfterMs)), now);
    progress.retried++;
    deps.log.warn({ ...log, uncertain: e.uncertain }, 'send failed; will retry');
    return;
  }
  await markFailed(deps.db, row.id, message, now);
  progress.failed++;
  deps.log.warn({ ...log, permanent: e.permanent }, 'send failed for good');
  if (!e.suppress) return;
  // A Telegram chat that blocked the bot gets no suppression entry: subscribing again in the bot is welcome.
  if (channel.hardBounce.suppress) await suppress(deps.db, { address: row.address, channel: row.channel, reason: 'hard-bounce', detail: message }, now);
  await setChannelStatus(deps.db, row.subscriber_id, row.channel, channel.hardBounce.status, now);
  await recordEvent(deps.db, {
    type: 'bounce-hard',
    subscriberId: row.subscriber_id,
    subscriptionId: row.subscription_id,
    address: row.address,
    detail: message,
    now,
  });
}

/** Rows whose subscription ended or whose address was suppressed since the ledger was written. */
async function recheck(deps: Pick<SendLoopDeps, 'db' | 'now'>, rows: DeliveryRow[], progress: SendProgress): Promise<DeliveryRow[]> {
  if (rows.length === 0) return rows;
  const active = await activeSubscriptionIds(
    deps.db,
    rows.map((r) => r.subscription_id),
  );
  const suppressed = await suppressedAmong(
    deps.db,
    rows.map((r) => r.address),
  );
  const gone = rows.filter((r) => !active.has(r.subscription_id) || suppressed.has(r.address));
  if (gone.length) {
    await markSuppressed(
      deps.db,
      gone.map((r) => r.id),
      'unsubscribed or suppressed before sending',
      deps.now(),
    );
    progress.suppressed += gone.length;
  }
  const goneIds = new Set(gone.map((r) => r.id));
  return rows.filter((r) => !goneIds.has(r.id));
}
