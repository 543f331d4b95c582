// Digests: one row per (newsletter, schedule slot). A slot is claimed by inserting its row; the
// replica whose insert succeeds builds it and finishes it as ready, skipped or failed. Once
// finished no function here changes it again: every update is guarded by status = 'building'.
import type { Kysely } from 'kysely';
import type { DigestModel } from '../digest/model.js';
import type { Database, DigestRow, DigestStatus } from './schema.js';

const MAX_REASON_CHARS = 1000;

/** What a finished digest stores; renderers produce the text parts, selection the ids. */
export interface CompletedDigest {
  /** The entries' article ids, in order. */
  articleIds: number[];
  model: DigestModel;
  subject: string;
  preheader: string;
  html: string;
  text: string;
  telegram: unknown[];
  windowStart: Date;
  windowEnd: Date;
}

export interface DigestItemInput {
  articleId: number;
  /** The entry the article belongs to (0-based); an entry's "also reported by" articles share it. */
  position: number;
  reasons: string[];
}

/** Thrown when finishing a digest that is no longer being built (finished digests are immutable). */
export class DigestNotBuildingError extends Error {
  override readonly name = 'DigestNotBuildingError';
  constructor(
    readonly digestId: number,
    readonly status: DigestStatus | 'missing',
  ) {
    super(status === 'missing' ? `Digest ${digestId} does not exist.` : `Digest ${digestId} is ${status}, not building: a finished digest cannot be changed.`);
  }
}

/**
 * Claims a slot: the id of the new 'building' digest, or null when another run (this replica or
 * another) already owns the slot. ON CONFLICT DO NOTHING makes the race a plain answer.
 */
export async function claimDigest(
  db: Kysely<Database>,
  newsletterId: number,
  slotAt: Date,
  now: Date,
  covers?: readonly Date[],
): Promise<{ id: number } | null> {
  const row = await db
    .insertInto('digests')
    .values({
      newsletter_id: newsletterId,
      slot_at: slotAt.toISOString(),
      status: 'building',
      created_at: now.toISOString(),
      ...(covers?.length ? { covers: JSON.stringify(covers.map((d) => d.toISOString())) } : {}),
    })
    .onConflict((oc) => oc.columns(['newsletter_id', 'slot_at']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ?? null;
}

function clip(reason: string): string {
  return reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS - 1)}…` : reason;
}

async function statusOf(db: Kysely<Database>, id: number): Promise<DigestStatus | 'missing'> {
  const row = await db.selectFrom('digests').select('status').where('id', '=', id).executeTakeFirst();
  return row?.status ?? 'missing';
}

/**
 * Stores the rendered digest and marks it ready. Call it in the same transaction as
 * recordDigestItems. Throws DigestNotBuildingError when the digest is not building.
 */
export async function completeDigest(db: Kysely<Database>, id: number, parts: CompletedDigest, now: Date): Promise<DigestRow> {
  const row = await db
    .updateTable('digests')
    .set({
      status: 'ready',
      reason: null,
      article_ids: JSON.stringify(parts.articleIds),
      // JSON.stringify writes the model's Dates as ISO strings; digestModel() revives them.
      model: JSON.stringify(parts.model),
      subject: parts.subject,
      preheader: parts.preheader,
      html: parts.html,
      text: parts.text,
      telegram: JSON.stringify(parts.telegram),
      window_start: parts.windowStart.toISOString(),
      window_end: parts.windowEnd.toISOString(),
      completed_at: now.toISOString(),
    })
    .where('id', '=', id)
    .where('status', '=', 'building')
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new DigestNotBuildingError(id, await statusOf(db, id));
  return row;
}

export interface DigestWindow {
  start: Date;
  end: Date;
}

/** Records why a slot produced no digest; undefined when the digest was not building. */
export function skipDigest(db: Kysely<Database>, id: number, reason: string, now: Date, window?: DigestWindow): Promise<DigestRow | undefined> {
  return finish(db, id, 'skipped', reason, now, window);
}

/** Records a failed build; undefined when the digest was not building (never overwrites a ready one). */
export function failDigest(db: Kysely<Database>, id: number, reason: string, now: Date): Promise<DigestRow | undefined> {
  return finish(db, id, 'failed', reason, now);
}

function finish(
  db: Kysely<Database>,
  id: number,
  status: 'skipped' | 'failed',
  reason: string,
  now: Date,
  window?: DigestWindow,
): Promise<DigestRow | undefined> {
  return db
    .updateTable('digests')
    .set({
      status,
      reason: clip(reason),
      completed_at: now.toISOString(),
      ...(window ? { window_start: window.start.toISOString(), window_end: window.end.toISOString() } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', 'building')
    .returningAll()
    .executeTakeFirst();
}

/**
 * Records the articles a digest shows. The digest must still be building (call this before
 * completeDigest, in its transaction). An article this newsletter already sent violates
 * UNIQUE(newsletter_id, article_id) and the statement fails: the database keeps the promise.
 */
export async function recordDigestItems(db: Kysely<Database>, digestId: number, items: readonly DigestItemInput[]): Promise<void> {
  const digest = await db.selectFrom('digests').select(['status', 'newsletter_id']).where('id', '=', digestId).executeTakeFirst();
  if (digest?.status !== 'building') throw new DigestNotBuildingError(digestId, digest?.status ?? 'missing');
  if (items.length === 0) return;
  // 5 values per row; max_items ≤ 200 plus their clusters stays far below any parameter limit,
  // but chunk anyway so a caller with a huge list cannot hit one.
  for (let i = 0; i < items.length; i += 1000) {
    await db
      .insertInto('digest_items')
      .values(
        items.slice(i, i + 1000).map((it) => ({
          digest_id: digestId,
          newsletter_id: digest.newsletter_id,
          article_id: it.articleId,
          position: it.position,
          reasons: JSON.stringify(it.reasons),
        })),
      )
      .execute();
  }
}

export function getDigest(db: Kysely<Database>, id: number): Promise<DigestRow | undefined> {
  return db.selectFrom('digests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Newest slot first. */
export function listDigests(db: Kysely<Database>, newsletterId: number, opts: { limit: number; status?: DigestStatus }): Promise<DigestRow[]> {
  return db
    .selectFrom('digests')
    .selectAll()
    .where('newsletter_id', '=', newsletterId)
    .$if(opts.status !== undefined, (q) => q.where('status', '=', opts.status!))
    .orderBy('slot_at', 'desc')
    .limit(opts.limit)
    .execute();
}

/** A digest row without its rendered parts (model, preheader, html, text, telegram). */
export type DigestSummary = Omit<DigestRow, 'model' | 'preheader' | 'html' | 'text' | 'telegram'>;

const SUMMARY = [
  'id',
  'newsletter_id',
  'slot_at',
  'status',
  'reason',
  'subject',
  'article_ids',
  'window_start',
  'window_end',
  'covers',
  'created_at',
  'completed_at',
] as const;

/** Newest slot first, of one newsletter or all, without the rendered parts. */
export function listDigestSummaries(db: Kysely<Database>, opts: { newsletterId?: number; status?: DigestStatus; limit: number }): Promise<DigestSummary[]> {
  return db
    .selectFrom('digests')
    .select(SUMMARY)
    .$if(opts.newsletterId !== undefined, (q) => q.where('newsletter_id', '=', opts.newsletterId!))
    .$if(opts.status !== undefined, (q) => q.where('status', '=', opts.status!))
    .orderBy('slot_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
}

export type DigestListing = Pick<DigestRow, 'id' | 'slot_at' | 'subject' | 'article_ids'>;

/**
 * One page of ready digests, newest first, without their rendered parts: a listing must not load
 * megabytes of HTML.
 */
export function listReadyDigestPage(db: Kysely<Database>, newsletterId: number, opts: { offset: number; limit: number }): Promise<DigestListing[]> {
  return db
    .selectFrom('digests')
    .select(['id', 'slot_at', 'subject', 'article_ids'])
    .where('newsletter_id', '=', newsletterId)
    .where('status', '=', 'ready')
    .orderBy('slot_at', 'desc')
    .orderBy('id', 'desc')
    .offset(opts.offset)
    .limit(opts.limit)
    .execute();
}

/** The newsletter's latest ready digest with a slot before `beforeSlot`. */
export function previousDigest(db: Kysely<Database>, newsletterId: number, beforeSlot: Date): Promise<DigestRow | undefined> {
  return db
    .selectFrom('digests')
    .selectAll()
    .where('newsletter_id', '=', newsletterId)
    .where('status', '=', 'ready')
    .where('slot_at', '<', beforeSlot.toISOString())
    .orderBy('slot_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The slot of the newsletter's earliest digest (any status) before `beforeSlot`. */
export async function firstDigestSlot(db: Kysely<Database>, newsletterId: number, beforeSlot: Date): Promise<Date | undefined> {
  const row = await db
    .selectFrom('digests')
    .select('slot_at')
    .where('newsletter_id', '=', newsletterId)
    .where('slot_at', '<', beforeSlot.toISOString())
    .orderBy('slot_at')
    .limit(1)
    .executeTakeFirst();
  return row ? new Date(row.slot_at) : undefined;
}

/** The stored model with its dates revived, or null for a digest that is not ready. */
export function digestModel(row: Pick<DigestRow, 'model'>): DigestModel | null {
  if (row.model === null) return null;
  const model = JSON.parse(row.model) as DigestModel;
  model.slotAt = new Date(model.slotAt);
  for (const section of model.sections) {
    for (const item of section.items) item.publishedAt = new Date(item.publishedAt);
  }
  return model;
}

/** The newsletter's latest slot with a digest of any status (built, skipped, failed or building). */
export async function latestSlot(db: Kysely<Database>, newsletterId: number): Promise<Date | undefined> {
  const row = await db.selectFrom('digests').select('slot_at').where('newsletter_id', '=', newsletterId).orderBy('slot_at', 'desc').limit(1).executeTakeFirst();
  return row ? new Date(row.slot_at) : undefined;
}

/** Digests of the newsletter still building (normally none, or the one being built right now). */
export function buildingDigests(db: Kysely<Database>, newsletterId: number): Promise<Pick<DigestRow, 'id' | 'slot_at' | 'created_at'>[]> {
  return db.selectFrom('digests').select(['id', 'slot_at', 'created_at']).where('newsletter_id', '=', newsletterId).where('status', '=', 'building').execute();
}
