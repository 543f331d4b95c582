// The email send loop over the ledger: claim a batch, re-check each row at send time (still
// subscribed? address suppressed?), send with bounded concurrency, and mark each row. A send's
// slot is freed only once its mark is committed, so a crash can repeat at most `concurrency`
// mails — each with its original Message-ID — and never lose one.
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import type { DialectName } from '../store/db.js';
import { recordEvent, suppress, suppressedAmong } from '../store/subscriber-events.js';
import type { Database, DeliveryRow } from '../store/schema.js';
import { setChannelStatus } from '../store/subscribers.js';
import { DeliveryError, type EmailChannel, type EmailContent, type EmailDelivery } from './channel.js';
import { claimDeliveries, markFailed, markRetry, markSent, markSuppressed, releaseDeliveries } from './ledger.js';
import { MarkBuffer } from './mark-buffer.js';

export interface SendDeps {
  db: Kysely<Database>;
  dialect: DialectName;
  email: EmailChannel;
  log: Logger;
  now: () => Date;
  /** What every recipient of a digest shares (cached by the caller per digest). */
  contentFor: (digestId: number) => Promise<EmailContent>;
  /** Per-recipient links and name for a claimed row. */
  deliveryFor: (row: DeliveryRow, subscriber: { name: string | null }) => EmailDelivery;
  /** Called after each send with its latency (metrics); absent: nothing is timed. */
  observe?: (channel: 'email', seconds: number, outcome: 'ok' | 'failed') => void;
}

export interface SendOptions {
  concurrency: number;
  leaseMs: number;
  maxAttempts: number;
  /** Only this digest's rows. */
  digestId?: number;
  onProgress?: (p: SendProgress) => void;
  /** Stop claiming new rows (in-flight sends finish and are marked). */
  signal?: AbortSignal;
}

export interface SendProgress {
  sent: number;
  failed: number;
  retried: number;
  suppressed: number;
}

/** Backoff for transient failures: 1, 2, 4 … minutes, at most an hour, unless the server said. */
export function retryDelayMs(attempts: number, hint?: number): number {
  if (hint !== undefined && hint > 0) return Math.min(hint, 24 * 3_600_000);
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** Sends every due email row (of one digest, when given) and returns the tallies. */
export async function sendPending(deps: SendDeps, opts: SendOptions): Promise<SendProgress> {
  const progress: SendProgress = { sent: 0, failed: 0, retried: 0, suppressed: 0 };
  const marks = new MarkBuffer((ids) => markSent(deps.db, ids, deps.now()), { ms: 2, batch: Math.max(1, opts.concurrency >> 1) });
  const batchSize = Math.max(opts.concurrency * 8, 64);
  try {
    while (!opts.signal?.aborted) {
      const rows = await claimDeliveries(deps.db, deps.dialect, { channel: 'email', limit: batchSize, leaseMs: opts.leaseMs, now: deps.now(), digestId: opts.digestId });
      if (rows.length === 0) break;
      const sendable = await recheck(deps, rows, progress);
      const names = await subscriberNames(deps.db, sendable);
      let next = 0;
      const lane = async () => {
        while (next < sendable.length && !opts.signal?.aborted) {
          const row = sendable[next++]!;
          await sendOne(deps, opts, row, names.get(row.subscriber_id) ?? null, marks, progress);
          opts.onProgress?.({ ...progress });
        }
      };
      await Promise.all(Array.from({ length: Math.min(opts.concurrency, sendable.length) }, lane));
      // Stopped mid-batch: the rows not started go back now rather than when their lease ends.
      if (next < sendable.length) await releaseDeliveries(deps.db, sendable.slice(next).map((row) => row.id), deps.now());
    }
  } finally {
    await marks.flush();
  }
  return progress;
}

async function sendOne(deps: SendDeps, opts: SendOptions, row: DeliveryRow, name: string | null, marks: MarkBuffer, progress: SendProgress): Promise<void> {
  let started = 0;
  try {
    const content = await deps.contentFor(row.digest_id);
    if (deps.observe) started = performance.now();
    await deps.email.send(content, deps.deliveryFor(row, { name }));
    if (deps.observe) deps.observe('email', (performance.now() - started) / 1000, 'ok');
  } catch (err) {
    if (started && deps.observe) deps.observe('email', (performance.now() - started) / 1000, 'failed');
    await failed(deps, opts, row, err, progress);
    return;
  }
  // Resolves once the mark is committed: only then does this lane take the next row.
  await marks.add(row.id);
  progress.sent++;
}

async function failed(deps: SendDeps, opts: SendOptions, row: DeliveryRow, err: unknown, progress: SendProgress): Promise<void> {
  const e = err instanceof DeliveryError ? err : new DeliveryError(err instanceof Error ? err.message : String(err), { permanent: false, cause: err });
  const now = deps.now();
  const message = e.message.slice(0, 500);
  if (!e.permanent && row.attempts < opts.maxAttempts) {
    await markRetry(deps.db, row.id, message, new Date(now.getTime() + retryDelayMs(row.attempts, e.retryAfterMs)), now);
    progress.retried++;
    deps.log.warn({ delivery: row.id, attempts: row.attempts, err: message }, 'send failed; will retry');
    return;
  }
  await markFailed(deps.db, row.id, message, now);
  progress.failed++;
  deps.log.warn({ delivery: row.id, attempts: row.attempts, permanent: e.permanent, err: message }, 'send failed for good');
  if (e.suppress) {
    await suppress(deps.db, { address: row.address, channel: row.channel, reason: 'hard-bounce', detail: message }, now);
    await setChannelStatus(deps.db, row.subscriber_id, row.channel, 'bounced', now);
    await recordEvent(deps.db, { type: 'bounce-hard', subscriberId: row.subscriber_id, subscriptionId: row.subscription_id, address: row.address, detail: message, now });
  }
}

/** Rows whose subscription ended or whose address was suppressed since the ledger was written. */
export async function recheck(deps: Pick<SendDeps, 'db' | 'now'>, rows: DeliveryRow[], progress: SendProgress): Promise<DeliveryRow[]> {
  const active = new Set(
    (await deps.db.selectFrom('subscriptions').select('id').where('id', 'in', rows.map((r) => r.subscription_id)).where('status', '=', 'active').execute()).map((r) => r.id),
  );
  const suppressed = await suppressedAmong(deps.db, rows.map((r) => r.address));
  const gone = rows.filter((r) => !active.has(r.subscription_id) || suppressed.has(r.address));
  if (gone.length) {
    await markSuppressed(deps.db, gone.map((r) => r.id), 'unsubscribed or suppressed before sending', deps.now());
    progress.suppressed += gone.length;
  }
  return rows.filter((r) => !gone.includes(r));
}

async function subscriberNames(db: Kysely<Database>, rows: DeliveryRow[]): Promise<Map<number, string | null>> {
  const out = new Map<number, string | null>();
  const ids = [...new Set(rows.map((r) => r.subscriber_id))];
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await db.selectFrom('subscribers').select(['id', 'name']).where('id', 'in', ids.slice(i, i + 500)).execute()) out.set(r.id, r.name);
  }
  return out;
}
