// Writing an imported batch of subscribers in one transaction, a few set-based statements per
// batch rather than four round trips per row: 100,000 rows stay minutes-free on SQLite and pg.
// Same records as subscribe() writes one at a time: the consent record on the subscription and
// a 'subscribe' event. An import never re-subscribes someone who left or whose address failed.
import type { Kysely } from 'kysely';
import type { Database, NewsletterLanguage, SubscriptionStatus } from './schema.js';

export interface ImportCandidate {
  /** Canonical (subscribers/address.ts). Unique within a batch. */
  email: string;
  name: string | null;
  language: NewsletterLanguage;
  keywords: string[];
}

export interface ImportBatchOptions {
  newsletterId: number;
  status: 'active' | 'pending';
  consent: { source: string; version: string | null };
  /** Decide every row, write nothing. */
  dryRun?: boolean;
}

export type ImportOutcome = { kind: 'imported' } | { kind: 'already'; status: SubscriptionStatus } | { kind: 'rejected'; reason: string };

const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const WHY_NOT: Record<Exclude<SubscriptionStatus, 'pending' | 'active'>, string> = {
  unsubscribed: 'unsubscribed earlier; an import does not subscribe them again',
  bounced: 'this address bounced; an import does not subscribe it again',
  blocked: 'this subscription is blocked',
};

/** The outcome of each candidate, in order. Writes in one transaction unless `dryRun`. */
export async function importBatch(db: Kysely<Database>, rows: readonly ImportCandidate[], opts: ImportBatchOptions, now: Date): Promise<ImportOutcome[]> {
  if (rows.length === 0) return [];
  return opts.dryRun ? decide(db, rows, opts, now, false) : db.transaction().execute((trx) => decide(trx, rows, opts, now, true));
}

async function decide(db: Kysely<Database>, rows: readonly ImportCandidate[], opts: ImportBatchOptions, now: Date, write: boolean): Promise<ImportOutcome[]> {
  const at = now.toISOString();
  const emails = rows.map((r) => r.email);
  const suppressed = new Map<string, string>();
  const existing: { id: number; email: string | null; name: string | null }[] = [];
  for (const part of chunks(emails)) {
    for (const s of await db.selectFrom('suppressions').select(['address', 'reason']).where('address', 'in', part).execute())
      suppressed.set(s.address, s.reason);
    existing.push(...(await db.selectFrom('subscribers').select(['id', 'email', 'name']).where('email', 'in', part).execute()));
  }
  const ids = new Map<string, number>();
  for (const s of existing) ids.set(s.email!, s.id);
  const statusOf = new Map<number, SubscriptionStatus>();
  for (const part of chunks(existing.map((s) => s.id))) {
    const subs = await db
      .selectFrom('subscriptions')
      .select(['subscriber_id', 'status'])
      .where('newsletter_id', '=', opts.newsletterId)
      .where('channel', '=', 'email')
      .where('subscriber_id', 'in', part)
      .execute();
    for (const s of subs) statusOf.set(s.subscriber_id, s.status);
  }

  const outcomes: ImportOutcome[] = rows.map((r) => {
    const reason = suppressed.get(r.email);
    if (reason) return { kind: 'rejected', reason: `suppressed address (${reason})` };
    const id = ids.get(r.email);
    const status = id === undefined ? undefined : statusOf.get(id);
    if (status === 'active' || status === 'pending') return { kind: 'already', status };
    if (status) return { kind: 'rejected', reason: WHY_NOT[status] };
    return { kind: 'imported' };
  });
  if (!write) return outcomes;

  const toAdd = rows.filter((_r, i) => outcomes[i]!.kind === 'imported');
  const fresh = toAdd.filter((r) => !ids.has(r.email));
  for (const part of chunks(fresh)) {
    const inserted = await db
      .insertInto('subscribers')
      .values(part.map((r) => ({ email: r.email, name: r.name, language: r.language, created_at: at, updated_at: at })))
      .onConflict((oc) => oc.doNothing())
      .returning(['id', 'email'])
      .execute();
    for (const s of inserted) ids.set(s.email!, s.id);
    // Another writer added some of these addresses meanwhile: theirs are the rows.
    const missing = part.filter((r) => !ids.has(r.email)).map((r) => r.email);
    if (missing.length)
      for (const s of await db.selectFrom('subscribers').select(['id', 'email']).where('email', 'in', missing).execute()) ids.set(s.email!, s.id);
  }
  // Names fill gaps only, as upsertSubscriber does: the subscriber's own edits win.
  const adding = new Map(toAdd.map((r) => [r.email, r]));
  for (const s of existing) {
    const r = adding.get(s.email!);
    if (r?.name && !s.name) await db.updateTable('subscribers').set({ name: r.name, updated_at: at }).where('id', '=', s.id).execute();
  }

  const consent = {
    consent_source: opts.consent.source,
    consent_version: opts.consent.version,
    subscribed_at: at,
    confirmed_at: opts.status === 'active' ? at : null,
  };
  const created = new Map<number, number>();
  for (const part of chunks(toAdd)) {
    const subs = await db
      .insertInto('subscriptions')
      .values(
        part.map((r) => ({
          subscriber_id: ids.get(r.email)!,
          newsletter_id: opts.newsletterId,
          channel: 'email' as const,
          status: opts.status,
          keywords: JSON.stringify(r.keywords),
          ...consent,
          created_at: at,
          updated_at: at,
        })),
      )
      .onConflict((oc) => oc.columns(['subscriber_id', 'newsletter_id', 'channel']).doNothing())
      .returning(['id', 'subscriber_id'])
      .execute();
    for (const s of subs) created.set(s.subscriber_id, s.id);
    if (subs.length === 0) continue;
    const detail = JSON.stringify({ source: opts.consent.source, version: opts.consent.version, status: opts.status });
    await db
      .insertInto('subscriber_events')
      .values(subs.map((s) => ({ type: 'subscribe' as const, subscriber_id: s.subscriber_id, subscription_id: s.id, detail, created_at: at })))
      .execute();
  }
  // A subscription that appeared between our read and our insert: someone else subscribed them.
  return outcomes.map((o, i) => (o.kind === 'imported' && !created.has(ids.get(rows[i]!.email)!) ? { kind: 'already', status: opts.status } : o));
}
