// Subscribers, their subscriptions (newsletter × channel, with the consent record), the address
// suppression list, the event log (consent, unsubscribes, bounces) and the deliveries ledger.
// Same portable conventions as 0001/0002: ISO text timestamps, 0/1 integers, JSON text.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { DialectName } from '../db.js';
import type { TidingsMigration } from './index.js';

type Column = (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

// Frozen with the migration, like 0002's copy. AUTOINCREMENT: ids end up in signed tokens and
// Message-IDs; a reused id would make an old unsubscribe link act on a different person.
function idColumn(dialect: DialectName): Column {
  return dialect === 'postgres' ? (col) => col.generatedByDefaultAsIdentity().primaryKey() : (col) => col.primaryKey().autoIncrement();
}

async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('subscribers')
    .addColumn('id', 'integer', idColumn(dialect))
    // Lower-cased; one person per address. Null for a Telegram-only subscriber.
    .addColumn('email', 'text')
    .addColumn('telegram_chat_id', 'text')
    .addColumn('name', 'text')
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('subscribers_email_unique', ['email'])
    .addUniqueConstraint('subscribers_telegram_unique', ['telegram_chat_id'])
    .execute();

  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'integer', idColumn(dialect))
    .addColumn('subscriber_id', 'integer', (c) => c.notNull().references('subscribers.id').onDelete('cascade'))
    .addColumn('newsletter_id', 'integer', (c) => c.notNull().references('newsletters.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    // JSON array of keywords: only entries matching one of them (empty: everything).
    .addColumn('keywords', 'text', (c) => c.notNull().defaultTo('[]'))
    // Consent record: where they signed up, which consent text they saw, and from where.
    .addColumn('consent_source', 'text', (c) => c.notNull())
    .addColumn('consent_version', 'text')
    .addColumn('subscribe_ip', 'text')
    .addColumn('subscribed_at', 'text', (c) => c.notNull())
    .addColumn('confirm_ip', 'text')
    .addColumn('confirmed_at', 'text')
    .addColumn('confirm_sent_at', 'text')
    .addColumn('unsubscribed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('subscriptions_unique', ['subscriber_id', 'newsletter_id', 'channel'])
    .execute();
  // Creating a digest's ledger reads the active subscriptions of one newsletter.
  await db.schema.createIndex('subscriptions_newsletter_status_idx').on('subscriptions').columns(['newsletter_id', 'status']).execute();

  // An address nobody may mail again whatever its subscriptions say: hard bounces, complaints,
  // soft bounces past the threshold, "unsubscribe from everything". Checked at send time.
  await db.schema
    .createTable('suppressions')
    .addColumn('address', 'text', (c) => c.notNull().primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // What happened to whom, for consent records, audits and bounce thresholds. Kept after a
  // subscriber is deleted (no foreign key): the proof of consent or unsubscribe outlives them.
  await db.schema
    .createTable('subscriber_events')
    .addColumn('id', 'integer', idColumn(dialect))
    .addColumn('subscriber_id', 'integer')
    .addColumn('subscription_id', 'integer')
    .addColumn('address', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('ip', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subscriber_events_address_idx').on('subscriber_events').columns(['address', 'type', 'created_at']).execute();
  await db.schema.createIndex('subscriber_events_subscriber_idx').on('subscriber_events').column('subscriber_id').execute();

  // The ledger is the queue and the per-recipient log (DESIGN.md). One row per digest ×
  // subscriber × channel, written in the transaction that makes the digest ready.
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'integer', idColumn(dialect))
    .addColumn('digest_id', 'integer', (c) => c.notNull().references('digests.id'))
    .addColumn('subscription_id', 'integer', (c) => c.notNull().references('subscriptions.id').onDelete('cascade'))
    .addColumn('subscriber_id', 'integer', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    // The address at ledger time: what the Message-ID and the log refer to.
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('deliveries_unique', ['digest_id', 'subscriber_id', 'channel'])
    .execute();
  // Claims scan this: due pending rows and expired leases, per channel.
  await db.schema.createIndex('deliveries_claim_idx').on('deliveries').columns(['channel', 'state', 'next_attempt_at']).execute();
  await db.schema.createIndex('deliveries_subscription_idx').on('deliveries').column('subscription_id').execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('deliveries').execute();
  await db.schema.dropTable('subscriber_events').execute();
  await db.schema.dropTable('suppressions').execute();
  await db.schema.dropTable('subscriptions').execute();
  await db.schema.dropTable('subscribers').execute();
}

export const subscribersMigration: TidingsMigration = { up, down };
