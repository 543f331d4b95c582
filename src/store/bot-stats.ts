// What the admin numbers are made of (the bot's /stats, the dashboard, GET /api/v1/stats):
// subscriptions by channel and status, how the latest digests went out, and the sources that are
// failing or paused.
import type { Kysely } from 'kysely';
import type { Database, DeliveryState, DigestStatus, SourceRow } from './schema.js';

export interface SubscriptionCount {
  channel: string;
  status: string;
  count: number;
}

export async function subscriptionCounts(db: Kysely<Database>): Promise<SubscriptionCount[]> {
  const rows = await db
    .selectFrom('subscriptions')
    .select(['channel', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['channel', 'status'])
    .orderBy('channel')
    .orderBy('status')
    .execute();
  return rows.map((r) => ({ channel: r.channel, status: r.status, count: Number(r.n) }));
}

export interface LastDigestDeliveries {
  newsletterId: number;
  slug: string;
  digestId: number;
  slotAt: string;
  states: Partial<Record<DeliveryState, number>>;
}

/** Per newsletter with a ready digest: its latest one and its deliveries counted by state. */
export async function lastDigestDeliveries(db: Kysely<Database>): Promise<LastDigestDeliveries[]> {
  const latest = await db
    .selectFrom('digests as d')
    .innerJoin('newsletters as n', 'n.id', 'd.newsletter_id')
    .select(['n.id as newsletterId', 'n.slug', (eb) => eb.fn.max('d.id').as('digestId')])
    .where('d.status', '=', 'ready')
    .groupBy(['n.id', 'n.slug'])
    .orderBy('n.id')
    .execute();
  const out: LastDigestDeliveries[] = [];
  for (const row of latest) {
    const digestId = Number(row.digestId);
    const digest = await db.selectFrom('digests').select('slot_at').where('id', '=', digestId).executeTakeFirstOrThrow();
    const counts = await db
      .selectFrom('deliveries')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('digest_id', '=', digestId)
      .groupBy('state')
      .execute();
    out.push({
      newsletterId: row.newsletterId,
      slug: row.slug,
      digestId,
      slotAt: digest.slot_at,
      states: Object.fromEntries(counts.map((c) => [c.state, Number(c.n)])),
    });
  }
  return out;
}

export interface RecentDigest {
  id: number;
  slot_at: string;
  status: DigestStatus;
  reason: string | null;
  subject: string | null;
  name: string;
  slug: string;
}

/** The latest digests of every newsletter, newest first. */
export function recentDigests(db: Kysely<Database>, limit: number): Promise<RecentDigest[]> {
  return db
    .selectFrom('digests')
    .innerJoin('newsletters', 'newsletters.id', 'digests.newsletter_id')
    .select(['digests.id', 'digests.slot_at', 'digests.status', 'digests.reason', 'digests.subject', 'newsletters.name', 'newsletters.slug'])
    .orderBy('digests.id', 'desc')
    .limit(limit)
    .execute();
}

/** Paused sources and enabled ones whose last fetches failed, the worst first. */
export function failingSources(db: Kysely<Database>, limit: number): Promise<SourceRow[]> {
  return db
    .selectFrom('sources')
    .selectAll()
    .where((eb) => eb.or([eb('enabled', '=', 0), eb('consecutive_failures', '>', 0)]))
    .orderBy('consecutive_failures', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}
