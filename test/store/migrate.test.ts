import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/store/migrate.js';
import { migrations } from '../../src/store/migrations/index.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

forEachDialect('migrations', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await dialect.open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('creates every table and index the schema declares', async () => {
    const tables = await store.db.introspection.getTables();
    const names = tables.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['sources', 'articles']));
    // 0003 moved the near-duplicate bands into memory.
    expect(names).not.toContain('article_bands');
    const articles = tables.find((t) => t.name === 'articles')!;
    expect(articles.columns.map((c) => c.name).sort()).toEqual(
      [
        'id',
        'source_id',
        'guid',
        'guid_key',
        'url',
        'canonical_url',
        'title',
        'author',
        'published_at',
        'fetched_at',
        'lang',
        'category',
        'categories',
        'text',
        'html',
        'image_url',
        'summary',
        'summary_method',
        'fingerprint',
        'cluster_id',
        'minhash',
        'search_text',
        'nav_previous',
        'nav_next',
      ].sort(),
    );
    const indexes =
      store.dialect === 'postgres'
        ? (await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema()`.execute(store.db)).rows
        : (await sql<{ name: string }>`select name from sqlite_master where type = 'index'`.execute(store.db)).rows;
    expect(indexes.map((i) => i.name)).toEqual(
      expect.arrayContaining([
        'sources_next_fetch_at_idx',
        'articles_published_at_idx',
        'articles_source_published_idx',
        'articles_cluster_id_idx',
        'articles_fetched_at_idx',
      ]),
    );
  });

  it('is idempotent: a second run applies nothing and keeps the data', async () => {
    const now = new Date().toISOString();
    await store.db.insertInto('sources').values({ kind: 'feed', url: 'http://127.0.0.1/feed', name: 'f', created_at: now, updated_at: now }).execute();
    expect(await migrateToLatest(store)).toEqual({ applied: [] });
    expect(await migrateToLatest(store.replica())).toEqual({ applied: [] });
    const rows = await store.db.selectFrom('sources').select('url').execute();
    expect(rows).toEqual([{ url: 'http://127.0.0.1/feed' }]);
  });

  it('records every listed migration as applied', async () => {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
    expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations));
  });
});
