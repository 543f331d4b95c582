// The Telegram bot's own tables: the updates it has handled (each update_id is acted on at most
// once, whether it arrives by long polling or by a webhook Telegram retries) and the audit log
// of admin commands, refused attempts included. Same portable conventions as 0001–0004.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { DialectName } from '../db.js';
import type { TidingsMigration } from './index.js';

type Column = (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

// Frozen with the migration, like 0004's copy.
function idColumn(dialect: DialectName): Column {
  return dialect === 'postgres' ? (col) => col.generatedByDefaultAsIdentity().primaryKey() : (col) => col.primaryKey().autoIncrement();
}

async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  // The primary key is the claim: the insert that succeeds handles the update.
  await db.schema
    .createTable('bot_updates')
    .addColumn('update_id', 'bigint', (c) => c.notNull().primaryKey())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  // Pruning walks this: Telegram redelivers an update for at most a day.
  await db.schema.createIndex('bot_updates_received_idx').on('bot_updates').column('received_at').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', idColumn(dialect))
    // Who: "telegram:<user id>", "telegram:chat:<chat id>" for posts without a sender, "cli".
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    // 1: applied; 0: refused or failed (detail says why).
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_created_idx').on('audit_log').column('created_at').execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('bot_updates').execute();
}

export const botMigration: TidingsMigration = { up, down };
