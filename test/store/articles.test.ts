import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countArticles,
  escapeLike,
  findExisting,
  getStorySignatures,
  insertArticles,
  listArticleIdsAfter,
  listArticles,
  listStorySignatures,
  searchArticles,
  statementChunks,
} from '../../src/store/articles.js';
import type { NewArticle } from '../../src/store/schema.js';
import { addSource, removeSource } from '../../src/store/sources.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const T0 = new Date('2026-11-24T16:18:07.123Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();

function article(sourceId: number, n: number, extra: Partial<NewArticle> = {}): NewArticle {
  return {
    source_id: sourceId,
    guid: `g${n}`,
    guid_key: `${sourceId}:g${n}`,
    url: `http://127.0.0.1/a/${n}?utm_source=x`,
    canonical_url: `http://127.0.0.1/a/${n}`,
    title: `Story ${n}`,
    published_at: at(n),
    fetched_at: at(1000),
    lang: 'en',
    text: `Body of story ${n}`,
    fingerprint: `fp-${sourceId}-${n}`,
    search_text: `story ${n} body`,
    ...extra,
  };
}

forEachDialect('articles', (dialect) => {
  let store: TestStore;
  let src: number;
  let src2: number;
  beforeEach(async () => {
    store = await dialect.open();
    src = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/one.xml', name: 'one' }, T0)).id;
    src2 = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/two.xml', name: 'two' }, T0)).id;
  });
  afterEach(async () => {
    await store.close();
  });

  it('inserts a batch: every field round-trips, ids are numbers, a new article starts its own cluster', async () => {
    const full = article(src, 1, {
      author: 'Ann Li 李安',
      category: 'cotton',
      categories: '["cotton","prices"]',
      html: '<p>Body</p>',
      image_url: 'http://127.0.0.1/i.png',
      summary: 'S',
      summary_method: 'extractive',
      minhash: 'AAAA',
      nav_previous: '上一篇',
      nav_next: 'Next one',
    });
    const res = await insertArticles(store.db, [full, article(src, 2)]);
    expect(res.conflicts).toBe(0);
    expect(res.inserted.map((r) => r.guid_key)).toEqual([`${src}:g1`, `${src}:g2`]);
    const [first] = res.inserted;
    expect(typeof first!.id).toBe('number');
    const row = await store.db.selectFrom('articles').selectAll().where('id', '=', first!.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ ...full, id: first!.id, cluster_id: first!.id });
    const second = await store.db.selectFrom('articles').selectAll().where('id', '=', res.inserted[1]!.id).executeTakeFirstOrThrow();
    expect(second).toMatchObject({ author: null, html: null, categories: '[]', cluster_id: second.id, published_at: at(2) });
  });

  it('keeps a given cluster id', async () => {
    const { inserted } = await insertArticles(store.db, [article(src, 1)]);
    const lead = inserted[0]!.id;
    const { inserted: more } = await insertArticles(store.db, [article(src2, 7, { cluster_id: lead })]);
    const row = await store.db.selectFrom('articles').select('cluster_id').where('id', '=', more[0]!.id).executeTakeFirstOrThrow();
    expect(row.cluster_id).toBe(lead);
  });

  it('counts a repeated guid_key, canonical URL or fingerprint as a conflict, stored or in the same batch', async () => {
    await insertArticles(store.db, [article(src, 1)]);
    const res = await insertArticles(store.db, [
      article(src, 1, { fingerprint: 'new-fp', canonical_url: null }), // same guid_key
      article(src2, 2, { canonical_url: 'http://127.0.0.1/a/1' }), // same canonical URL
      article(src2, 3, { fingerprint: `fp-${src}-1`, canonical_url: null }), // same text
      article(src2, 4, { canonical_url: null }),
      article(src2, 4, { canonical_url: null }), // repeated in the batch
      article(src2, 5, { canonical_url: null }),
    ]);
    expect(res.inserted.map((r) => r.guid_key)).toEqual([`${src2}:g4`, `${src2}:g5`]);
    expect(res.conflicts).toBe(4);
    expect(await countArticles(store.db)).toBe(3);
  });

  it('two replicas inserting the same story at once end with one row and one conflict', async () => {
    const other = store.replica();
    for (let round = 0; round < 5; round++) {
      const story = (s: number) => article(s, 100 + round, { fingerprint: `race-${round}`, canonical_url: null });
      const results = await Promise.all([insertArticles(store.db, [story(src)]), insertArticles(other.db, [story(src2)])]);
      expect(results.map((r) => r.inserted.length).sort()).toEqual([0, 1]);
      expect(results.map((r) => r.conflicts).sort()).toEqual([0, 1]);
    }
    expect(await countArticles(store.db)).toBe(5);
  });

  it('overlapping batches from replicas in opposite orders neither deadlock nor duplicate', async () => {
    const other = store.replica();
    const batch = Array.from({ length: 60 }, (_, i) => article(src, i));
    const [a, b] = await Promise.all([insertArticles(store.db, batch), insertArticles(other.db, [...batch].reverse())]);
    expect(a.inserted.length + b.inserted.length).toBe(60);
    expect(a.conflicts + b.conflicts).toBe(60);
    expect(await countArticles(store.db)).toBe(60);
  });

  it('finds the known keys among many (more than one IN chunk)', async () => {
    // Also more rows than one INSERT statement carries.
    const rows = Array.from({ length: 1200 }, (_, i) => article(src, i));
    const res = await insertArticles(store.db, rows);
    expect(res.inserted).toHaveLength(1200);
    const clustered = await store.db.selectFrom('articles').select('id').whereRef('cluster_id', '=', 'id').execute();
    expect(clustered).toHaveLength(1200);
    const known = await findExisting(store.db, {
      guidKeys: [...rows.map((r) => r.guid_key), `${src}:unknown`],
      canonicalUrls: ['http://127.0.0.1/a/1199', 'http://127.0.0.1/nope'],
      fingerprints: new Set([`fp-${src}-0`, 'nope']),
    });
    expect(known.guidKeys.size).toBe(1200);
    expect(known.guidKeys.has(`${src}:unknown`)).toBe(false);
    expect([...known.canonicalUrls]).toEqual(['http://127.0.0.1/a/1199']);
    expect([...known.fingerprints]).toEqual([`fp-${src}-0`]);
    expect(await findExisting(store.db, { guidKeys: [], canonicalUrls: [], fingerprints: [] })).toEqual({
      guidKeys: new Set(),
      canonicalUrls: new Set(),
      fingerprints: new Set(),
    });
  });

  it('reads the signatures of the window page by page, and ids and signatures after a point', async () => {
    const rows = Array.from({ length: 2105 }, (_, i) => article(src, i, { minhash: `m${i}`, fetched_at: i < 5 ? at(-60) : at(i) }));
    rows[10] = { ...rows[10]!, minhash: null };
    const { inserted } = await insertArticles(store.db, rows);
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of listStorySignatures(store.db, at(0))) {
      pages.push(page.length);
      seen.push(...page.map((r) => r.minhash!));
    }
    // 2,100 in the window, one of them without a signature.
    const expected = rows.filter((r) => r.minhash && r.fetched_at >= at(0)).map((r) => r.minhash);
    expect(seen).toHaveLength(2099);
    expect(new Set(seen)).toEqual(new Set(expected));
    expect(pages.length).toBeGreaterThan(1);
    const sorted = inserted.map((r) => r.id).sort((x, y) => x - y);
    expect(await listArticleIdsAfter(store.db, sorted[2100]!)).toEqual(sorted.slice(2101));
    const idOf = (n: number) => inserted.find((r) => r.guid_key === `${src}:g${n}`)!.id;
    const two = await getStorySignatures(store.db, [idOf(0), idOf(7)]);
    expect(two.map((r) => r.minhash).sort()).toEqual(['m0', 'm7']);
    expect(two[0]).toMatchObject({ cluster_id: expect.any(Number), fetched_at: expect.any(String) });
    const empty: unknown[] = [];
    for await (const page of listStorySignatures(store.db, at(99_999))) empty.push(page);
    expect(empty).toEqual([]);
  });

  it('counts and lists newest first with source, since, limit and offset', async () => {
    await insertArticles(
      store.db,
      [1, 2, 3, 4].map((n) => article(n % 2 ? src : src2, n)),
    );
    // Same publication time: the later insert comes first.
    await insertArticles(store.db, [article(src, 5, { published_at: at(4) })]);
    const titles = (rows: { title: string }[]) => rows.map((r) => r.title);
    expect(titles(await listArticles(store.db, { limit: 10 }))).toEqual(['Story 5', 'Story 4', 'Story 3', 'Story 2', 'Story 1']);
    expect(titles(await listArticles(store.db, { limit: 2, offset: 1 }))).toEqual(['Story 4', 'Story 3']);
    expect(titles(await listArticles(store.db, { sourceId: src, limit: 10 }))).toEqual(['Story 5', 'Story 3', 'Story 1']);
    expect(titles(await listArticles(store.db, { since: at(3), limit: 10 }))).toEqual(['Story 5', 'Story 4', 'Story 3']);
    expect(await countArticles(store.db)).toBe(5);
    expect(await countArticles(store.db, { sourceId: src2 })).toBe(2);
    expect(await countArticles(store.db, { sourceId: src, since: at(3) })).toBe(2);
    expect(typeof (await countArticles(store.db))).toBe('number');
  });

  it('searches substrings case-insensitively, Chinese included, every word required', async () => {
    await insertArticles(store.db, [
      article(src, 1, { search_text: '新疆 棉花 价格 上涨' }),
      article(src, 2, { search_text: 'cotton prices rise in india' }),
      article(src, 3, { search_text: 'Cotton futures fall' }),
    ]);
    const titles = async (words: string[]) => (await searchArticles(store.db, words, { limit: 10 })).map((r) => r.title);
    expect(await titles(['棉花'])).toEqual(['Story 1']);
    expect(await titles(['棉'])).toEqual(['Story 1']);
    expect(await titles(['COTTON'])).toEqual(['Story 3', 'Story 2']);
    expect(await titles(['cotton', 'india'])).toEqual(['Story 2']);
    expect(await titles(['cotton', '棉花'])).toEqual([]);
    expect(await titles(['  ', 'price'])).toEqual(['Story 2']);
    expect((await searchArticles(store.db, ['cotton'], { limit: 1 })).map((r) => r.title)).toEqual(['Story 3']);
  });

  it('treats LIKE wildcards and backslashes in search words literally', async () => {
    await insertArticles(store.db, [
      article(src, 1, { search_text: 'growth 100% 增长' }),
      article(src, 2, { search_text: 'growth 1000 snake_case' }),
      article(src, 3, { search_text: 'snakexcase path c:\\temp' }),
    ]);
    const titles = async (words: string[]) => (await searchArticles(store.db, words, { limit: 10 })).map((r) => r.title);
    expect(await titles(['100%'])).toEqual(['Story 1']);
    expect(await titles(['%'])).toEqual(['Story 1']);
    expect(await titles(['snake_case'])).toEqual(['Story 2']);
    expect(await titles(['_'])).toEqual(['Story 2']);
    expect(await titles(['c:\\temp'])).toEqual(['Story 3']);
    expect(await titles(['\\'])).toEqual(['Story 3']);
    expect(await titles(['0% 增'])).toEqual(['Story 1']);
  });

  it('removing a source cascades to its articles', async () => {
    const { inserted } = await insertArticles(store.db, [article(src, 1), article(src2, 2)]);
    expect(await removeSource(store.db, src)).toBe(true);
    expect(await countArticles(store.db)).toBe(1);
    const left = await store.db.selectFrom('articles').select('id').execute();
    expect(left.map((r) => r.id)).toEqual([inserted[1]!.id]);
  });

  it('rejects an article of an unknown source (foreign keys are on)', async () => {
    await expect(insertArticles(store.db, [article(9999, 1)])).rejects.toThrow(/foreign key/i);
    expect(await countArticles(store.db)).toBe(0);
  });

  it('an empty batch is a no-op', async () => {
    expect(await insertArticles(store.db, [])).toEqual({ inserted: [], conflicts: 0 });
  });
});

describe('statementChunks', () => {
  it('keeps every item in order, in full pieces then powers of two, so few SQL texts repeat', () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const parts = statementChunks(items, 347);
    expect(parts.flat()).toEqual(items);
    expect(parts.map((p) => p.length)).toEqual([347, 347, 256, 32, 16, 2]);
    expect(statementChunks([], 500)).toEqual([]);
    expect(statementChunks([1, 2, 3], 500).map((p) => p.length)).toEqual([2, 1]);
    // Any batch size uses only these sizes: the full one and the powers of two below it.
    const sizes = new Set<number>();
    for (let n = 1; n <= 1200; n++) for (const p of statementChunks(items.concat(items).slice(0, n), 347)) sizes.add(p.length);
    expect([...sizes].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 347]);
  });
});

describe('escapeLike', () => {
  it('escapes %, _ and the escape character', () => {
    expect(escapeLike('a%b_c\\d')).toBe('a\\%b\\_c\\\\d');
  });
});

forEachDialect((dialect) => {
  it('insertArticles joins a transaction it is given instead of opening its own', async () => {
    const store = await dialect.open();
    try {
      const src = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/t.xml', name: 't' }, T0)).id;
      await expect(
        store.db.transaction().execute(async (trx) => {
          const res = await insertArticles(trx, [article(src, 1)]);
          expect(res.inserted).toHaveLength(1);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await countArticles(store.db)).toBe(0);
    } finally {
      await store.close();
    }
  });
});
