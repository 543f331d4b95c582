import { afterEach, beforeEach, expect, it } from 'vitest';
import { selectArticles, type SelectOptions } from '../../src/digest/select.js';
import { insertArticles } from '../../src/store/articles.js';
import { claimDigest, recordDigestItems } from '../../src/store/digests.js';
import { addNewsletter, type NewsletterFilters } from '../../src/store/newsletters.js';
import type { NewArticle, NewsletterRow } from '../../src/store/schema.js';
import { addSource } from '../../src/store/sources.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const SLOT = new Date('2026-11-24T08:00:00.000Z');
const ago = (h: number) => new Date(SLOT.getTime() - h * 3_600_000).toISOString();
const WINDOW: SelectOptions = { windowStart: new Date(ago(24)), windowEnd: SLOT, now: SLOT };

forEachDialect('selectArticles', (dialect) => {
  let store: TestStore;
  let nl: NewsletterRow;
  let a: number; // source "Alpha", weight 1
  let b: number; // source "Beta", weight 3
  let c: number; // source "Gamma", weight 1
  let n = 0;

  beforeEach(async () => {
    store = await dialect.open();
    nl = await addNewsletter(store.db, { slug: 'daily', name: 'Daily' }, SLOT);
    a = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/a', name: 'Alpha' }, SLOT)).id;
    b = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/b', name: 'Beta', options: { weight: 3 } }, SLOT)).id;
    c = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/c', name: 'Gamma' }, SLOT)).id;
  });
  afterEach(async () => {
    await store.close();
  });

  /** Inserts one article published and fetched `hoursAgo` before the slot; returns its id. */
  async function add(sourceId: number, hoursAgo: number, extra: Partial<NewArticle> = {}): Promise<number> {
    n++;
    const article: NewArticle = {
      source_id: sourceId,
      guid: `g${n}`,
      guid_key: `${sourceId}:g${n}`,
      url: `http://127.0.0.1/a/${n}?utm_source=x`,
      canonical_url: `http://127.0.0.1/a/${n}`,
      title: `Story ${n}`,
      published_at: ago(hoursAgo),
      fetched_at: ago(hoursAgo),
      lang: 'en',
      text: `Body of story ${n}.`,
      fingerprint: `fp${n}`,
      search_text: `story ${n}`,
      ...extra,
    };
    const { inserted } = await insertArticles(store.db, [article]);
    return inserted[0]!.id;
  }
  const ids = (items: { article: { id: number } }[]) => items.map((i) => i.article.id);
  const withFilters = (filters: NewsletterFilters, maxItems = 20) => ({ ...nl, filters: JSON.stringify(filters), max_items: maxItems });

  it('takes articles fetched in (windowStart, windowEnd], newest first when equally weighted', async () => {
    await add(a, 24); // exactly at the start: belongs to the previous window
    const inside = await add(a, 23);
    const newer = await add(a, 1);
    const atEnd = await add(a, 0);
    await add(a, -1); // fetched after the slot
    expect(ids(await selectArticles(store.db, nl, WINDOW))).toEqual([atEnd, newer, inside]);
  });

  it('never repeats an article the newsletter already sent, nor another article of a sent story', async () => {
    const sent = await add(a, 30);
    const reReport = await add(c, 2, { cluster_id: sent });
    const fresh = await add(a, 3);
    const digest = (await claimDigest(store.db, nl.id, new Date(ago(24)), SLOT))!;
    await recordDigestItems(store.db, digest.id, [{ articleId: sent, position: 0, reasons: [] }]);
    // The window overlaps the first digest's on purpose.
    const items = await selectArticles(store.db, nl, { ...WINDOW, windowStart: new Date(ago(48)) });
    expect(ids(items)).toEqual([fresh]);
    expect(ids(items)).not.toContain(reReport);
    // Another newsletter has sent nothing yet.
    const other = await addNewsletter(store.db, { slug: 'other', name: 'Other' }, SLOT);
    expect(ids(await selectArticles(store.db, other, { ...WINDOW, windowStart: new Date(ago(48)) }))).toHaveLength(2);
  });

  it('include and exclude keywords: Chinese, full-width, whole words, title or text', async () => {
    const en = await add(a, 1, { title: 'Cotton futures rally' });
    const zh = await add(a, 2, { title: '新疆棉花产量创新高', lang: 'zh', text: '今年新疆棉花产量。' });
    const wide = await add(a, 3, { title: 'Market wrap', text: 'ＣＯＴＴＯＮ closed higher.' });
    await add(a, 4, { title: 'Cottonwood trees', text: 'Nothing about the fibre.' });
    await add(a, 5, { title: 'Cotton advertisement', text: 'Buy now.' });
    await add(a, 6, { title: 'Steel prices' });
    const items = await selectArticles(store.db, withFilters({ include: ['ＣＯＴＴＯＮ', '棉花'], exclude: ['advertisement'] }), WINDOW);
    expect(ids(items)).toEqual([en, zh, wide]);
    expect(items[0]!.reasons[0]).toBe('matches keyword "ＣＯＴＴＯＮ"');
    expect(items[1]!.reasons[0]).toBe('matches keyword "棉花"');
    const zhOnly = await selectArticles(store.db, withFilters({ include: ['棉花'], exclude: ['ｃｏｔｔｏｎ'] }), WINDOW);
    expect(ids(zhOnly)).toEqual([zh]);
  });

  it('category and source filters', async () => {
    const markets = await add(a, 1, { category: 'Markets' });
    const tagged = await add(c, 2, { category: 'Tech', categories: '["Tech","markets"]' });
    await add(a, 3, { category: 'Tech' });
    await add(b, 4, { category: 'Markets' });
    const byCategory = await selectArticles(store.db, withFilters({ categories: ['markets'], sources: [a, c] }), WINDOW);
    expect(ids(byCategory)).toEqual([markets, tagged]);
    expect(byCategory[0]!.reasons[0]).toBe('category "markets"');
    const bySource = await selectArticles(store.db, withFilters({ sources: [c] }), WINDOW);
    expect(ids(bySource)).toEqual([tagged]);
  });

  it('one entry per cluster: the best-ranked article represents it, the others are "also reported by"', async () => {
    const first = await add(a, 5, { title: 'Mill closes (Alpha)' });
    const heavy = await add(b, 6, { title: 'Mill closes (Beta)', cluster_id: first });
    const gamma = await add(c, 4, { title: 'Mill closes (Gamma)', cluster_id: first, canonical_url: null, url: null });
    const alphaAgain = await add(a, 3, { title: 'Mill closes (Alpha, updated)', cluster_id: first });
    const single = await add(a, 0.5);
    const items = await selectArticles(store.db, nl, WINDOW);
    expect(ids(items)).toEqual([heavy, single]);
    const story = items[0]!;
    expect(story.alsoReportedBy).toEqual([
      { articleId: alphaAgain, sourceId: a, name: 'Alpha', url: `http://127.0.0.1/a/${n - 1}` },
      { articleId: gamma, sourceId: c, name: 'Gamma', url: null },
    ]);
    expect(story.clusterArticleIds.sort()).toEqual([first, gamma, alphaAgain].sort());
    expect(story.reasons).toEqual(['3 sources', 'source weight 3', 'ranked 1 of 2']);
    expect(story.article).toMatchObject({ sourceName: 'Beta', title: 'Mill closes (Beta)', url: `http://127.0.0.1/a/${n - 3}` });
  });

  it('ranks by recency, source weight and cluster size, and keeps max_items', async () => {
    const old = await add(a, 20);
    const recent = await add(a, 1);
    const weighted = await add(b, 10); // 3 × 0.5^(10/24) ≈ 2.2 beats 0.97
    const covered = await add(a, 8);
    await add(c, 8.5, { cluster_id: covered }); // (0.79) × (1 + ln 2) ≈ 1.34
    const top = await selectArticles(store.db, withFilters({}, 3), WINDOW);
    expect(ids(top)).toEqual([weighted, covered, recent]);
    expect(top.map((i) => i.reasons.at(-1))).toEqual(['ranked 1 of 4', 'ranked 2 of 4', 'ranked 3 of 4']);
    expect(top[0]!.score).toBeGreaterThan(top[1]!.score);
    const overridden = await selectArticles(store.db, withFilters({}, 4), { ...WINDOW, sourceWeights: new Map([[b, 1]]) });
    // Unweighted, two outlets still outrank one: 1.34 > 0.97 (recent) > 0.75 > 0.56.
    expect(ids(overridden)).toEqual([covered, recent, weighted, old]);
  });

  it('loads the text of entries without a summary only, and reads at most the newest candidates', async () => {
    const bare = await add(a, 1, { text: 'Full text here.' });
    const summarized = await add(a, 2, { summary: 'Short.', text: 'Long text.' });
    const items = await selectArticles(store.db, nl, WINDOW);
    expect(items.map((i) => [i.article.id, i.article.summary, i.article.text])).toEqual([
      [bare, null, 'Full text here.'],
      [summarized, 'Short.', ''],
    ]);
    expect(items[0]!.article.publishedAt).toEqual(new Date(ago(1)));
    expect(ids(await selectArticles(store.db, nl, { ...WINDOW, candidateLimit: 1 }))).toEqual([bare]);
  });

  it('finds nothing in an empty window', async () => {
    await add(a, 30);
    expect(await selectArticles(store.db, nl, WINDOW)).toEqual([]);
  });
});
