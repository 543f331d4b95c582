import { describe, expect, it } from 'vitest';
import { extractArticle } from '../../src/sources/page/extract.js';
import { findDateInText, parseDateValue } from '../../src/sources/page/dates.js';
import { findArticleLinks, registrableHost } from '../../src/sources/page/links.js';
import { stripSiteName } from '../../src/sources/page/meta.js';
import { parseDocument } from '../../src/sources/page/extract.js';

const PROSE = [
  'Cotton prices rose for a third straight week as mills in Asia rebuilt their stocks ahead of the winter season, traders said on Monday.',
  'Futures for March delivery gained two percent, the largest weekly increase since the spring, while spot premiums held steady in most ports.',
  'Analysts expect demand to stay firm until the new crop arrives, although higher freight costs could slow shipments from the Americas.',
];

function page(opts: { head?: string; top?: string; body?: string; bottom?: string; lang?: string }): string {
  return `<!doctype html><html${opts.lang ? ` lang="${opts.lang}"` : ''}><head><meta charset="utf-8">${opts.head ?? ''}</head><body>
  <nav class="menu"><a href="/">Home</a> <a href="/markets/">Markets</a></nav>
  <article>${opts.top ?? ''}
    ${opts.body ?? PROSE.map((p) => `<p>${p}</p>`).join('\n')}
  ${opts.bottom ?? ''}</article>
  <footer><a href="/about">About us</a> © 2023 Example Media</footer></body></html>`;
}

const URL_ = 'https://news.example.com/markets/2023/07/cotton-rises.html';

describe('extractArticle', () => {
  it('takes the title from og:title without the site suffix, and keeps the body as one line per paragraph', () => {
    const a = extractArticle(page({ head: '<title>Ignored | Example</title><meta property="og:title" content="Cotton rises again | Example News">' }), URL_);
    expect(a.title).toBe('Cotton rises again');
    expect(a.text.split('\n')).toEqual(PROSE);
    expect(a.contentHtml).toContain('<p>Cotton prices rose');
    expect(a.text).not.toContain('About us');
  });

  it('falls back to <h1>, then to <title> minus the site name', () => {
    expect(extractArticle(page({ top: '<h1>Mills restock ahead of winter</h1>' }), URL_).title).toBe('Mills restock ahead of winter');
    expect(extractArticle(page({ head: '<title>棉价连续三周上涨_中国棉花网</title>' }), URL_).title).toBe('棉价连续三周上涨');
  });

  it('reads the publication date from meta tags, JSON-LD (@graph too), <time> and visible text', () => {
    const meta = extractArticle(page({ head: '<meta property="article:published_time" content="2023-07-23T11:35:00Z">' }), URL_);
    expect(meta.published?.toISOString()).toBe('2023-07-23T11:35:00.000Z');

    const graph = JSON.stringify({
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'WebSite', name: 'x' },
        { '@type': 'NewsArticle', datePublished: '2023-07-22T08:00:00+08:00', dateModified: '2023-07-22T09:00:00+08:00' },
      ],
    });
    const ld = extractArticle(page({ head: `<script type="application/ld+json">${graph}</script>` }), URL_);
    expect(ld.published?.toISOString()).toBe('2023-07-22T00:00:00.000Z');
    expect(ld.updated?.toISOString()).toBe('2023-07-22T01:00:00.000Z');

    const time = extractArticle(page({ top: '<div class="byline">By Jane Doe, <time datetime="2023-07-21T06:00:00-04:00">July 21</time></div>' }), URL_);
    expect(time.published?.toISOString()).toBe('2023-07-21T10:00:00.000Z');
    expect(time.text).not.toContain('July 21');

    const visible = extractArticle(
      page({ lang: 'zh-CN', top: '<h1>棉价连续三周上涨</h1><div class="info">发布时间：2023年7月23日 19:35　来源：中国棉花网</div>' }),
      URL_,
    );
    expect(visible.published?.toISOString()).toBe('2023-07-23T11:35:00.000Z');
  });

  it('finds the lead image in og:image, JSON-LD, or the first large content image, resolved against the page URL', () => {
    expect(extractArticle(page({ head: '<meta property="og:image" content="/img/lead.jpg">' }), URL_).image).toBe('https://news.example.com/img/lead.jpg');
    const ld = JSON.stringify({ '@type': 'Article', image: { '@type': 'ImageObject', url: 'https://cdn.example.com/a.jpg' } });
    expect(extractArticle(page({ head: `<script type="application/ld+json">${ld}</script>` }), URL_).image).toBe('https://cdn.example.com/a.jpg');
    const body = `<p><img src="icons/logo.png" width="40"><img src="../photos/mill.jpg" width="800" height="500"></p>${PROSE.map((p) => `<p>${p}</p>`).join('')}`;
    expect(extractArticle(page({ body }), URL_).image).toBe('https://news.example.com/markets/2023/photos/mill.jpg');
  });

  it('resolves relative links in the content, honouring <base href>', () => {
    const body = `<p>${PROSE[0]} See <a href="report.html">the report</a>.</p><p>${PROSE[1]}</p><p>${PROSE[2]}</p>`;
    const a = extractArticle(page({ head: '<base href="https://static.example.com/docs/">', body }), URL_);
    expect(a.contentHtml).toContain('href="https://static.example.com/docs/report.html"');
  });

  it('drops captions, share widgets, related-link boxes, date lines and sign-up prompts', () => {
    const a = extractArticle(
      page({
        top: '<div class="byline">By Jane Doe</div><p><span class="timestamp">Updated 1:39 am EST, Wednesday, November 20, 2019</span></p>',
        body: `<figure><img src="/a.jpg" width="800"><figcaption>Bales in a warehouse (Photo: Reuters)</figcaption></figure>
          <p>${PROSE[0]}</p><div class="share-tools"><a href="#">Facebook</a> <a href="#">Twitter</a></div>
          <p>${PROSE[1]}</p><p>Related: <a href="/x">Wool prices slip on weak demand</a></p>
          <ul><li><a href="/y">Yarn exports hit record</a></li><li><a href="/z">Port strike ends</a></li></ul>
          <p>${PROSE[2]}</p><p>Advertisement</p><p>Follow us on Twitter and sign up for our newsletter.</p>`,
      }),
      URL_,
    );
    expect(a.text.split('\n')).toEqual(PROSE);
  });

  it('keeps lists and linked words that belong to the prose', () => {
    const body = `<p>${PROSE[0]} Prices were quoted by <a href="/ice">ICE</a> and <a href="/zce">ZCE</a>.</p><p>${PROSE[1]}</p>
      <ul><li>Mills in Vietnam bought more than expected this week.</li><li>Bangladesh kept its import quota unchanged.</li></ul><p>${PROSE[2]}</p>`;
    const a = extractArticle(page({ body }), URL_);
    expect(a.text).toContain('Prices were quoted by ICE and ZCE.');
    expect(a.text).toContain('Bangladesh kept its import quota unchanged.');
  });

  it('finds next/previous article links by label and by rel', () => {
    const labelled = extractArticle(
      page({ bottom: '<div class="pn">上一篇：<a href="/n/100.html">棉纱出口创新高</a><br>下一篇：<a href="/n/102.html">港口罢工结束</a></div>' }),
      'https://cn.example.com/n/101.html',
    );
    expect(labelled.previous).toEqual({ url: 'https://cn.example.com/n/100.html', title: '棉纱出口创新高' });
    expect(labelled.next).toEqual({ url: 'https://cn.example.com/n/102.html', title: '港口罢工结束' });
    const rel = extractArticle(page({ head: '<link rel="next" href="/p/2">', bottom: '<a rel="prev" href="/p/0">Older</a>' }), 'https://e.example.com/p/1');
    expect(rel.next?.url).toBe('https://e.example.com/p/2');
    expect(rel.previous?.url).toBe('https://e.example.com/p/0');
    const english = extractArticle(page({ bottom: '<a href="/story-9">Next article: Yarn exports hit record</a>' }), URL_);
    expect(english.next).toEqual({ url: 'https://news.example.com/story-9', title: 'Yarn exports hit record' });
  });

  it('uses JSON-LD articleBody when Readability finds almost nothing, and never throws on junk', () => {
    const body = 'Long story. '.repeat(60).trim();
    const ld = JSON.stringify({ '@type': 'NewsArticle', articleBody: body });
    const a = extractArticle(`<html><head><script type="application/ld+json">${ld}</script></head><body><div id="app"></div></body></html>`, URL_);
    expect(a.text).toBe(body);
    expect(extractArticle('', URL_).text).toBe('');
    expect(extractArticle('<p>just a fragment of text', URL_).text).toBe('just a fragment of text');
  });
});

describe('dates', () => {
  it('parses the English and Chinese forms pages print', () => {
    const iso = (s: string, offset = 0) => findDateInText(s, { defaultOffset: offset })?.toISOString();
    expect(iso('Posted Nov. 20, 2019 5:52 AM EST')).toBe('2019-11-20T10:52:00.000Z');
    expect(iso('Tuesday 19 November 2019 10:48 GMT')).toBe('2019-11-19T10:48:00.000Z');
    expect(iso('November 19, 2019 | 4:20pm')).toBe('2019-11-19T00:00:00.000Z');
    expect(iso('发布时间：2023年7月23日 19:35')).toBe('2023-07-23T11:35:00.000Z');
    expect(iso('2023-07-23 19:35:01', 480)).toBe('2023-07-23T11:35:01.000Z');
    expect(iso('2023年02月30日')).toBeUndefined();
    expect(iso('no date here, only 42 numbers')).toBeUndefined();
    expect(parseDateValue('Tue, 19 Nov 2019 10:48:00 +0100')?.toISOString()).toBe('2019-11-19T09:48:00.000Z');
    expect(parseDateValue('1574160480')?.toISOString()).toBe('2019-11-19T10:48:00.000Z');
    expect(parseDateValue('2019-11-19T10:48:00.123+05:30')?.toISOString()).toBe('2019-11-19T05:18:00.000Z');
  });
});

describe('listing links', () => {
  it('knows registrable hosts and site suffixes', () => {
    expect(registrableHost('news.example.com.cn')).toBe('example.com.cn');
    expect(registrableHost('www.bbc.co.uk')).toBe('bbc.co.uk');
    expect(registrableHost('a.b.example.org')).toBe('example.org');
    expect(stripSiteName('A - B headline that has a dash - Example')).toBe('A - B headline that has a dash');
    expect(stripSiteName('Markets | Cotton rises for a third week')).toBe('Cotton rises for a third week');
    expect(stripSiteName('Trump - the years of chaos')).toBe('Trump - the years of chaos');
    expect(stripSiteName('Cotton rises: what it means - Example', 'Example')).toBe('Cotton rises: what it means');
  });

  it('reports a bad linkSelector with what to fix', () => {
    const { doc, base } = parseDocument('<html><body><a href="/a">a</a></body></html>', 'https://example.com/');
    expect(() => findArticleLinks(doc, base, 'https://example.com/', 'a[[')).toThrow(/linkSelector "a\[\[" is not a valid CSS selector/);
  });
});

describe('article link discovery', () => {
  const find = (body: string) => {
    const { doc, base } = parseDocument(`<html><body>${body}</body></html>`, 'https://www.example.com.cn/news/');
    return findArticleLinks(doc, base, 'https://www.example.com.cn/news/').map((l) => l.url);
  };

  it('accepts article-shaped paths on the same registrable host and nothing else', () => {
    expect(
      find(`<a href="/news/2023-07/23/content_123456.htm">棉花价格连续三周上涨</a>
        <a href="https://m.example.com.cn/a/cotton-prices-rise-again">Cotton prices rise again this week</a>
        <a href="/news/short">Go</a> <a href="/news/?page=2">Next page of the news</a>
        <a href="https://other.cn/2023/07/23/x.html">Another site's story about cotton</a>`),
    ).toEqual(['https://www.example.com.cn/news/2023-07/23/content_123456.htm', 'https://m.example.com.cn/a/cotton-prices-rise-again']);
  });

  it('falls back to semantic chrome only when class-named chrome hides every link', () => {
    expect(
      find(`<div class="page-header-wrap"><ul><li><a href="/a/2023/07/23/story.html">Cotton rises for a third week</a></li></ul></div>
      <nav><a href="/a/2023/07/22/nav-story.html">A story linked from the menu</a></nav>`),
    ).toEqual(['https://www.example.com.cn/a/2023/07/23/story.html']);
  });
});
