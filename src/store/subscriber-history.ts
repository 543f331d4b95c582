// One subscriber's page, as the admin front-ends show it: their subscriptions with each
// newsletter's slug, and their latest deliveries with the digest they carried.
import type { Kysely } from 'kysely';
import type { Database, DeliveryRow, SubscriptionRow } from './schema.js';

export type SubscriptionWithSlug = SubscriptionRow & { newsletter_slug: string };

export interface DeliveryHistoryRow extends DeliveryRow {
  subject: string | null;
  slot_at: string;
  newsletter_slug: string;
}

export function subscriptionsWithSlug(db: Kysely<Database>, subscriberId: number): Promise<SubscriptionWithSlug[]> {
  return db
    .selectFrom('subscriptions')
    .innerJoin('newsletters', 'newsletters.id', 'subscriptions.newsletter_id')
    .selectAll('subscriptions')
    .select('newsletters.slug as newsletter_slug')
    .where('subscriber_id', '=', subscriberId)
    .orderBy('subscriptions.id')
    .execute();
}

/** Newest first. */
export function deliveryHistory(db: Kysely<Database>, subscriberId: number, limit: number): Promise<DeliveryHistoryRow[]> {
  return db
    .selectFrom('deliveries')
    .innerJoin('digests', 'digests.id', 'deliveries.digest_id')
    .innerJoin('newsletters', 'newsletters.id', 'digests.newsletter_id')
    .selectAll('deliveries')
    .select(['digests.subject', 'digests.slot_at', 'newsletters.slug as newsletter_slug'])
    .where('deliveries.subscriber_id', '=', subscriberId)
    .orderBy('deliveries.id', 'desc')
    .limit(limit)
    .execute();
}
