// Sources, articles and their near-duplicate bands. Portable DDL: timestamps are ISO text,
// booleans integers, structured values JSON text (see ../schema.ts); only the id column differs.
import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';
import type { DialectName } from '../db.js';
import type { TidingsMigration } from './index.js';

type Column = (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

// AUTOINCREMENT keeps SQLite from reusing the id of a deleted row: cluster ids point at article
// ids, and a reused id would silently join an unrelated story to an old cluster.
function idColumn(dialect: DialectName): Column {
  return dialect === 'postgres' ? (col) => col.generatedByDefaultAsIdentity().primaryKey() : (col) => col.primaryKey().autoIncrement();
}

async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('sources')
    .addColumn('id', 'integer', idColumn(dialect))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('interval_minutes', 'integer', (c) => c.notNull().defaultTo(60))
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('next_fetch_at', 'text')
    .addColumn('last_fetched_at', 'text')
    .addColumn('last_status', 'text')
    .addColumn('last_error', 'text')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('paused_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('sources_url_unique', ['url'])
    .execute();
  await db.schema.createIndex('sources_next_fetch_at_idx').on('sources').column('next_fetch_at').execute();

  await db.schema
    .createTable('articles')
    .addColumn('id', 'integer', idColumn(dialect))
    .addColumn('source_id', 'integer', (c) => c.notNull().references('sources.id').onDelete('cascade'))
    .addColumn('guid', 'text', (c) => c.notNull())
    .addColumn('guid_key', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('canonical_url', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('author', 'text')
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('fetched_at', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('categories', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('html', 'text')
    .addColumn('image_url', 'text')
    .addColumn('summary', 'text')
    .addColumn('summary_method', 'text')
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    // No foreign key: the first article of a story may be deleted with its source while the
    // rest of the cluster lives on under the same id.
    .addColumn('cluster_id', 'integer')
    .addColumn('minhash', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('nav_previous', 'text')
    .addColumn('nav_next', 'text')
    .addUniqueConstraint('articles_guid_key_unique', ['guid_key'])
    .addUniqueConstraint('articles_canonical_url_unique', ['canonical_url'])
    .addUniqueConstraint('articles_fingerprint_unique', ['fingerprint'])
    .execute();
  await db.schema.createIndex('articles_published_at_idx').on('articles').column('published_at').execute();
  await db.schema.createIndex('articles_source_published_idx').on('articles').columns(['source_id', 'published_at']).execute();
  await db.schema.createIndex('articles_cluster_id_idx').on('articles').column('cluster_id').execute();

  // One B-tree keyed by (band, article_id) with compact integer bands (see bandKeys): band keys
  // are random, so every extra index on them dirties another random page per insert, and those
  // pages made each ingest commit grow with the archive. The article_id index is append-only
  // (ids increase), so it costs little and keeps the cascade from articles off a full scan.
  await db.schema
    .createTable('article_bands')
    .addColumn('band', 'bigint', (c) => c.notNull())
    .addColumn('article_id', 'integer', (c) => c.notNull().references('articles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('article_bands_pk', ['band', 'article_id'])
    .$call((t) => (dialect === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t))
    .execute();
  await db.schema.createIndex('article_bands_article_idx').on('article_bands').column('article_id').execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('article_bands').execute();
  await db.schema.dropTable('articles').execute();
  await db.schema.dropTable('sources').execute();
}

export const init: TidingsMigration = { up, down };
