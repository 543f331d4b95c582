// What /stats shows an admin: subscriptions by channel and status, how the latest digest of each
// newsletter went out, and the sources that are failing or paused.
import type { Kysely } from 'kysely';
import type { Database, DeliveryState, SourceRow } from './schema.js';

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
    out.push({ newsletterId: row.newsletterId, slug: row.slug, digestId, slotAt: digest.slot_at, states: Object.fromEntries(counts.map((c) => [c.state, Number(c.n)])) });
  }
  return out;
}

/** Paused sources and enabled ones whose last fetches failed, the worst first. */
export function failingSources(db: Kysely<Database>, limit = 20): Promise<SourceRow[]> {
  return db
    .selectFrom('sources')
    .selectAll()
    .where((eb) => eb.or([eb('enabled', '=', 0), eb('consecutive_failures', '>', 0)]))
    .orderBy('consecutive_failures', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}
