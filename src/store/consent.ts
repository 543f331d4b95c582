// The store side of double opt-in beyond subscribers.ts: who may get a confirmation mail now,
// and lifting a suppression when someone explicitly asks to receive mail again.
import type { Kysely } from 'kysely';
import type { Database, SubscriberEventType, SuppressionReason } from './schema.js';

/**
 * Claims the right to mail a confirmation for these pending subscriptions: one conditional
 * update per cooldown, so concurrent requests (in any process) for the same subscription elect
 * exactly one sender. Returns the ids claimed.
 */
export async function claimConfirmSend(db: Kysely<Database>, subscriptionIds: readonly number[], now: Date, cooldownMs: number): Promise<number[]> {
  if (subscriptionIds.length === 0) return [];
  const cutoff = new Date(now.getTime() - cooldownMs).toISOString();
  const rows = await db
    .updateTable('subscriptions')
    .set({ confirm_sent_at: now.toISOString() })
    .where('id', 'in', subscriptionIds)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('confirm_sent_at', 'is', null), eb('confirm_sent_at', '<=', cutoff)]))
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/** Gives a claim back when the mail could not be handed over, so the next attempt may send. */
export async function releaseConfirmSend(db: Kysely<Database>, subscriptionIds: readonly number[], claimedAt: Date): Promise<void> {
  if (subscriptionIds.length === 0) return;
  await db
    .updateTable('subscriptions')
    .set({ confirm_sent_at: null })
    .where('id', 'in', subscriptionIds)
    .where('confirm_sent_at', '=', claimedAt.toISOString())
    .execute();
}

/** Removes the address's suppression if its reason is one of `reasons`; true when one was removed. */
export async function liftSuppression(db: Kysely<Database>, address: string, reasons: readonly SuppressionReason[]): Promise<boolean> {
  const res = await db.deleteFrom('suppressions').where('address', '=', address).where('reason', 'in', reasons).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function suppressionOf(db: Kysely<Database>, address: string): Promise<SuppressionReason | undefined> {
  const row = await db.selectFrom('suppressions').select('reason').where('address', '=', address).executeTakeFirst();
  return row?.reason;
}

/** Whether this exact event (address, type, time) is already in the log: a webhook delivered twice. */
export async function eventRecorded(db: Kysely<Database>, e: { address: string; type: SubscriberEventType; at: Date }): Promise<boolean> {
  const row = await db
    .selectFrom('subscriber_events')
    .select('id')
    .where('address', '=', e.address)
    .where('type', '=', e.type)
    .where('created_at', '=', e.at.toISOString())
    .executeTakeFirst();
  return row !== undefined;
}
