// The long-running service (issue 6): when each newsletter's schedule starts counting (so an
// edit or a resume never "catches up" slots nobody asked for), alerts an admin must see, and
// the admin web UI's sessions — in the database, so every web process of a scale-out shares them.
import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';
import type { DialectName } from '../db.js';
import type { TidingsMigration } from './index.js';

type Column = (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

// Frozen with the migration, like 0004's copy.
function idColumn(dialect: DialectName): Column {
  return dialect === 'postgres' ? (col) => col.generatedByDefaultAsIdentity().primaryKey() : (col) => col.primaryKey().autoIncrement();
}

async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  // Slots at or before this instant are never owed: set on create, schedule change and resume.
  await db.schema.alterTable('newsletters').addColumn('schedule_since', 'text').execute();
  await sql`update newsletters set schedule_since = created_at`.execute(db);
  // A catch-up digest's missed slots it stands for (JSON array of ISO instants).
  await db.schema.alterTable('digests').addColumn('covers', 'text').execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'integer', idColumn(dialect))
    // 'missed-slots', 'source-failing', …
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('newsletter_id', 'integer')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', 'text')
    .execute();
  await db.schema.createIndex('alerts_created_idx').on('alerts').column('created_at').execute();

  await db.schema
    .createTable('admin_sessions')
    // SHA-256 of the cookie value: a leaked table does not log anyone in.
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('admin_sessions_expires_idx').on('admin_sessions').column('expires_at').execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('admin_sessions').execute();
  await db.schema.dropTable('alerts').execute();
  await db.schema.alterTable('digests').dropColumn('covers').execute();
  await db.schema.alterTable('newsletters').dropColumn('schedule_since').execute();
}

export const serviceMigration: TidingsMigration = { up, down };
