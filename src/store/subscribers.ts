// Subscribers and their subscriptions. State changes (subscribe, confirm, unsubscribe) are
// conditional updates, so a repeated click or two replicas racing record one change and one
// event, never two. Plain functions, db first, the clock passed in.
import type { Kysely } from 'kysely';
import { recordEvent } from './subscriber-events.js';
import type { Channel, Database, NewsletterLanguage, SubscriberRow, SubscriptionRow, SubscriptionStatus } from './schema.js';

export interface SubscriberInput {
  /** Already canonical (see subscribers/address.ts). */
  email?: string | null;
  telegramChatId?: string | null;
  name?: string | null;
  language?: NewsletterLanguage;
}

/** The subscriber with this email (or chat id), created when new; name/language fill gaps only. */
export async function upsertSubscriber(db: Kysely<Database>, input: SubscriberInput, now: Date): Promise<SubscriberRow> {
  const at = now.toISOString();
  const find = () =>
    input.email
      ? db.selectFrom('subscribers').selectAll().where('email', '=', input.email).executeTakeFirst()
      : db
          .selectFrom('subscribers')
          .selectAll()
          .where('telegram_chat_id', '=', input.telegramChatId ?? '')
          .executeTakeFirst();
  if (!input.email && !input.telegramChatId) throw new Error('a subscriber needs an email address or a Telegram chat');
  const existing = await find();
  if (existing) {
    if (existing.name || !input.name) return existing;
    await db.updateTable('subscribers').set({ name: input.name, updated_at: at }).where('id', '=', existing.id).execute();
    return { ...existing, name: input.name, updated_at: at };
  }
  const row = await db
    .insertInto('subscribers')
    .values({
      email: input.email ?? null,
      telegram_chat_id: input.telegramChatId ?? null,
      name: input.name ?? null,
      language: input.language ?? 'en',
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  // Lost a race with another request for the same address: theirs is the row.
  return row ?? (await find())!;
}

export function getSubscriber(db: Kysely<Database>, id: number): Promise<SubscriberRow | undefined> {
  return db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findSubscriberByEmail(db: Kysely<Database>, email: string): Promise<SubscriberRow | undefined> {
  return db.selectFrom('subscribers').selectAll().where('email', '=', email).executeTakeFirst();
}

export function getSubscription(db: Kysely<Database>, id: number): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listSubscriptionsOf(db: Kysely<Database>, subscriberId: number): Promise<SubscriptionRow[]> {
  return db.selectFrom('subscriptions').selectAll().where('subscriber_id', '=', subscriberId).orderBy('id').execute();
}

export interface SubscribeInput {
  subscriberId: number;
  newsletterId: number;
  channel: Channel;
  /** 'pending' until confirmed (double opt-in); 'active' for imports with prior consent. */
  status: 'pending' | 'active';
  consent: { source: string; version?: string | null; ip?: string | null };
  keywords?: string[];
}

export type SubscribeOutcome = 'created' | 'resubscribed' | 'unchanged';

/**
 * Subscribes, or re-subscribes someone who had left (back to `status`). An active subscription
 * stays active; a bounced or blocked one is left alone (their address does not work).
 */
export async function subscribe(db: Kysely<Database>, input: SubscribeInput, now: Date): Promise<{ subscription: SubscriptionRow; outcome: SubscribeOutcome }> {
  const at = now.toISOString();
  const consent = {
    consent_source: input.consent.source,
    consent_version: input.consent.version ?? null,
    subscribe_ip: input.consent.ip ?? null,
    subscribed_at: at,
  };
  const inserted = await db
    .insertInto('subscriptions')
    .values({
      subscriber_id: input.subscriberId,
      newsletter_id: input.newsletterId,
      channel: input.channel,
      status: input.status,
      keywords: JSON.stringify(input.keywords ?? []),
      ...consent,
      confirmed_at: input.status === 'active' ? at : null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.columns(['subscriber_id', 'newsletter_id', 'channel']).doNothing())
    .returningAll()
    .executeTakeFirst();
  let outcome: SubscribeOutcome = 'created';
  let subscription = inserted;
  if (!subscription) {
    const again = await db
      .updateTable('subscriptions')
      .set({ status: input.status, ...consent, confirmed_at: input.status === 'active' ? at : null, unsubscribed_at: null, updated_at: at })
      .where('subscriber_id', '=', input.subscriberId)
      .where('newsletter_id', '=', input.newsletterId)
      .where('channel', '=', input.channel)
      .where('status', '=', 'unsubscribed')
      .returningAll()
      .executeTakeFirst();
    outcome = again ? 'resubscribed' : 'unchanged';
    subscription =
      again ??
      (await db
        .selectFrom('subscriptions')
        .selectAll()
        .where('subscriber_id', '=', input.subscriberId)
        .where('newsletter_id', '=', input.newsletterId)
        .where('channel', '=', input.channel)
        .executeTakeFirstOrThrow());
  }
  if (outcome !== 'unchanged') {
    await recordEvent(db, {
      type: outcome === 'created' ? 'subscribe' : 'resubscribe',
      subscriberId: input.subscriberId,
      subscriptionId: subscription.id,
      ip: input.consent.ip ?? null,
      detail: JSON.stringify({ source: input.consent.source, version: input.consent.version ?? null, status: input.status }),
      now,
    });
  }
  return { subscription, outcome };
}

/** pending → active. 'already' when it was active; 'gone' when there is no pending subscription. */
export async function confirmSubscription(
  db: Kysely<Database>,
  id: number,
  opts: { ip?: string | null },
  now: Date,
): Promise<'confirmed' | 'already' | 'gone'> {
  const at = now.toISOString();
  const row = await db
    .updateTable('subscriptions')
    .set({ status: 'active', confirmed_at: at, confirm_ip: opts.ip ?? null, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returning(['id', 'subscriber_id'])
    .executeTakeFirst();
  if (row) {
    await recordEvent(db, { type: 'confirm', subscriberId: row.subscriber_id, subscriptionId: id, ip: opts.ip ?? null, now });
    return 'confirmed';
  }
  const current = await getSubscription(db, id);
  return current?.status === 'active' ? 'already' : 'gone';
}

/**
 * Ends a subscription (from pending or active) and suppresses its deliveries not yet sent, so a
 * digest already in the ledger sends them nothing. 'already' when it had ended before.
 */
export async function unsubscribe(
  db: Kysely<Database>,
  id: number,
  opts: { ip?: string | null; source: string },
  now: Date,
): Promise<'unsubscribed' | 'already' | 'gone'> {
  const at = now.toISOString();
  const done = await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('subscriptions')
      .set({ status: 'unsubscribed', unsubscribed_at: at, updated_at: at })
      .where('id', '=', id)
      .where('status', 'in', ['pending', 'active'])
      .returning(['id', 'subscriber_id'])
      .executeTakeFirst();
    if (!row) return false;
    await trx
      .updateTable('deliveries')
      .set({ state: 'suppressed', last_error: 'unsubscribed', lease_until: null, updated_at: at })
      .where('subscription_id', '=', id)
      .where('state', '=', 'pending')
      .execute();
    await recordEvent(trx, { type: 'unsubscribe', subscriberId: row.subscriber_id, subscriptionId: id, ip: opts.ip ?? null, detail: opts.source, now });
    return true;
  });
  if (done) return 'unsubscribed';
  return (await getSubscription(db, id)) ? 'already' : 'gone';
}

/** Sets the status of every subscription of an address's owner on a channel (bounces, blocks). */
export async function setChannelStatus(db: Kysely<Database>, subscriberId: number, channel: Channel, status: SubscriptionStatus, now: Date): Promise<number> {
  const res = await db
    .updateTable('subscriptions')
    .set({ status, updated_at: now.toISOString() })
    .where('subscriber_id', '=', subscriberId)
    .where('channel', '=', channel)
    .where('status', 'in', ['pending', 'active'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function setKeywords(db: Kysely<Database>, subscriptionId: number, keywords: string[], now: Date): Promise<void> {
  await db
    .updateTable('subscriptions')
    .set({ keywords: JSON.stringify(keywords), updated_at: now.toISOString() })
    .where('id', '=', subscriptionId)
    .execute();
}

export async function markConfirmSent(db: Kysely<Database>, subscriptionId: number, now: Date): Promise<void> {
  await db.updateTable('subscriptions').set({ confirm_sent_at: now.toISOString() }).where('id', '=', subscriptionId).execute();
}

/** Deletes a subscriber and their subscriptions; the event log keeps that it happened. */
export async function removeSubscriber(db: Kysely<Database>, id: number, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.deleteFrom('subscribers').where('id', '=', id).returning(['id', 'email']).executeTakeFirst();
    if (!row) return false;
    await recordEvent(trx, { type: 'deleted', subscriberId: id, address: row.email, now });
    return true;
  });
}

/** A subscription's keywords column as a list; anything unreadable counts as no keywords. */
export function storedKeywords(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string' && k.trim() !== '') : [];
  } catch {
    return [];
  }
}
