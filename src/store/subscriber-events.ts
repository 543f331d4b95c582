// The event log (consent, unsubscribes, bounces) and the address suppression list.
import type { Kysely } from 'kysely';
import type { Channel, Database, SubscriberEventRow, SubscriberEventType, SuppressionReason } from './schema.js';

export interface EventInput {
  type: SubscriberEventType;
  subscriberId?: number | null;
  subscriptionId?: number | null;
  address?: string | null;
  detail?: string | null;
  ip?: string | null;
  now: Date;
}

export async function recordEvent(db: Kysely<Database>, e: EventInput): Promise<void> {
  await db
    .insertInto('subscriber_events')
    .values({
      type: e.type,
      subscriber_id: e.subscriberId ?? null,
      subscription_id: e.subscriptionId ?? null,
      address: e.address ?? null,
      detail: e.detail ?? null,
      ip: e.ip ?? null,
      created_at: e.now.toISOString(),
    })
    .execute();
}

export function listEvents(
  db: Kysely<Database>,
  filter: { subscriberId?: number; subscriptionId?: number; address?: string; type?: SubscriberEventType },
): Promise<SubscriberEventRow[]> {
  return db
    .selectFrom('subscriber_events')
    .selectAll()
    .$if(filter.subscriberId !== undefined, (q) => q.where('subscriber_id', '=', filter.subscriberId!))
    .$if(filter.subscriptionId !== undefined, (q) => q.where('subscription_id', '=', filter.subscriptionId!))
    .$if(filter.address !== undefined, (q) => q.where('address', '=', filter.address!))
    .$if(filter.type !== undefined, (q) => q.where('type', '=', filter.type!))
    .orderBy('id')
    .execute();
}

/** How many events of a type an address (or IP) had since a time: bounce thresholds, rate limits. */
export async function countEvents(db: Kysely<Database>, filter: { type: SubscriberEventType; since: Date; address?: string; ip?: string }): Promise<number> {
  const row = await db
    .selectFrom('subscriber_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('type', '=', filter.type)
    .where('created_at', '>=', filter.since.toISOString())
    .$if(filter.address !== undefined, (q) => q.where('address', '=', filter.address!))
    .$if(filter.ip !== undefined, (q) => q.where('ip', '=', filter.ip!))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Adds an address to the suppression list; false when it was already there (first reason kept). */
export async function suppress(
  db: Kysely<Database>,
  s: { address: string; channel: Channel; reason: SuppressionReason; detail?: string | null },
  now: Date,
): Promise<boolean> {
  const row = await db
    .insertInto('suppressions')
    .values({ address: s.address, channel: s.channel, reason: s.reason, detail: s.detail ?? null, created_at: now.toISOString() })
    .onConflict((oc) => oc.column('address').doNothing())
    .returning('address')
    .executeTakeFirst();
  return row !== undefined;
}

export async function unsuppress(db: Kysely<Database>, address: string): Promise<boolean> {
  const res = await db.deleteFrom('suppressions').where('address', '=', address).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Which of these addresses are suppressed. */
export async function suppressedAmong(db: Kysely<Database>, addresses: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < addresses.length; i += 500) {
    const rows = await db
      .selectFrom('suppressions')
      .select('address')
      .where('address', 'in', addresses.slice(i, i + 500))
      .execute();
    for (const r of rows) out.add(r.address);
  }
  return out;
}
