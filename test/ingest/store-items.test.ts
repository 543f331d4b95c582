// Group commit: batches of several sources waiting for the writer are stored in one transaction,
// yet each source gets its own counts, duplicates across sources are still caught, near-
// duplicates still cluster, and one bad batch cannot lose the others.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createGroupWriter } from '../../src/ingest/group-writer.js';
import { storeItems } from '../../src/ingest/store-items.js';
import { createStories } from '../../src/ingest/story-sync.js';
import type { ParsedItem } from '../../src/sources/types.js';
import { countArticles, listArticles } from '../../src/store/articles.js';
import { summarizeExtractive } from '../../src/summarize/extractive.js';
import { countUnsummarized } from '../../src/store/summaries.js';
import type { SourceRow } from '../../src/store/schema.js';
import { addSource } from '../../src/store/sources.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const NOW = new Date('2026-11-24T00:00:00Z');
const STORY =
  'The regional cotton exchange reported that spot prices for grade 3128 lint rose to their highest level since March, ' +
  'driven by strong buying from spinning mills that had delayed purchases during the autumn. Traders said mills in the ' +
  'coastal provinces were covering needs for the first quarter, and warehouse stocks fell for a fourth consecutive week.';
const OTHER =
  'Polyester producers announced maintenance shutdowns at three plants as margins between fibre prices and feedstock costs ' +
  'narrowed to the lowest level of the year. Downstream weavers said inventories were sufficient for several weeks, and ' +
  'buyers were unwilling to accept higher offers. The association will publish operating rates for the sector next week.';

const item = (id: string, title: string, link: string, body: string): ParsedItem => ({
  id,
  title,
  link,
  published: new Date('2026-11-23T08:00:00Z'),
  contentHtml: `<p>${body}</p>`,
  categories: [],
  enclosures: [],
});

forEachDialect('group commit', (dialect) => {
  let store: TestStore;
  let sources: SourceRow[];
  beforeEach(async () => {
    store = await dialect.open();
    sources = [];
    for (const name of ['a', 'b', 'c', 'd']) {
      sources.push(await addSource(store.db, { kind: 'feed', url: `http://127.0.0.1/${name}.xml`, name }, NOW));
    }
  });
  afterEach(async () => {
    await store.close();
  });

  const deps = () => ({
    log: silentLogger(),
    now: () => NOW,
    writer: createGroupWriter({ db: store.db, log: silentLogger(), now: () => NOW, stories: createStories({ dialect: store.dialect }) }),
  });

  it('catches exact duplicates across sources of one group and clusters near-duplicates with each other', async () => {
    const d = deps();
    const [a, b, c] = sources;
    // Started in the same turn, so the writer takes all three as one group.
    const counts = await Promise.all([
      storeItems(
        d,
        a!,
        [
          item('a1', 'Cotton at a seven-month high', 'https://news.example/cotton', STORY),
          item('a2', 'Polyester shutdowns', 'https://news.example/pet', OTHER),
        ],
        'http://127.0.0.1/a.xml',
      ),
      // Same canonical URL as a1 (a tracking parameter differs), and the same text as a2 under another URL.
      storeItems(
        d,
        b!,
        [item('b1', 'Cotton high', 'https://news.example/cotton?utm_source=x', STORY), item('b2', 'PET', 'https://copy.example/pet', OTHER)],
        'http://127.0.0.1/b.xml',
      ),
      storeItems(
        d,
        c!,
        [item('c1', 'Mills drive lint to March highs', 'https://other.example/lint', `${STORY} Exchange officials declined to comment.`)],
        'http://127.0.0.1/c.xml',
      ),
    ]);
    expect(counts).toEqual([
      { new: 2, duplicates: 0, skipped: 0, summarized: 0 },
      { new: 0, duplicates: 2, skipped: 0, summarized: 0 },
      { new: 1, duplicates: 0, skipped: 0, summarized: 0 },
    ]);
    const rows = await listArticles(store.db, { limit: 10 });
    const byGuid = Object.fromEntries(rows.map((r) => [r.guid, r]));
    expect(Object.keys(byGuid).sort()).toEqual(['a1', 'a2', 'c1']);
    expect(byGuid.a1!.cluster_id).toBe(byGuid.a1!.id);
    expect(byGuid.c1!.cluster_id).toBe(byGuid.a1!.id);
    expect(byGuid.a2!.cluster_id).toBe(byGuid.a2!.id);

    // A later group finds the stored story through its bands.
    const [later] = await Promise.all([
      storeItems(d, sources[3]!, [item('d1', 'Lint rally', 'https://third.example/lint', `${STORY} Mills were not available.`)], 'http://127.0.0.1/d.xml'),
    ]);
    expect(later).toEqual({ new: 1, duplicates: 0, skipped: 0, summarized: 0 });
    const d1 = (await listArticles(store.db, { limit: 10 })).find((r) => r.guid === 'd1')!;
    expect(d1.cluster_id).toBe(byGuid.a1!.id);
  });

  it('one failing batch in a group fails only its own source: the others are stored', async () => {
    const d = deps();
    const gone: SourceRow = { ...sources[1]!, id: 999_999 }; // no such source: its insert breaks the foreign key
    const results = await Promise.allSettled([
      storeItems(d, sources[0]!, [item('a1', 'Cotton', 'https://news.example/cotton', STORY)], 'http://127.0.0.1/a.xml'),
      storeItems(d, gone, [item('x1', 'PET', 'https://news.example/pet', OTHER)], 'http://127.0.0.1/x.xml'),
      storeItems(d, sources[2]!, [item('c1', 'Other PET', 'https://news.example/other', `${OTHER} More to follow.`)], 'http://127.0.0.1/c.xml'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/foreign key/i);
    expect(results[0]).toMatchObject({ value: { new: 1, duplicates: 0 } });
    expect(results[2]).toMatchObject({ value: { new: 1, duplicates: 0 } });
    expect(await countArticles(store.db)).toBe(2);
  });

  it('with a summary budget, stores each new article with its extractive summary, counted', async () => {
    const d = { ...deps(), summary: { sentences: 1 } };
    const counts = await storeItems(
      d,
      sources[0]!,
      [item('a1', 'Cotton', 'https://news.example/cotton', STORY), item('a2', 'PET', 'https://news.example/pet', OTHER)],
      'http://127.0.0.1/a.xml',
    );
    expect(counts).toEqual({ new: 2, duplicates: 0, skipped: 0, summarized: 2 });
    const rows = await listArticles(store.db, { limit: 10 });
    for (const row of rows) {
      // The same summary the summaries stage would have made from the stored article.
      const expected = summarizeExtractive({ title: row.title, text: row.text, lang: row.lang }, { sentences: 1 });
      expect({ summary: row.summary, method: row.summary_method }).toEqual({ summary: expected.text, method: 'extractive' });
      expect(row.summary).not.toBe('');
    }
    expect(await countUnsummarized(store.db)).toBe(0);
    // Without a budget (an LLM summarizes later), articles wait for the summaries stage.
    await storeItems(deps(), sources[1]!, [item('b1', 'Other', 'https://news.example/other', `${OTHER} More to follow.`)], 'http://127.0.0.1/b.xml');
    expect(await countUnsummarized(store.db)).toBe(1);
  });

  it('a group stops at the article cap; the rest go in the next group with their own counts', async () => {
    const d = {
      ...deps(),
      writer: createGroupWriter({ db: store.db, log: silentLogger(), now: () => NOW, stories: createStories({ dialect: store.dialect }) }, 3),
    };
    const batch = (s: number) => Array.from({ length: 2 }, (_, i) => item(`s${s}-${i}`, `T ${s} ${i}`, `https://n.example/${s}/${i}`, `Short body ${s} ${i}`));
    const counts = await Promise.all(sources.map((s, i) => storeItems(d, s, batch(i), `http://127.0.0.1/${i}.xml`)));
    expect(counts.map((c) => c.new)).toEqual([2, 2, 2, 2]);
    expect(await countArticles(store.db)).toBe(8);
  });
});
