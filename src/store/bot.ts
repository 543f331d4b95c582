// The Telegram bot's store: which updates were handled, the admin audit log, and the subscriber
// changes only the bot makes (language, linking a chat to an email subscriber).
import type { Kysely } from 'kysely';
import { recordEvent } from './subscriber-events.js';
import type { AuditLogRow, Database, NewsletterLanguage, SubscriberRow } from './schema.js';

/**
 * Takes an update on: true for the first caller, false for every later one (a webhook retry, a
 * second replica, a restart that polls the same update again). At most once, by design: an
 * update whose handler fails is not handled again.
 */
export async function claimUpdate(db: Kysely<Database>, updateId: number, now: Date): Promise<boolean> {
  const row = await db
    .insertInto('bot_updates')
    .values({ update_id: updateId, received_at: now.toISOString() })
    .onConflict((oc) => oc.column('update_id').doNothing())
    .returning('update_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Forgets updates older than `before` (Telegram stops redelivering after a day). */
export async function pruneUpdates(db: Kysely<Database>, before: Date): Promise<number> {
  const res = await db.deleteFrom('bot_updates').where('received_at', '<', before.toISOString()).executeTakeFirst();
  return Number(res.numDeletedRows);
}

export interface AuditInput {
  actor: string;
  action: string;
  detail?: string | null;
  ok: boolean;
}

const MAX_DETAIL = 2000;

export async function audit(db: Kysely<Database>, entry: AuditInput, now: Date): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      action: entry.action,
      detail: entry.detail?.slice(0, MAX_DETAIL) ?? null,
      ok: entry.ok ? 1 : 0,
      created_at: now.toISOString(),
    })
    .execute();
}

/** Newest first. */
export function listAudit(db: Kysely<Database>, opts: { limit: number; actor?: string }): Promise<AuditLogRow[]> {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .$if(opts.actor !== undefined, (q) => q.where('actor', '=', opts.actor!))
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
}

export function findSubscriberByChat(db: Kysely<Database>, chatId: string): Promise<SubscriberRow | undefined> {
  return db.selectFrom('subscribers').selectAll().where('telegram_chat_id', '=', chatId).executeTakeFirst();
}

export async function setSubscriberLanguage(db: Kysely<Database>, subscriberId: number, language: NewsletterLanguage, now: Date): Promise<void> {
  await db.updateTable('subscribers').set({ language, updated_at: now.toISOString() }).where('id', '=', subscriberId).execute();
}

export type LinkOutcome = 'linked' | 'already' | 'taken' | 'missing';

/**
 * Connects a Telegram chat to an email subscriber. A Telegram-only subscriber of that chat is
 * merged in (its subscriptions move over unless the email subscriber has the same one); a chat
 * that already belongs to another email address is 'taken' (it must be unlinked there first).
 */
export async function linkTelegramChat(db: Kysely<Database>, subscriberId: number, chatId: string, now: Date): Promise<LinkOutcome> {
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const target = await trx.selectFrom('subscribers').selectAll().where('id', '=', subscriberId).executeTakeFirst();
    if (!target?.email) return 'missing';
    if (target.telegram_chat_id === chatId) return 'already';
    const holder = await trx.selectFrom('subscribers').selectAll().where('telegram_chat_id', '=', chatId).executeTakeFirst();
    if (holder?.email) return 'taken';
    if (holder) {
      const mine = await trx.selectFrom('subscriptions').select(['newsletter_id', 'channel']).where('subscriber_id', '=', target.id).execute();
      const has = new Set(mine.map((s) => `${s.newsletter_id}/${s.channel}`));
      const theirs = await trx.selectFrom('subscriptions').select(['id', 'newsletter_id', 'channel']).where('subscriber_id', '=', holder.id).execute();
      const moving = theirs.filter((s) => !has.has(`${s.newsletter_id}/${s.channel}`)).map((s) => s.id);
      if (moving.length) {
        await trx.updateTable('subscriptions').set({ subscriber_id: target.id, updated_at: at }).where('id', 'in', moving).execute();
        await trx.updateTable('deliveries').set({ subscriber_id: target.id, updated_at: at }).where('subscription_id', 'in', moving).execute();
      }
      await trx.deleteFrom('subscribers').where('id', '=', holder.id).execute();
    }
    await trx.updateTable('subscribers').set({ telegram_chat_id: chatId, updated_at: at }).where('id', '=', target.id).execute();
    await recordEvent(trx, { type: 'preferences', subscriberId: target.id, detail: JSON.stringify({ telegram: 'linked', merged: holder?.id ?? null }), now });
    return 'linked';
  });
}

/**
 * Disconnects a chat from its email subscriber: the Telegram subscriptions end (without a chat
 * they could not be delivered) and the email ones stay. False when the chat had no email.
 */
export async function unlinkTelegramChat(db: Kysely<Database>, chatId: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const holder = await trx.selectFrom('subscribers').selectAll().where('telegram_chat_id', '=', chatId).executeTakeFirst();
    if (!holder?.email) return false;
    await trx
      .updateTable('subscriptions')
      .set({ status: 'unsubscribed', unsubscribed_at: at, updated_at: at })
      .where('subscriber_id', '=', holder.id)
      .where('channel', '=', 'telegram')
      .where('status', 'in', ['pending', 'active'])
      .execute();
    // Like unsubscribe(): a digest already in the ledger sends them nothing more.
    await trx
      .updateTable('deliveries')
      .set({ state: 'suppressed', last_error: 'unlinked', lease_until: null, updated_at: at })
      .where('subscriber_id', '=', holder.id)
      .where('channel', '=', 'telegram')
      .where('state', '=', 'pending')
      .execute();
    await trx.updateTable('subscribers').set({ telegram_chat_id: null, updated_at: at }).where('id', '=', holder.id).execute();
    await recordEvent(trx, { type: 'preferences', subscriberId: holder.id, detail: JSON.stringify({ telegram: 'unlinked' }), now });
    return true;
  });
}

/**
 * A Telegram subscription stopped after a failed delivery (the person had blocked the bot)
 * becomes active again when that person subscribes from the chat itself: the chat works again.
 */
export async function reactivateBlocked(db: Kysely<Database>, subscriptionId: number, address: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const row = await db
    .updateTable('subscriptions')
    .set({ status: 'active', unsubscribed_at: null, updated_at: at })
    .where('id', '=', subscriptionId)
    .where('status', 'in', ['blocked', 'bounced'])
    .returning('subscriber_id')
    .executeTakeFirst();
  if (!row) return false;
  await db.deleteFrom('suppressions').where('address', '=', address).where('channel', '=', 'telegram').execute();
  await recordEvent(db, { type: 'resubscribe', subscriberId: row.subscriber_id, subscriptionId, address, detail: 'telegram: reactivated from the chat', now });
  return true;
}
