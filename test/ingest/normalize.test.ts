import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ArticleDraft, normalizeItem, type NormalizeContext, toNewArticle } from '../../src/ingest/normalize.js';
import { parseTextDump } from '../../src/sources/textdump.js';
import type { ParsedItem, SourceOptions } from '../../src/sources/types.js';
import { enWire } from './fixtures/stories.js';

const fetchedAt = new Date('2026-11-24T16:18:07.000Z');

function ctx(options: SourceOptions = {}, documentUrl = 'https://news.example.com/feed.xml'): NormalizeContext {
  return { source: { id: 3, kind: 'feed', url: documentUrl, name: 'News', etag: null, lastModified: null, options }, documentUrl, fetchedAt };
}

function item(over: Partial<ParsedItem> = {}): ParsedItem {
  return { categories: [], enclosures: [], ...over };
}

function draft(over: Partial<ParsedItem>, options?: SourceOptions, documentUrl?: string): ArticleDraft {
  const d = normalizeItem(item(over), ctx(options, documentUrl));
  if ('skip' in d) throw new Error(`unexpectedly skipped: ${d.skip}`);
  return d;
}

describe('normalizeItem', () => {
  it('turns a feed item into a clean draft', () => {
    const d = draft({
      id: 'tag:news.example.com,2026:1',
      title: '  <b>Cotton</b> &amp; yarn\n prices   rise ',
      link: '/markets/cotton?utm_source=rss&id=1#top',
      author: '<span>Li Wei</span>',
      published: new Date('2026-11-24T08:00:00Z'),
      categories: ['Markets', ' Markets ', 'Cotton'],
      contentHtml:
        '<p>Cotton futures <a href="/m">rose</a> on Thursday.</p><script>alert(1)</script><p>Mills bought more.</p><img src="/p.gif" width="1" height="1">',
      lang: 'en-GB',
    });
    expect(d).toMatchObject({
      guid: 'tag:news.example.com,2026:1',
      url: 'https://news.example.com/markets/cotton?utm_source=rss&id=1#top',
      canonicalUrl: 'https://news.example.com/markets/cotton?id=1',
      title: 'Cotton & yarn prices rise',
      author: 'Li Wei',
      publishedAt: new Date('2026-11-24T08:00:00Z'),
      fetchedAt,
      lang: 'en',
      category: 'Markets',
      categories: ['Markets', 'Cotton'],
      text: 'Cotton futures rose on Thursday.\n\nMills bought more.',
      html: '<p>Cotton futures <a href="https://news.example.com/m" rel="noopener noreferrer nofollow">rose</a> on Thursday.</p><p>Mills bought more.</p>',
      imageUrl: null,
      searchText: 'cotton yarn prices rise cotton futures rose on thursday mills bought more',
      navPrevious: null,
      navNext: null,
    });
    expect(d.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('prefers the reader’s plain text, and falls back to the summary as HTML', () => {
    expect(draft({ title: 't', contentHtml: '<p>html body</p>', contentText: 'plain\r\nbody\u00a0 text' }).text).toBe('plain\nbody text');
    const fromSummary = draft({ title: 't', summary: 'A <em>short</em> summary.' });
    expect(fromSummary.text).toBe('A short summary.');
    expect(fromSummary.html).toBe('A <em>short</em> summary.');
  });

  it('takes a missing title from the first sentence of the text (≤ 120 characters)', () => {
    expect(draft({ contentText: 'Mills bought more cotton. Prices rose.' }).title).toBe('Mills bought more cotton.');
    expect(draft({ contentText: '纺织企业加大采购。棉价上涨。' }).title).toBe('纺织企业加大采购。');
    const long = draft({ contentText: `${'word '.repeat(60)}end.` }).title;
    expect(long.length).toBeLessThanOrEqual(120);
    expect(long.endsWith('…')).toBe(true);
  });

  it('skips items with neither title nor text', () => {
    expect(normalizeItem(item({ link: 'https://x.example/a', contentHtml: '<script>x</script><img src="/p.gif" width="1" height="1">' }), ctx())).toEqual({
      skip: 'empty item',
    });
    expect(normalizeItem(item({ title: ' <br> ' }), ctx())).toEqual({ skip: 'empty item' });
  });

  it('picks the guid: id, else canonical link, else a hash of title and date', () => {
    expect(draft({ id: ' abc ', title: 't', link: 'https://x.example/a' }).guid).toBe('abc');
    expect(draft({ title: 't', link: 'https://x.example/a?utm_medium=x' }).guid).toBe('https://x.example/a');
    const a = draft({ title: 'Same', published: new Date('2026-01-01T00:00:00Z') }).guid;
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(draft({ title: 'Same', published: new Date('2026-01-01T00:00:00Z') }).guid).toBe(a);
    expect(draft({ title: 'Same', published: new Date('2026-01-02T00:00:00Z') }).guid).not.toBe(a);
    expect(draft({ id: 'x'.repeat(1000), title: 't' }).guid).toMatch(/^sha256:/);
  });

  it('dates: published ?? updated, unparsable/ancient → fetch time, far future clamped', () => {
    const at = (over: Partial<ParsedItem>) => draft({ title: 't', ...over }).publishedAt.toISOString();
    expect(at({ updated: new Date('2026-11-20T00:00:00Z') })).toBe('2026-11-20T00:00:00.000Z');
    expect(at({ published: new Date('2026-11-19T00:00:00Z'), updated: new Date('2026-11-20T00:00:00Z') })).toBe('2026-11-19T00:00:00.000Z');
    expect(at({ published: new Date('garbage'), updated: new Date('2026-11-20T00:00:00Z') })).toBe('2026-11-20T00:00:00.000Z');
    expect(at({})).toBe(fetchedAt.toISOString());
    expect(at({ published: new Date('garbage') })).toBe(fetchedAt.toISOString());
    expect(at({ published: new Date('1970-01-01T00:00:00Z') })).toBe(fetchedAt.toISOString());
    expect(at({ published: new Date('2027-06-01T00:00:00Z') })).toBe(fetchedAt.toISOString());
    expect(at({ published: new Date('2026-11-25T10:00:00Z') })).toBe('2026-11-25T10:00:00.000Z');
  });

  it('language: source option wins, then a plausible declared one, then the script', () => {
    expect(draft({ title: 'Cotton prices rise', lang: 'en' }, { lang: 'zh-CN' }).lang).toBe('zh');
    expect(draft({ title: 'Les prix du coton montent fortement', lang: 'fr-FR' }).lang).toBe('fr');
    expect(draft({ title: 'Cotton prices rise sharply', lang: 'zh-CN' }).lang).toBe('en');
    expect(draft({ title: '棉花价格大幅上涨', lang: 'en' }).lang).toBe('zh');
    expect(draft({ title: '2026' }).lang).toBe('und');
  });

  it('fingerprints the folded text, or title and URL when the text is too short to identify', () => {
    const a = draft({ title: 'A', link: 'https://a.example/1', contentText: enWire });
    const b = draft({ title: 'B', link: 'https://b.example/2', contentHtml: `<div>${enWire.toUpperCase().replace(/\n\n/g, '</div><div>')}</div>` });
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(draft({ title: 'A', contentText: `${enWire} More.` }).fingerprint).not.toBe(a.fingerprint);
    const short1 = draft({ title: 'One', link: 'https://a.example/1', contentText: 'Read more…' });
    const short2 = draft({ title: 'Two', link: 'https://a.example/2', contentText: 'Read more…' });
    expect(short1.fingerprint).not.toBe(short2.fingerprint);
  });

  it('search text is lower-cased NFKC words of title and text, Chinese segmented', () => {
    expect(draft({ title: 'ＣＯＴＴＯＮ Ｐｒｉｃｅｓ', contentText: 'Up 3.5% — “sharply”!' }).searchText).toBe('cotton prices up 3.5 sharply');
    expect(draft({ title: '棉花价格上涨', contentText: '纺织企业加大采购。' }).searchText).toBe('棉花 价格 上涨 纺织 企业 加大 采购');
  });

  it('chooses the image: item image, image enclosure, then the first body image; never other schemes', () => {
    expect(draft({ title: 't', image: 'img/a.jpg' }).imageUrl).toBe('https://news.example.com/img/a.jpg');
    expect(draft({ title: 't', image: 'javascript:alert(1)', enclosures: [{ url: 'https://cdn.example/e.png', type: 'image/png' }] }).imageUrl).toBe(
      'https://cdn.example/e.png',
    );
    expect(draft({ title: 't', contentHtml: '<p>x</p><img src="/b.jpg?w=1&amp;h=2">' }).imageUrl).toBe('https://news.example.com/b.jpg?w=1&h=2');
    expect(draft({ title: 't', image: 'data:image/png;base64,AAAA' }).imageUrl).toBeNull();
  });

  it('uses the source category when the item has none', () => {
    expect(draft({ title: 't' }, { category: 'Cotton' }).category).toBe('Cotton');
    expect(draft({ title: 't', categories: ['Yarn'] }, { category: 'Cotton' }).category).toBe('Yarn');
    expect(draft({ title: 't' }).category).toBeNull();
  });
});

const SAMPLE = new URL('../../../shared/samples/000_b1327684ba6b08b4.txt', import.meta.url);

describe.skipIf(!existsSync(SAMPLE))('normalizeItem on the sample text dump (../shared/samples)', () => {
  it('keeps the image file name, the navigation and the category, and no footer in the text', () => {
    const parsed = parseTextDump(readFileSync(SAMPLE, 'utf8'), '000_b1327684ba6b08b4.txt');
    if ('error' in parsed) throw new Error(parsed.error);
    const d = draft(parsed, {}, 'file:///data/dumps/');
    expect(d).toMatchObject({
      guid: '000_b1327684ba6b08b4.txt',
      url: null,
      canonicalUrl: null,
      imageUrl: '7df2-16cfb3b23858822b192d60777a992840.jpg',
      category: 'Industry News',
      lang: 'en',
      publishedAt: new Date('2023-07-23T11:35:01Z'),
      navPrevious: 'Global Manufacturing PMI for June hits a record low of 47.8%',
      navNext: "In May, the outlook for China's cotton textile industry rebounded",
      html: null,
    });
    expect(d.text).not.toMatch(/Last text|Next text/);
    expect(d.text.split('\n\n')).toHaveLength(5);
  });
});

describe('toNewArticle', () => {
  it('maps a draft onto the articles row', () => {
    const d = draft({
      id: 'g1',
      title: 'Cotton',
      link: 'https://a.example/x',
      categories: ['A', 'B'],
      published: new Date('2026-11-24T08:00:00Z'),
      contentText: 'Body.',
      navigation: { previous: 'P', next: 'N' },
    });
    expect(toNewArticle(d, 12, 5, 'c2lnbmF0dXJl')).toEqual({
      source_id: 12,
      guid: 'g1',
      guid_key: '12:g1',
      url: 'https://a.example/x',
      canonical_url: 'https://a.example/x',
      title: 'Cotton',
      author: null,
      published_at: '2026-11-24T08:00:00.000Z',
      fetched_at: '2026-11-24T16:18:07.000Z',
      lang: 'en',
      category: 'A',
      categories: '["A","B"]',
      text: 'Body.',
      html: null,
      image_url: null,
      summary: null,
      summary_method: null,
      fingerprint: d.fingerprint,
      cluster_id: 5,
      minhash: 'c2lnbmF0dXJl',
      search_text: 'cotton body',
      nav_previous: 'P',
      nav_next: 'N',
    });
  });
});
