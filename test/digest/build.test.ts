import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BuildDeps, buildDigest, LATE_COMMIT_MARGIN_MS, type RenderedParts } from '../../src/digest/build.js';
import { composeDigest, excerpt, type NewsletterForCompose } from '../../src/digest/compose.js';
import { type DigestModel, digestItems } from '../../src/digest/model.js';
import type { SelectedItem } from '../../src/digest/select.js';
import { silentLogger } from '../../src/log.js';
import { insertArticles } from '../../src/store/articles.js';
import { completeDigest, digestModel, getDigest, listDigests } from '../../src/store/digests.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { NewArticle, NewsletterRow } from '../../src/store/schema.js';
import { addSource } from '../../src/store/sources.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const SLOT1 = new Date('2026-11-24T08:00:00.000Z');
const SLOT2 = new Date('2026-11-25T08:00:00.000Z');
const before = (slot: Date, h: number) => new Date(slot.getTime() - h * 3_600_000);

// A real (if tiny) renderer: what it returns is derived from the model, so stored parts can be checked.
async function render(model: DigestModel): Promise<RenderedParts> {
  const items = digestItems(model);
  return {
    subject: `${model.newsletter.name}: ${items[0]?.title ?? ''}`,
    preheader: `${items.length} stories`,
    html: `<ul>${items.map((i) => `<li>${i.title}</li>`).join('')}</ul><a href="{{unsubscribeUrl}}">unsubscribe</a>`,
    text: items.map((i) => `- ${i.title}`).join('\n'),
    telegram: items.map((i) => i.title),
  };
}

forEachDialect('buildDigest', (dialect) => {
  let store: TestStore;
  let nl: NewsletterRow;
  let src: number;
  let other: number;
  let n = 0;
  const made = new Map<number, NewArticle>();
  const title = (id: number) => made.get(id)!.title;
  let clock = SLOT1;
  const deps = (extra: Partial<BuildDeps> = {}): BuildDeps => ({ db: store.db, now: () => clock, log: silentLogger(), render, ...extra });

  beforeEach(async () => {
    store = await dialect.open();
    clock = SLOT1;
    nl = await addNewsletter(store.db, { slug: 'daily', name: 'Daily', lookbackHours: 24 }, SLOT1);
    src = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/a', name: 'Alpha' }, SLOT1)).id;
    other = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/b', name: 'Beta' }, SLOT1)).id;
  });
  afterEach(async () => {
    await store.close();
  });

  async function add(fetchedAt: Date, extra: Partial<NewArticle> = {}): Promise<number> {
    n++;
    const article: NewArticle = {
      source_id: src,
      guid: `g${n}`,
      guid_key: `${extra.source_id ?? src}:g${n}`,
      url: `https://127.0.0.1/a/${n}`,
      title: `Story ${n}`,
      published_at: fetchedAt.toISOString(),
      fetched_at: fetchedAt.toISOString(),
      lang: 'en',
      text: `Body of story ${n}.`,
      fingerprint: `fp${n}`,
      search_text: `story ${n}`,
      ...extra,
    };
    const id = (await insertArticles(store.db, [article])).inserted[0]!.id;
    made.set(id, article);
    return id;
  }
  const itemRows = () => store.db.selectFrom('digest_items').selectAll().orderBy('position').orderBy('article_id').execute();

  it('claims, selects, composes, renders and stores a ready digest with the articles it showed', async () => {
    const lead = await add(before(SLOT1, 2));
    const twin = await add(before(SLOT1, 3), { source_id: other, cluster_id: lead });
    const second = await add(before(SLOT1, 5));
    await add(before(SLOT1, 25)); // older than the first digest's lookback
    const archiveUrl: BuildDeps['archiveUrl'] = ({ newsletter, digestId }) => `https://news.example.org/${newsletter.slug}/${digestId}`;
    const result = await buildDigest(deps({ archiveUrl }), nl, SLOT1);
    expect(result.status).toBe('ready');
    expect(result.window).toEqual({ start: before(SLOT1, 24), end: SLOT1 });
    const row = (await getDigest(store.db, result.digestId!))!;
    expect(row).toMatchObject({ status: 'ready', slot_at: SLOT1.toISOString(), article_ids: `[${lead},${second}]` });
    expect(row).toMatchObject({ subject: `Daily: ${title(lead)}`, preheader: '2 stories', telegram: JSON.stringify([title(lead), title(second)]) });
    expect(row.html).toContain('{{unsubscribeUrl}}');
    const model = digestModel(row)!;
    expect(model).toEqual(result.model);
    expect(model.archiveUrl).toBe(`https://news.example.org/daily/${result.digestId}`);
    expect(digestItems(model)[0]).toMatchObject({ articleId: lead, alsoReportedBy: [{ name: 'Beta', url: made.get(twin)!.url }] });
    expect((await itemRows()).map((r) => [r.article_id, r.position])).toEqual([
      [lead, 0],
      [twin, 0],
      [second, 1],
    ]);
  });

  it('writes the ledger in the transaction that makes the digest ready: a failing ledger fails the digest and records no items', async () => {
    await add(before(SLOT1, 2));
    const calls: { id: number; items: number }[] = [];
    const createLedger: BuildDeps['createLedger'] = async (_trx, d) => {
      calls.push({ id: d.id, items: digestItems(d.model).length });
      return 42;
    };
    const ok = await buildDigest(deps({ createLedger }), nl, SLOT1);
    expect(ok).toMatchObject({ status: 'ready', recipients: 42 });
    expect(calls).toEqual([{ id: ok.digestId!, items: 1 }]);

    await add(before(SLOT2, 2));
    clock = SLOT2;
    const broken = await buildDigest(deps({ createLedger: async () => Promise.reject(new Error('ledger down')) }), nl, SLOT2);
    expect(broken).toMatchObject({ status: 'failed', reason: 'ledger down' });
    expect((await getDigest(store.db, broken.digestId!))!.status).toBe('failed');
    // Its article was not consumed: only the first digest's item is recorded.
    expect((await itemRows()).map((r) => r.digest_id)).toEqual([ok.digestId]);
  });

  it('a second digest never repeats an article of the first, although its window overlaps', async () => {
    const early = await add(before(SLOT1, 1));
    const justBefore = await add(before(SLOT1, 0.01));
    const first = await buildDigest(deps(), nl, SLOT1);
    expect(digestItems(first.model!).map((i) => i.articleId)).toEqual([justBefore, early]);
    // Committed after the first digest although stamped before its end: ingest's late commit.
    const late = await add(before(SLOT1, 0.05));
    const fresh = await add(before(SLOT2, 3));
    clock = SLOT2;
    const second = await buildDigest(deps(), nl, SLOT2);
    expect(second.window).toEqual({ start: new Date(SLOT1.getTime() - LATE_COMMIT_MARGIN_MS), end: SLOT2 });
    expect(digestItems(second.model!).map((i) => i.articleId)).toEqual([fresh, late]);
    const sent = (await itemRows()).map((r) => r.article_id);
    expect(new Set(sent).size).toBe(sent.length);
  });

  it('nothing new: a skipped record, and the next window still starts at the last ready digest', async () => {
    await add(before(SLOT1, 1));
    await buildDigest(deps(), nl, SLOT1);
    clock = SLOT2;
    const skipped = await buildDigest(deps(), nl, SLOT2);
    expect(skipped).toMatchObject({ status: 'skipped', reason: 'no new articles' });
    expect(await getDigest(store.db, skipped.digestId!)).toMatchObject({ status: 'skipped', reason: 'no new articles', html: null });
    const slot3 = new Date(SLOT2.getTime() + 86_400_000);
    const waiting = await add(before(SLOT2, 10)); // fetched before the skipped slot, after the last ready one
    clock = slot3;
    const third = await buildDigest(deps(), nl, slot3);
    expect(digestItems(third.model!).map((i) => i.articleId)).toEqual([waiting]);
    expect((await listDigests(store.db, nl.id, { limit: 5 })).map((d) => d.status)).toEqual(['ready', 'skipped', 'ready']);
  });

  it('two replicas building the same slot: exactly one owns it, one digest, each article once', async () => {
    await add(before(SLOT1, 1));
    await add(before(SLOT1, 2));
    const results = await Promise.all([
      buildDigest(deps(), nl, SLOT1),
      buildDigest(deps({ db: store.replica().db }), nl, SLOT1),
      buildDigest(deps({ db: store.replica().db }), nl, SLOT1),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['not-owner', 'not-owner', 'ready']);
    expect(await listDigests(store.db, nl.id, { limit: 5 })).toHaveLength(1);
    expect(await itemRows()).toHaveLength(2);
  });

  it('preview selects, composes and renders without claiming or consuming anything', async () => {
    const a1 = await add(before(SLOT1, 1));
    const preview = await buildDigest(deps(), nl, SLOT1, { preview: true });
    expect(preview).toMatchObject({ status: 'ready', parts: { subject: `Daily: ${title(a1)}` } });
    expect(preview.digestId).toBeUndefined();
    expect(await listDigests(store.db, nl.id, { limit: 5 })).toEqual([]);
    expect(await itemRows()).toEqual([]);
    const real = await buildDigest(deps(), nl, SLOT1);
    expect(digestItems(real.model!).map((i) => i.articleId)).toEqual([a1]);
    expect(await buildDigest(deps(), nl, SLOT2, { preview: true })).toMatchObject({ status: 'skipped', reason: 'no new articles' });
    expect(await listDigests(store.db, nl.id, { limit: 5 })).toHaveLength(1);
  });

  it('a render error fails the digest with its message and consumes no article', async () => {
    const a1 = await add(before(SLOT1, 1));
    const broken = async (): Promise<RenderedParts> => {
      throw new Error('template digest.mjml line 3: unknown tag <mj-nope>');
    };
    const failed = await buildDigest(deps({ render: broken }), nl, SLOT1);
    expect(failed).toMatchObject({ status: 'failed', reason: 'template digest.mjml line 3: unknown tag <mj-nope>' });
    expect(await getDigest(store.db, failed.digestId!)).toMatchObject({ status: 'failed', reason: failed.reason, model: null });
    expect(await itemRows()).toEqual([]);
    clock = SLOT2;
    const next = await buildDigest(deps(), nl, SLOT2);
    expect(digestItems(next.model!).map((i) => i.articleId)).toEqual([a1]);
  });

  it('a ready digest is immutable: rebuilding its slot or completing it again changes nothing', async () => {
    await add(before(SLOT1, 1));
    const built = await buildDigest(deps(), nl, SLOT1);
    const stored = await getDigest(store.db, built.digestId!);
    await add(before(SLOT1, 0.5));
    expect(await buildDigest(deps(), nl, SLOT1)).toEqual({ status: 'not-owner' });
    const again = { ...(await render(built.model!)), articleIds: [], model: built.model!, windowStart: SLOT1, windowEnd: SLOT2 };
    await expect(completeDigest(store.db, built.digestId!, again, SLOT2)).rejects.toThrow(/is ready, not building/);
    expect(await getDigest(store.db, built.digestId!)).toEqual(stored);
  });
});

describe('composeDigest', () => {
  const newsletter: NewsletterForCompose = { id: 7, slug: 'daily', name: 'Daily', language: 'en', timezone: 'Asia/Shanghai', sections: 0 };
  let id = 0;
  function selected(extra: Partial<SelectedItem['article']> = {}, rest: Partial<SelectedItem> = {}): SelectedItem {
    id++;
    return {
      article: {
        id,
        sourceId: 1,
        sourceName: 'Alpha',
        title: `T${id}`,
        url: `https://example.org/${id}`,
        publishedAt: SLOT1,
        lang: 'en',
        category: null,
        summary: `Summary ${id}.`,
        text: '',
        imageUrl: null,
        ...extra,
      },
      alsoReportedBy: [],
      clusterArticleIds: [],
      reasons: ['ranked'],
      score: 1,
      ...rest,
    };
  }

  it('one untitled section without sections; every model field filled', () => {
    const s = selected(
      { imageUrl: 'https://img.example.org/a.jpg' },
      { alsoReportedBy: [{ articleId: 99, sourceId: 2, name: 'Beta', url: 'https://b.example/x' }] },
    );
    const model = composeDigest(newsletter, [s], { slotAt: SLOT1, archiveUrl: 'https://news.example.org/daily/1' });
    expect(model).toEqual({
      newsletter: { id: 7, slug: 'daily', name: 'Daily', language: 'en' },
      slotAt: SLOT1,
      timeZone: 'Asia/Shanghai',
      archiveUrl: 'https://news.example.org/daily/1',
      sections: [
        {
          title: null,
          items: [
            {
              articleId: s.article.id,
              title: s.article.title,
              url: s.article.url,
              source: { id: 1, name: 'Alpha' },
              publishedAt: SLOT1,
              lang: 'en',
              category: null,
              summary: s.article.summary,
              imageUrl: 'https://img.example.org/a.jpg',
              alsoReportedBy: [{ name: 'Beta', url: 'https://b.example/x' }],
              reasons: ['ranked'],
            },
          ],
        },
      ],
    });
  });

  it('sections by category in order of their best item, case-insensitive, "Other" last (localized)', () => {
    const items = [
      selected({ category: 'Markets' }),
      selected(),
      selected({ category: 'Policy' }),
      selected({ category: 'markets' }),
      selected({ category: 'other' }),
    ];
    const model = composeDigest({ ...newsletter, sections: 1 }, items, { slotAt: SLOT1, archiveUrl: null });
    expect(model.sections.map((s) => [s.title, s.items.map((i) => i.articleId)])).toEqual([
      ['Markets', [items[0]!.article.id, items[3]!.article.id]],
      ['Policy', [items[2]!.article.id]],
      ['Other', [items[1]!.article.id, items[4]!.article.id]],
    ]);
    const zh = composeDigest({ ...newsletter, language: 'zh', sections: 1 }, [selected()], { slotAt: SLOT1, archiveUrl: null });
    expect(zh.sections[0]?.title).toBe('其他');
  });

  it('keeps only http(s) links and images', () => {
    const s = selected(
      { url: 'javascript:alert(1)', imageUrl: 'images/a.png' },
      { alsoReportedBy: [{ articleId: 1, sourceId: 2, name: 'B', url: 'data:text/html,x' }] },
    );
    const [item] = composeDigest(newsletter, [s, selected({ imageUrl: 'http://img.example/b.gif' })], { slotAt: SLOT1, archiveUrl: null }).sections[0]!.items;
    expect(item).toMatchObject({ url: null, imageUrl: null, alsoReportedBy: [{ name: 'B', url: null }] });
  });

  it('falls back to the opening sentences of the text when there is no summary', () => {
    const sentence = 'Cotton prices rose sharply on Monday as mills restocked ahead of the holiday season. ';
    const text = `${sentence.repeat(3)}\n\n${sentence.repeat(5)}`;
    const [item] = composeDigest(newsletter, [selected({ summary: null, text })], { slotAt: SLOT1, archiveUrl: null }).sections[0]!.items;
    expect(item!.summary).toBe(sentence.repeat(3).trim());
    expect(excerpt('Short text.\nSecond line.', 'en')).toBe('Short text. Second line.');
    const long = `${'word '.repeat(100)}end.`;
    const cut = excerpt(long, 'en');
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut).toMatch(/word…$/);
  });

  it('cuts Chinese text after whole sentences, without spaces between them', () => {
    const zh = '新疆棉花产量今年创下历史新高，棉农收入明显增加。'.repeat(4);
    const text = `${zh}\n${zh}\n${zh}\n${zh}`;
    const out = excerpt(text, 'zh', 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.endsWith('。')).toBe(true);
    expect(out).not.toMatch(/\s/);
  });
});
