// Newsletters, their digests and the articles each digest showed. Same portable conventions as
// 0001 (ISO text timestamps, 0/1 integers, JSON text); only the id column differs by dialect.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { DialectName } from '../db.js';
import type { TidingsMigration } from './index.js';

type Column = (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

// A migration is frozen once shipped, so it carries its own copy rather than importing 0001's.
// AUTOINCREMENT: digest ids end up in archive links and mails; a reused id would make an old
// link show a different digest.
function idColumn(dialect: DialectName): Column {
  return dialect === 'postgres' ? (col) => col.generatedByDefaultAsIdentity().primaryKey() : (col) => col.primaryKey().autoIncrement();
}

async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('newsletters')
    .addColumn('id', 'integer', idColumn(dialect))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('cron', 'text', (c) => c.notNull().defaultTo('0 8 * * *'))
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('catch_up_grace_minutes', 'integer', (c) => c.notNull().defaultTo(360))
    .addColumn('filters', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('max_items', 'integer', (c) => c.notNull().defaultTo(20))
    .addColumn('sections', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lookback_hours', 'integer', (c) => c.notNull().defaultTo(24))
    .addColumn('template', 'text', (c) => c.notNull().defaultTo('digest'))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('newsletters_slug_unique', ['slug'])
    .execute();

  // No cascade from newsletters: digests are the archive and the deliveries' parent; a
  // newsletter that has sent anything is disabled, not deleted.
  await db.schema
    .createTable('digests')
    .addColumn('id', 'integer', idColumn(dialect))
    .addColumn('newsletter_id', 'integer', (c) => c.notNull().references('newsletters.id'))
    .addColumn('slot_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('building'))
    .addColumn('reason', 'text')
    .addColumn('article_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('model', 'text')
    .addColumn('subject', 'text')
    .addColumn('preheader', 'text')
    .addColumn('html', 'text')
    .addColumn('text', 'text')
    .addColumn('telegram', 'text')
    .addColumn('window_start', 'text')
    .addColumn('window_end', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    // The slot claim: whoever inserts (newsletter, slot) first owns the run, on every replica.
    // It also serves "previous digest" and archive listings (newsletter, newest slot first).
    .addUniqueConstraint('digests_newsletter_slot_unique', ['newsletter_id', 'slot_at'])
    .execute();

  // The primary key leads with digest_id, which serves the cascade and per-digest listing; the
  // unique key is the "never send an article twice in this newsletter" promise and the index
  // selection's NOT EXISTS uses.
  await db.schema
    .createTable('digest_items')
    .addColumn('digest_id', 'integer', (c) => c.notNull().references('digests.id').onDelete('cascade'))
    .addColumn('newsletter_id', 'integer', (c) => c.notNull().references('newsletters.id'))
    .addColumn('article_id', 'integer', (c) => c.notNull().references('articles.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull().defaultTo('[]'))
    .addPrimaryKeyConstraint('digest_items_pk', ['digest_id', 'article_id'])
    .addUniqueConstraint('digest_items_newsletter_article_unique', ['newsletter_id', 'article_id'])
    .execute();
  // Deleting a source cascades to its articles and from them to here; without this index each
  // deleted article would scan the table.
  await db.schema.createIndex('digest_items_article_id_idx').on('digest_items').column('article_id').execute();

  // Selection reads a window of fetched_at, newest first; 0001 indexed only published_at.
  await db.schema.createIndex('articles_fetched_at_idx').on('articles').column('fetched_at').execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('articles_fetched_at_idx').execute();
  await db.schema.dropTable('digest_items').execute();
  await db.schema.dropTable('digests').execute();
  await db.schema.dropTable('newsletters').execute();
}

export const digestsMigration: TidingsMigration = { up, down };
