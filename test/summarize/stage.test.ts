import { afterEach, beforeEach, expect, it } from 'vitest';
import type { NewArticle } from '../../src/store/schema.js';
import { addSource } from '../../src/store/sources.js';
import { extractiveSummarizer, summarizeExtractive } from '../../src/summarize/extractive.js';
import { summarizePending } from '../../src/summarize/stage.js';
import type { Summarizer } from '../../src/summarize/summarizer.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { capturingLogger } from '../support/log.js';

const T0 = new Date('2026-11-24T16:18:07.123Z');
const EN =
  'Cotton prices rose 5% on Monday as mills rebuilt stocks.\n\nMills said stocks were at a decade low.\n\nTraders expect demand to stay strong.\n\nThe association reports next week.';
const ZH = '纺织行业协会近日发布三季度行业运行报告。报告显示，纺织企业工业增加值同比增长百分之三点二。\n\n协会建议企业加强库存管理。棉纺企业开机率明显回升。';

forEachDialect('summaries stage', (dialect) => {
  let store: TestStore;
  let src: number;
  beforeEach(async () => {
    store = await dialect.open();
    src = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/feed.xml', name: 'feed' }, T0)).id;
  });
  afterEach(async () => {
    await store.close();
  });

  async function addArticle(n: number, extra: Partial<NewArticle> = {}): Promise<number> {
    const row: NewArticle = {
      source_id: src,
      guid: `g${n}`,
      guid_key: `${src}:g${n}`,
      title: `Story ${n}`,
      published_at: T0.toISOString(),
      fetched_at: T0.toISOString(),
      lang: 'en',
      text: EN,
      fingerprint: `fp-${n}`,
      search_text: `story ${n}`,
      ...extra,
    };
    return (await store.db.insertInto('articles').values(row).returning('id').executeTakeFirstOrThrow()).id;
  }
  const summaries = () => store.db.selectFrom('articles').select(['id', 'summary', 'summary_method']).orderBy('id').execute();

  it('summarizes every article without a summary, in its language, and stores the method', async () => {
    const en = await addArticle(1, { title: 'Cotton prices rise' });
    const zh = await addArticle(2, { title: '纺织行业协会发布三季度运行报告', text: ZH, lang: 'zh' });
    const done = await addArticle(3, { summary: 'Kept.', summary_method: 'llm:earlier' });
    const { log, text } = capturingLogger();
    const r = await summarizePending({ db: store.db, summarizer: extractiveSummarizer(), log }, { budget: { sentences: 2 } });
    expect(r).toMatchObject({ summarized: 2, failed: 0, skipped: 0, byMethod: { extractive: 2 } });
    expect(await summaries()).toEqual([
      { id: en, summary: summarizeExtractive({ title: 'Cotton prices rise', text: EN, lang: 'en' }, { sentences: 2 }).text, summary_method: 'extractive' },
      {
        id: zh,
        summary: summarizeExtractive({ title: '纺织行业协会发布三季度运行报告', text: ZH, lang: 'zh' }, { sentences: 2 }).text,
        summary_method: 'extractive',
      },
      { id: done, summary: 'Kept.', summary_method: 'llm:earlier' },
    ]);
    // The Chinese summary joins its sentences without a space.
    expect((await summaries())[1]!.summary).toMatch(/。[^ ]/u);
    expect(text()).toContain('summaries stored');

    // Computed once: a second run finds nothing to do and calls no summarizer.
    const never: Summarizer = { summarize: async () => expect.unreachable('nothing is pending') };
    expect(await summarizePending({ db: store.db, summarizer: never, log })).toMatchObject({ summarized: 0, failed: 0, byMethod: {} });
  });

  it('keeps going when one article fails: a count, a log line, and the article stays pending', async () => {
    const ids = [await addArticle(1), await addArticle(2, { title: 'Poison' }), await addArticle(3)];
    const calls: string[] = [];
    const flaky: Summarizer = {
      async summarize(input, budget) {
        calls.push(input.title);
        if (input.title === 'Poison') throw new Error('model exploded');
        return { ...summarizeExtractive(input, budget), method: 'llm:test' };
      },
    };
    const { log, text } = capturingLogger();
    // Batches of one: the failed article must not be met again in the same run.
    const r = await summarizePending({ db: store.db, summarizer: flaky, log }, { batchSize: 1 });
    expect(r).toMatchObject({ summarized: 2, failed: 1, byMethod: { 'llm:test': 2 } });
    expect(calls).toEqual(['Story 1', 'Poison', 'Story 3']);
    expect((await summaries()).map((row) => row.summary_method)).toEqual(['llm:test', null, 'llm:test']);
    expect(text()).toContain('model exploded');
    expect(text()).toContain(`"articleId":${ids[1]}`);
  });

  it('attempts at most `limit` articles, oldest first, and reports progress per batch', async () => {
    const ids = [];
    for (let n = 1; n <= 5; n++) ids.push(await addArticle(n));
    const progress: number[] = [];
    const { log } = capturingLogger();
    const r = await summarizePending(
      { db: store.db, summarizer: extractiveSummarizer(), log },
      { limit: 3, batchSize: 2, onProgress: (sofar) => progress.push(sofar.summarized) },
    );
    expect(r.summarized).toBe(3);
    expect(progress).toEqual([2, 3]);
    expect((await summaries()).filter((row) => row.summary !== null).map((row) => row.id)).toEqual(ids.slice(0, 3));
  });

  it('bounds the summaries in flight by `concurrency`', async () => {
    for (let n = 1; n <= 7; n++) await addArticle(n);
    let inFlight = 0;
    let most = 0;
    const slow: Summarizer = {
      async summarize(input, budget) {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return summarizeExtractive(input, budget);
      },
    };
    const r = await summarizePending({ db: store.db, summarizer: slow, log: capturingLogger().log }, { concurrency: 3 });
    expect(r.summarized).toBe(7);
    expect(most).toBe(3);
  });

  it('counts an article another replica summarized first as skipped, and does not overwrite it', async () => {
    const id = await addArticle(1);
    const racing: Summarizer = {
      async summarize(input, budget) {
        await store.db.updateTable('articles').set({ summary: 'Theirs.', summary_method: 'llm:other' }).where('id', '=', id).execute();
        return summarizeExtractive(input, budget);
      },
    };
    const r = await summarizePending({ db: store.db, summarizer: racing, log: capturingLogger().log });
    expect(r).toMatchObject({ summarized: 0, skipped: 1, byMethod: {} });
    expect(await summaries()).toEqual([{ id, summary: 'Theirs.', summary_method: 'llm:other' }]);
  });

  it('refuses a bad budget once instead of failing every article', async () => {
    await addArticle(1);
    await expect(
      summarizePending({ db: store.db, summarizer: extractiveSummarizer(), log: capturingLogger().log }, { budget: { sentences: 0 } }),
    ).rejects.toThrow(/sentences must be a positive integer/);
    expect((await summaries())[0]!.summary).toBeNull();
  });
});
