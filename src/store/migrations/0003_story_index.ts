// The near-duplicate bands move from a table into the ingest process's memory (see
// ingest/story-index.ts): the table's random keys made every commit rewrite most of its pages.
// What the index loads at start, "articles fetched in the last two weeks", is found through
// 0002's articles_fetched_at_idx.
import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../db.js';
import type { TidingsMigration } from './index.js';

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('article_bands').ifExists().execute();
}

async function down(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  // Recreated empty: bands of existing articles are only rebuilt by re-ingesting them.
  await db.schema
    .createTable('article_bands')
    .addColumn('band', 'bigint', (c) => c.notNull())
    .addColumn('article_id', 'integer', (c) => c.notNull().references('articles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('article_bands_pk', ['band', 'article_id'])
    .$call((t) => (dialect === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t))
    .execute();
  await db.schema.createIndex('article_bands_article_idx').on('article_bands').column('article_id').execute();
}

export const storyIndexMigration: TidingsMigration = { up, down };
