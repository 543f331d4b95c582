// The in-memory near-duplicate index: what goes in comes out by band, across chunk and table
// growth, within the window only; and its catch-up from the store sees every writer's articles.
import { describe, expect, it } from 'vitest';
import { BANDS, bandKeys, NUM_HASHES } from '../../src/ingest/dedup.js';
import { StoryIndex } from '../../src/ingest/story-index.js';
import { createStories } from '../../src/ingest/story-sync.js';
import { insertArticles } from '../../src/store/articles.js';
import type { NewArticle } from '../../src/store/schema.js';
import { addSource } from '../../src/store/sources.js';
import { encodeSignature } from '../../src/ingest/dedup.js';
import { forEachDialect } from '../support/databases.js';

/** A distinct pseudo-random signature per seed. */
function sigOf(seed: number): Uint32Array {
  const s = new Uint32Array(NUM_HASHES);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < NUM_HASHES; i++) {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i) >>> 0;
    s[i] = x;
  }
  return s;
}

describe('StoryIndex', () => {
  it('finds each article by any of its bands, past several chunks and table growth', () => {
    const index = new StoryIndex();
    const n = 9000; // more than two chunks of 4,096
    for (let i = 0; i < n; i++) index.add(i + 1, i + 1, sigOf(i), bandKeys(sigOf(i)), 1000 + i);
    expect(index.size).toBe(n);
    for (const i of [0, 4095, 4096, 8999]) {
      const bands = bandKeys(sigOf(i));
      // One band is enough to find it.
      const other = new Uint32Array(BANDS);
      other[17] = bands[17]!;
      const found = index.candidates(other, 0);
      expect(found.map((c) => c.id)).toContain(i + 1);
      const hit = found.find((c) => c.id === i + 1)!;
      expect([...hit.sig]).toEqual([...sigOf(i)].map((v) => v & 0xffff));
    }
    expect(index.candidates(bandKeys(sigOf(n + 5)), 0)).toEqual([]);
  });

  it('returns candidates once, oldest id first, only fetched since the cut-off', () => {
    const index = new StoryIndex();
    const shared = bandKeys(sigOf(1));
    index.add(30, 30, sigOf(1), shared, 500);
    index.add(10, 10, sigOf(2), shared, 100);
    index.add(20, 10, sigOf(3), shared, 300);
    expect(index.candidates(shared, 0).map((c) => [c.id, c.cluster])).toEqual([
      [10, 10],
      [20, 10],
      [30, 30],
    ]);
    expect(index.candidates(shared, 200).map((c) => c.id)).toEqual([20, 30]);
    // A second add of a known id only updates its cluster.
    index.add(30, 10, sigOf(9), bandKeys(sigOf(9)), 900);
    expect(index.size).toBe(3);
    expect(index.candidates(shared, 0).find((c) => c.id === 30)!.cluster).toBe(10);
    expect(() => index.add(40, 40, sigOf(4), [1, 2], 0)).toThrow(/32 band keys/);
  });

  it('expire drops stale articles once a quarter is stale and keeps the rest findable', () => {
    const index = new StoryIndex();
    for (let i = 0; i < 100; i++) index.add(i + 1, i + 1, sigOf(i), bandKeys(sigOf(i)), i);
    index.expire(10); // 10% stale: not worth a rebuild yet
    expect(index.size).toBe(100);
    index.expire(40);
    expect(index.size).toBe(60);
    expect(index.has(5)).toBe(false);
    expect(index.candidates(bandKeys(sigOf(70)), 0).map((c) => c.id)).toEqual([71]);
    expect(index.candidates(bandKeys(sigOf(3)), 0)).toEqual([]);
  });
});

forEachDialect('story catch-up', (dialect) => {
  it('loads the window, then picks up other writers’ articles, late commits of smaller ids included', async () => {
    const store = await dialect.open();
    try {
      const now = Date.parse('2026-11-24T00:00:00Z');
      const src = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/s.xml', name: 's' }, new Date(now))).id;
      const row = (n: number, fetchedMs: number, extra: Partial<NewArticle> = {}): NewArticle => ({
        source_id: src,
        guid: `g${n}`,
        guid_key: `${src}:g${n}`,
        title: `T${n}`,
        published_at: new Date(fetchedMs).toISOString(),
        fetched_at: new Date(fetchedMs).toISOString(),
        lang: 'en',
        text: `t${n}`,
        fingerprint: `f${n}`,
        search_text: `t${n}`,
        minhash: encodeSignature(sigOf(n)),
        ...extra,
      });
      const day = 24 * 3600 * 1000;
      await insertArticles(store.db, [row(1, now - 20 * day), row(2, now - day), row(3, now - day, { minhash: null })]);
      const stories = createStories({ dialect: store.dialect });
      await stories.sync(store.db, now);
      // Outside the window, or without a signature: not indexed.
      expect(stories.index.size).toBe(1);
      expect(stories.index.candidates(bandKeys(sigOf(2)), 0).map((c) => c.cluster)).toHaveLength(1);

      // Another writer stores two articles; the second with an explicit id well above the first
      // (the first stands for a transaction that commits after a larger id was already seen).
      const late = await insertArticles(store.db, [row(4, now)]);
      const lateId = late.inserted[0]!.id;
      await store.db
        .insertInto('articles')
        .values({ ...row(5, now), id: lateId + 50 })
        .execute();
      await stories.sync(store.db, now);
      expect(stories.index.has(lateId)).toBe(true);
      expect(stories.index.has(lateId + 50)).toBe(true);
      if (store.dialect === 'postgres') {
        // On PostgreSQL a smaller id can still appear after a larger one was seen.
        await store.db
          .insertInto('articles')
          .values({ ...row(6, now), id: lateId + 20 })
          .execute();
        await stories.sync(store.db, now);
        expect(stories.index.has(lateId + 20)).toBe(true);
      }
      // What this process committed itself is added directly, and not read again.
      stories.added([{ id: lateId + 100, cluster: lateId, sig: sigOf(7), bands: bandKeys(sigOf(7)), fetchedAtMs: now }]);
      expect(stories.index.candidates(bandKeys(sigOf(7)), 0).map((c) => [c.id, c.cluster])).toEqual([[lateId + 100, lateId]]);
    } finally {
      await store.close();
    }
  });
});
