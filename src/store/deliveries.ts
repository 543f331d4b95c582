// The deliveries ledger: the queue and the per-recipient log (DESIGN.md). Rows are written with
// the digest, claimed in batches under a lease, and marked one by one as each send is confirmed;
// progress never advances per fetched batch, so a crash costs at most the sends in flight.
import { type Kysely, sql } from 'kysely';
import type { DialectName } from './db.js';
import type { Channel, Database, DeliveryRow, DeliveryState } from './schema.js';
import { storedKeywords } from './subscribers.js';

/** Deterministic per (digest, subscriber, channel): a resend after a crash reuses it. */
export function messageIdFor(digestId: number, subscriberId: number, channel: Channel, domain: string): string {
  return `<tidings.d${digestId}.s${subscriberId}.${channel}@${domain}>`;
}

export interface LedgerInput {
  digestId: number;
  newsletterId: number;
  /** Right-hand side of every Message-ID (the public host). */
  domain: string;
  now: Date;
  /** Subscriptions with keyword preferences get the digest only when this says it matches them. */
  matchesKeywords?: (keywords: string[]) => boolean;
}

/**
 * One pending row per active subscription of the newsletter whose address is not suppressed.
 * Run it in the transaction that makes the digest ready, so a digest never exists without its
 * ledger. Returns the number of rows written.
 */
export async function createDeliveries(trx: Kysely<Database>, input: LedgerInput): Promise<number> {
  const at = input.now.toISOString();
  const address = sql<string>`case s.channel when 'email' then p.email else p.telegram_chat_id end`;
  const base = trx
    .selectFrom('subscriptions as s')
    .innerJoin('subscribers as p', 'p.id', 's.subscriber_id')
    .where('s.newsletter_id', '=', input.newsletterId)
    .where('s.status', '=', 'active')
    .where(address, 'is not', null)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('suppressions as x').select('x.address').whereRef('x.address', '=', address))));
  const columns = ['digest_id', 'subscription_id', 'subscriber_id', 'channel', 'address', 'next_attempt_at', 'message_id', 'created_at', 'updated_at'] as const;
  const messageId = sql<string>`'<tidings.d' || ${String(input.digestId)} || '.s' || cast(s.subscriber_id as text) || '.' || s.channel || '@' || ${input.domain} || '>'`;
  // Without keyword preferences (nearly everyone): one INSERT … SELECT, however many subscribers.
  const everyone = await trx
    .insertInto('deliveries')
    .columns(columns)
    .expression(
      base
        .where('s.keywords', '=', '[]')
        .select([
          sql.lit(input.digestId).as('digest_id'),
          's.id',
          's.subscriber_id',
          's.channel',
          address.as('address'),
          sql.val(at).as('n'),
          messageId.as('m'),
          sql.val(at).as('c'),
          sql.val(at).as('u'),
        ]),
    )
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  let written = Number(everyone.numInsertedOrUpdatedRows ?? 0);
  const picky = await base
    .where('s.keywords', '!=', '[]')
    .select(['s.id', 's.subscriber_id', 's.channel', 's.keywords', address.as('address')])
    .execute();
  const wanted = picky.filter((r) => {
    const keywords = storedKeywords(r.keywords);
    return keywords.length === 0 || (input.matchesKeywords?.(keywords) ?? true);
  });
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = wanted.slice(i, i + 500).map((r) => ({
      digest_id: input.digestId,
      subscription_id: r.id,
      subscriber_id: r.subscriber_id,
      channel: r.channel,
      address: r.address,
      next_attempt_at: at,
      message_id: messageIdFor(input.digestId, r.subscriber_id, r.channel, input.domain),
      created_at: at,
      updated_at: at,
    }));
    const res = await trx
      .insertInto('deliveries')
      .values(rows)
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    written += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return written;
}

export interface ClaimOptions {
  channel: Channel;
  limit: number;
  leaseMs: number;
  now: Date;
  /** Only this digest's rows (`tidings send`); otherwise any due row. */
  digestId?: number;
}

/**
 * Takes up to `limit` due rows — pending ones whose time has come and `sending` ones whose lease
 * ran out (their worker died) — and leases them to the caller, oldest first.
 */
export async function claimDeliveries(db: Kysely<Database>, dialect: DialectName, opts: ClaimOptions): Promise<DeliveryRow[]> {
  // Expired leases first (a dead worker's rows, few), then due pending rows. Each select walks
  // the (channel, state, next_attempt_at) index in order and stops at the limit: one OR'ed query
  // ordered by id made every claim sort the whole backlog, quadratic over a 100k-row digest.
  const reclaimed = await claimWhere(db, dialect, opts, opts.limit, (q) => q.where('state', '=', 'sending').where('lease_until', '<', opts.now.toISOString()));
  const rest = opts.limit - reclaimed.length;
  const fresh =
    rest > 0
      ? await claimWhere(db, dialect, opts, rest, (q) =>
          q.where('state', '=', 'pending').where('next_attempt_at', '<=', opts.now.toISOString()).orderBy('next_attempt_at'),
        )
      : [];
  return [...reclaimed, ...fresh].sort((a, b) => a.id - b.id);
}

type DueQuery = ReturnType<typeof dueBase>;
const dueBase = (db: Kysely<Database>, opts: ClaimOptions) =>
  db
    .selectFrom('deliveries')
    .select('id')
    .where('channel', '=', opts.channel)
    .$if(opts.digestId !== undefined, (q) => q.where('digest_id', '=', opts.digestId!));

async function claimWhere(
  db: Kysely<Database>,
  dialect: DialectName,
  opts: ClaimOptions,
  limit: number,
  where: (q: DueQuery) => DueQuery,
): Promise<DeliveryRow[]> {
  const now = opts.now.toISOString();
  const until = new Date(opts.now.getTime() + opts.leaseMs).toISOString();
  // SKIP LOCKED lets many PostgreSQL workers claim at once without waiting on or taking each
  // other's rows; SQLite has one writer at a time, so the statement is already exclusive there.
  const due = where(dueBase(db, opts))
    .limit(limit)
    .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked());
  return db
    .updateTable('deliveries')
    .set((eb) => ({ state: 'sending', lease_until: until, attempts: eb('attempts', '+', 1), updated_at: now }))
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

async function mark(
  db: Kysely<Database>,
  ids: readonly number[],
  set: { state: DeliveryState; last_error?: string | null; sent_at?: string; next_attempt_at?: string },
  now: Date,
): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const res = await db
      .updateTable('deliveries')
      .set({ ...set, lease_until: null, updated_at: now.toISOString() })
      .where('id', 'in', ids.slice(i, i + 500))
      .where('state', '=', 'sending')
      .executeTakeFirst();
    n += Number(res.numUpdatedRows);
  }
  return n;
}

export const markSent = (db: Kysely<Database>, ids: readonly number[], now: Date) =>
  mark(db, ids, { state: 'sent', sent_at: now.toISOString(), last_error: null }, now);
export const markFailed = (db: Kysely<Database>, id: number, error: string, now: Date) => mark(db, [id], { state: 'failed', last_error: error }, now);
export const markSuppressed = (db: Kysely<Database>, ids: readonly number[], reason: string, now: Date) =>
  mark(db, ids, { state: 'suppressed', last_error: reason }, now);
/** Back to pending until `at` (a transient failure); the attempt stays counted. */
export const markRetry = (db: Kysely<Database>, id: number, error: string, at: Date, now: Date) =>
  mark(db, [id], { state: 'pending', last_error: error, next_attempt_at: at.toISOString() }, now);

/**
 * Hands claimed rows that were never attempted back to the ledger (a stopping worker): pending
 * and due now, the claim's attempt not counted, so another worker takes them at once instead of
 * waiting for the lease to run out.
 */
export async function releaseDeliveries(db: Kysely<Database>, ids: readonly number[], now: Date): Promise<number> {
  let n = 0;
  const at = now.toISOString();
  for (let i = 0; i < ids.length; i += 500) {
    const res = await db
      .updateTable('deliveries')
      .set((eb) => ({ state: 'pending', lease_until: null, next_attempt_at: at, attempts: eb('attempts', '-', 1), updated_at: at }))
      .where('id', 'in', ids.slice(i, i + 500))
      .where('state', '=', 'sending')
      .executeTakeFirst();
    n += Number(res.numUpdatedRows);
  }
  return n;
}

export type DeliveryCounts = Record<DeliveryState, number>;

export async function deliveryCounts(db: Kysely<Database>, filter: { digestId?: number; channel?: Channel } = {}): Promise<DeliveryCounts> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .$if(filter.digestId !== undefined, (q) => q.where('digest_id', '=', filter.digestId!))
    .$if(filter.channel !== undefined, (q) => q.where('channel', '=', filter.channel!))
    .groupBy('state')
    .execute();
  const counts: DeliveryCounts = { pending: 0, sending: 0, sent: 0, failed: 0, suppressed: 0 };
  for (const r of rows) counts[r.state] = Number(r.n);
  return counts;
}

/** The ids among `subscriptionIds` still active (the send loop's re-check at send time). */
export async function activeSubscriptionIds(db: Kysely<Database>, subscriptionIds: readonly number[]): Promise<Set<number>> {
  if (subscriptionIds.length === 0) return new Set();
  const rows = await db.selectFrom('subscriptions').select('id').where('id', 'in', subscriptionIds).where('status', '=', 'active').execute();
  return new Set(rows.map((r) => r.id));
}

/** Subscribers' names by id, for personal greetings (500 ids per query). */
export async function subscriberNames(db: Kysely<Database>, subscriberIds: readonly number[]): Promise<Map<number, string | null>> {
  const out = new Map<number, string | null>();
  const ids = [...new Set(subscriberIds)];
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await db
      .selectFrom('subscribers')
      .select(['id', 'name'])
      .where('id', 'in', ids.slice(i, i + 500))
      .execute())
      out.set(r.id, r.name);
  }
  return out;
}

/** A Telegram delivery's first `n` parts arrived: a restart resumes after them. */
export async function recordPartsSent(db: Kysely<Database>, id: number, n: number, now: Date): Promise<void> {
  await db.updateTable('deliveries').set({ parts_sent: n, updated_at: now.toISOString() }).where('id', '=', id).where('state', '=', 'sending').execute();
}

/** What a digest's mails share, with its newsletter's slug and name (for List-Id). */
export function digestForMail(db: Kysely<Database>, digestId: number) {
  return db
    .selectFrom('digests as d')
    .innerJoin('newsletters as n', 'n.id', 'd.newsletter_id')
    .select(['d.status', 'd.subject', 'd.preheader', 'd.html', 'd.text', 'n.slug', 'n.name'])
    .where('d.id', '=', digestId)
    .executeTakeFirst();
}

/** A digest's status and its Telegram messages (JSON), for the Telegram send loop. */
export function digestForTelegram(db: Kysely<Database>, digestId: number) {
  return db.selectFrom('digests').select(['status', 'telegram']).where('id', '=', digestId).executeTakeFirst();
}
