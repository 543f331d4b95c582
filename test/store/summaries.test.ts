import { afterEach, beforeEach, expect, it } from 'vitest';
import type { NewArticle } from '../../src/store/schema.js';
import { addSource } from '../../src/store/sources.js';
import { countUnsummarized, listUnsummarized, storeSummaries, storeSummary } from '../../src/store/summaries.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const T0 = new Date('2026-11-24T16:18:07.123Z');

function article(sourceId: number, n: number, extra: Partial<NewArticle> = {}): NewArticle {
  return {
    source_id: sourceId,
    guid: `g${n}`,
    guid_key: `${sourceId}:g${n}`,
    title: `Story ${n}`,
    // Published order deliberately unlike stored order: the queue follows ids.
    published_at: new Date(T0.getTime() - n * 60_000).toISOString(),
    fetched_at: T0.toISOString(),
    lang: n % 2 ? 'en' : 'zh',
    text: `Body of story ${n}.`,
    fingerprint: `fp-${n}`,
    search_text: `story ${n}`,
    ...extra,
  };
}

forEachDialect('summaries', (dialect) => {
  let store: TestStore;
  let ids: number[];
  beforeEach(async () => {
    store = await dialect.open();
    const src = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/feed.xml', name: 'feed' }, T0)).id;
    ids = [];
    // Inserted directly: these tests are about the summary columns, not about ingest's insert path.
    for (const n of [1, 2, 3, 4, 5]) {
      const row = article(src, n, n === 3 ? { summary: 'Done.', summary_method: 'extractive' } : {});
      ids.push((await store.db.insertInto('articles').values(row).returning('id').executeTakeFirstOrThrow()).id);
    }
  });
  afterEach(async () => {
    await store.close();
  });

  it('lists articles without a summary, oldest stored first, with what a summarizer needs', async () => {
    const pending = await listUnsummarized(store.db, { limit: 10 });
    expect(pending.map((a) => a.id)).toEqual([ids[0], ids[1], ids[3], ids[4]]);
    expect(pending[1]).toEqual({ id: ids[1], title: 'Story 2', text: 'Body of story 2.', lang: 'zh' });
    expect(await countUnsummarized(store.db)).toBe(4);
  });

  it('pages through the queue with limit and afterId', async () => {
    const first = await listUnsummarized(store.db, { limit: 2 });
    expect(first.map((a) => a.id)).toEqual([ids[0], ids[1]]);
    const next = await listUnsummarized(store.db, { limit: 2, afterId: first[1]!.id });
    expect(next.map((a) => a.id)).toEqual([ids[3], ids[4]]);
    expect(await listUnsummarized(store.db, { limit: 2, afterId: ids[4]! })).toEqual([]);
  });

  it('stores a summary and its method once; a second write changes nothing', async () => {
    expect(await storeSummary(store.db, ids[0]!, { text: 'First summary.', method: 'llm:m' })).toBe(true);
    expect(await storeSummary(store.db, ids[0]!, { text: 'Second summary.', method: 'extractive' })).toBe(false);
    // An article summarized at ingest is not overwritten either.
    expect(await storeSummary(store.db, ids[2]!, { text: 'Other.', method: 'llm:m' })).toBe(false);
    const rows = await store.db
      .selectFrom('articles')
      .select(['id', 'summary', 'summary_method'])
      .where('id', 'in', [ids[0]!, ids[2]!])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: ids[0], summary: 'First summary.', summary_method: 'llm:m' },
      { id: ids[2], summary: 'Done.', summary_method: 'extractive' },
    ]);
    expect(await countUnsummarized(store.db)).toBe(3);
    expect((await listUnsummarized(store.db, { limit: 10 })).map((a) => a.id)).not.toContain(ids[0]);
  });

  it('stores an empty summary as done (compose shows an excerpt), and ignores a missing article', async () => {
    expect(await storeSummary(store.db, ids[1]!, { text: '', method: 'extractive' })).toBe(true);
    expect((await listUnsummarized(store.db, { limit: 10 })).map((a) => a.id)).not.toContain(ids[1]);
    expect(await storeSummary(store.db, 999_999, { text: 'x', method: 'extractive' })).toBe(false);
  });

  it('stores a batch in one call: only missing summaries are written, each reported', async () => {
    const written = await storeSummaries(store.db, [
      { articleId: ids[0]!, text: 'One.', method: 'extractive' },
      { articleId: ids[2]!, text: 'Not over the stored one.', method: 'llm:m' },
      { articleId: 999_999, text: 'No such article.', method: 'extractive' },
      { articleId: ids[3]!, text: 'Four.', method: 'llm:m' },
    ]);
    expect(written).toEqual([true, false, false, true]);
    expect(await storeSummaries(store.db, [{ articleId: ids[0]!, text: 'Again.', method: 'llm:m' }])).toEqual([false]);
    expect(await storeSummaries(store.db, [])).toEqual([]);
    const rows = await store.db
      .selectFrom('articles')
      .select(['id', 'summary', 'summary_method'])
      .where('id', 'in', [ids[0]!, ids[2]!, ids[3]!])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: ids[0], summary: 'One.', summary_method: 'extractive' },
      { id: ids[2], summary: 'Done.', summary_method: 'extractive' },
      { id: ids[3], summary: 'Four.', summary_method: 'llm:m' },
    ]);
  });

  it('lets exactly one of two replicas store a summary when both write batches', async () => {
    const other = store.replica();
    const [a, b] = await Promise.all([
      storeSummaries(store.db, [
        { articleId: ids[1]!, text: 'A.', method: 'llm:a' },
        { articleId: ids[4]!, text: 'A.', method: 'llm:a' },
      ]),
      storeSummaries(other.db, [
        { articleId: ids[1]!, text: 'B.', method: 'llm:b' },
        { articleId: ids[4]!, text: 'B.', method: 'llm:b' },
      ]),
    ]);
    expect(a.map((w, i) => w !== b[i])).toEqual([true, true]);
    const rows = await store.db.selectFrom('articles').select(['id', 'summary']).where('id', 'in', [ids[1]!, ids[4]!]).orderBy('id').execute();
    expect(rows.map((r) => r.summary)).toEqual([a[0] ? 'A.' : 'B.', a[1] ? 'A.' : 'B.']);
  });

  it('lets exactly one of two replicas store the summary of an article', async () => {
    const other = store.replica();
    const results = await Promise.all([
      storeSummary(store.db, ids[4]!, { text: 'From replica A.', method: 'llm:a' }),
      storeSummary(other.db, ids[4]!, { text: 'From replica B.', method: 'llm:b' }),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const row = await store.db.selectFrom('articles').select(['summary', 'summary_method']).where('id', '=', ids[4]!).executeTakeFirstOrThrow();
    // The winner's text and method, never a mix of the two writes.
    expect(row).toEqual(results[0] ? { summary: 'From replica A.', summary_method: 'llm:a' } : { summary: 'From replica B.', summary_method: 'llm:b' });
  });
});
