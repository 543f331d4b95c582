import { Writable } from 'node:stream';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/log.js';
import { pageReader } from '../../src/sources/page.js';
import type { ParsedFeed, ReadContext, ReadResult, SourceOptions, SourceRef } from '../../src/sources/types.js';
import { type FixtureServer, type Routes, startServer } from '../support/http-fixture.js';
import { testFetcher } from '../support/fetcher.js';

const HTML = { 'content-type': 'text/html; charset=utf-8' };
const LONG =
  'Mills across the region bought more cotton this week than in any week since March, according to brokers, while yarn prices stayed flat and freight costs eased slightly.';

function article(opts: { title: string; head?: string; top?: string; bottom?: string; lang?: string }): string {
  return `<!doctype html><html lang="${opts.lang ?? 'en'}"><head><title>${opts.title} | Fibre Daily</title>${opts.head ?? ''}</head>
<body><header><nav><a href="/">Home</a></nav></header><article><h1>${opts.title}</h1>${opts.top ?? ''}
<p>${opts.title}: ${LONG}</p><p>${LONG} Traders expect the trend to hold.</p><p>${LONG}</p>${opts.bottom ?? ''}</article>
<footer><a href="/about">About</a></footer></body></html>`;
}

const listing = `<!doctype html><html><head><title>Fibre Daily — Markets</title><meta property="og:site_name" content="Fibre Daily"></head><body>
<header><nav class="main-nav"><a href="/">Home</a> <a href="/markets/">Markets</a> <a href="/login">Sign in to your account</a></nav></header>
<div class="breadcrumbs"><a href="/markets/cotton/">Cotton market news and prices</a></div>
<main><ul class="stories">
  <li><a href="/news/2023/07/23/cotton-rises.html">Cotton rises for a third week</a></li>
  <li><a href="/news/2023/07/22/yarn-exports.html">Yarn exports hit a new record</a></li>
  <li><a href="/news/123456.html">港口罢工结束后棉花运输恢复正常</a></li>
  <li><a href="/news/2023/07/23/cotton-rises.html#comments">12 comments on this story</a></li>
  <li><a href="/tag/cotton">More stories tagged cotton</a></li>
  <li><a href="/category/markets/">All stories in markets category</a></li>
  <li><a href="https://elsewhere.example.org/2023/07/23/other-story.html">A story on another site entirely</a></li>
</ul><div class="pagination"><a href="/markets/page/2">Next page of stories</a></div></main>
<footer><a href="/privacy">Privacy policy and terms</a> <a href="/about/team-and-history">About the team and our history</a></footer>
</body></html>`;

const gbkArticle = iconv.encode(
  `<!doctype html><html><head><title>棉花价格连续三周上涨_纤维日报</title>${'<meta name="keywords" content="cotton, yarn, market">'.repeat(40)}
<meta http-equiv="Content-Type" content="text/html; charset=gbk"></head><body><div class="article"><h1>棉花价格连续三周上涨</h1>
<div class="info">发布时间：2023年7月23日 19:35　来源：纤维日报</div>
<p>本周亚洲纺织厂补库存，棉花期货价格连续第三周上涨，涨幅为今年春季以来最大。</p>
<p>分析人士认为，在新棉上市之前需求将保持坚挺，但运费上涨可能减缓美洲的发货速度。</p>
<p>港口罢工结束后，棉花运输已恢复正常，各地纺织企业订单充足，市场信心明显回升。</p></div></body></html>`,
  'gbk',
);

/** Chain of articles linked by previous/next: a ⇄ b ⇄ c ⇄ d (labels in Chinese and English). */
function chained(name: string, prev?: string, next?: string): string {
  const nav = `<div class="pn">${prev ? `上一篇：<a href="/chain/${prev}.html">Story ${prev}</a>` : ''} ${next ? `<a href="/chain/${next}.html">Next article: Story ${next}</a>` : ''}</div>`;
  return article({ title: `Story ${name}`, bottom: nav });
}

describe('pageReader', () => {
  let server: FixtureServer;
  const fetcher = testFetcher();
  const ctx: ReadContext = { fetcher, log: silentLogger(), now: () => new Date('2023-08-01T00:00:00Z') };
  const source = (path: string, options: SourceOptions = {}, etag: string | null = null): SourceRef => ({
    id: 1,
    kind: 'page',
    url: `${server.url}${path}`,
    name: 'Fibre Daily',
    etag,
    lastModified: null,
    options,
  });
  const ok = (r: ReadResult): { feed: ParsedFeed; url: string; etag?: string } => {
    if (r.status !== 'ok') throw new Error(`expected ok, got ${r.status}`);
    return r;
  };

  beforeAll(async () => {
    const routes: Routes = {
      '/markets/': { headers: { ...HTML, etag: '"v1"' }, body: listing },
      '/news/2023/07/23/cotton-rises.html': {
        headers: HTML,
        body: article({
          title: 'Cotton rises for a third week',
          head: '<meta property="article:published_time" content="2023-07-23T11:35:00Z"><meta property="og:image" content="/img/bales.jpg">',
        }),
      },
      '/news/2023/07/22/yarn-exports.html': {
        headers: HTML,
        body: article({
          title: 'Yarn exports hit a new record',
          head: `<script type="application/ld+json">${JSON.stringify({ '@graph': [{ '@type': 'NewsArticle', datePublished: '2023-07-22T09:00:00+02:00', author: { name: 'Li Wei' } }] })}</script>`,
        }),
      },
      '/news/123456.html': { headers: { 'content-type': 'text/html' }, body: gbkArticle },
      '/picked/': {
        headers: HTML,
        body: `<html><body><div class="latest"><a href="/x/1">One</a><a href="/x/2">Two</a></div><a href="/x/3">Three is a headline with words</a></body></html>`,
      },
      '/x/1': { headers: HTML, body: article({ title: 'Picked one', top: '<p class="meta">By Ann <time datetime="2023-07-20T08:00:00Z">20 July</time></p>' }) },
      '/x/2': { status: 404, headers: { 'content-type': 'text/plain' }, body: 'gone' },
      '/chain-start/': { headers: HTML, body: '<html><body><div class="first"><a href="/chain/a.html">Story a</a></div></body></html>' },
      '/chain/a.html': { headers: HTML, body: chained('a', 'b') },
      '/chain/b.html': { headers: HTML, body: chained('b', 'c', 'a') },
      '/chain/c.html': { headers: HTML, body: chained('c', 'd', 'b') },
      '/chain/d.html': { headers: HTML, body: chained('d', undefined, 'c') },
    };
    routes['/markets/'] = (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return res.writeHead(304, { etag: '"v1"' }).end();
      res.writeHead(200, { ...HTML, etag: '"v1"' }).end(listing);
    };
    server = await startServer(routes);
  });
  afterAll(async () => {
    await fetcher.close();
    await server?.close();
  });

  it('discovers exactly the three same-site article links and extracts each article', async () => {
    const r = ok(await pageReader().read(source('/markets/'), ctx));
    expect(r.etag).toBe('"v1"');
    const { feed } = r;
    expect(feed).toMatchObject({
      kind: 'page',
      format: 'page',
      encoding: 'utf-8',
      bozo: false,
      feed: { title: 'Fibre Daily', link: `${server.url}/markets/` },
    });
    expect(feed.items.map((i) => i.link)).toEqual([
      `${server.url}/news/2023/07/23/cotton-rises.html`,
      `${server.url}/news/2023/07/22/yarn-exports.html`,
      `${server.url}/news/123456.html`,
    ]);
    const [cotton, yarn, gbk] = feed.items;
    expect(cotton).toMatchObject({ title: 'Cotton rises for a third week', image: `${server.url}/img/bales.jpg`, lang: 'en' });
    expect(cotton?.published?.toISOString()).toBe('2023-07-23T11:35:00.000Z');
    expect(cotton?.contentText).toContain('Traders expect the trend to hold.');
    expect(cotton?.contentText).not.toMatch(/Home|About/);
    expect(yarn?.published?.toISOString()).toBe('2023-07-22T07:00:00.000Z');
    expect(yarn?.author).toBe('Li Wei');
    // GBK bytes, labelled only by a <meta> after 2 KB of head, come out as exact UTF-8.
    expect(gbk?.title).toBe('棉花价格连续三周上涨');
    expect(gbk?.published?.toISOString()).toBe('2023-07-23T11:35:00.000Z');
    expect(gbk?.contentText).toContain('本周亚洲纺织厂补库存，棉花期货价格连续第三周上涨，涨幅为今年春季以来最大。');
    expect(gbk?.contentText).toContain('市场信心明显回升。');
    expect(gbk?.contentText).not.toContain('\ufffd');
  });

  it('answers a 304 listing with not-modified and fetches no article', async () => {
    const before = server.hits.length;
    const r = await pageReader().read(source('/markets/', {}, '"v1"'), ctx);
    expect(r).toEqual({ status: 'not-modified', etag: '"v1"' });
    expect(server.hits.slice(before)).toEqual(['GET /markets/']);
    expect(server.requests.at(-1)?.headers['if-none-match']).toBe('"v1"');
  });

  it('uses linkSelector, caps at maxItems, and logs and skips an article that fails', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk, _enc, done) => {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ level: 'warn', destination: sink });
    const r = ok(await pageReader().read(source('/picked/', { linkSelector: '.latest a' }), { ...ctx, log }));
    expect(r.feed.items.map((i) => i.title)).toEqual(['Picked one']);
    expect(r.feed.items[0]?.published?.toISOString()).toBe('2023-07-20T08:00:00.000Z');
    const logged = lines.join('');
    expect(logged).toContain('article skipped');
    expect(logged).toContain('HTTP 404');
    expect(logged).toContain('/x/2');

    const capped = ok(await pageReader().read(source('/markets/', { maxItems: 2 }), ctx));
    expect(capped.feed.items).toHaveLength(2);
  });

  it('follows next/previous links up to followDepth without revisiting', async () => {
    const none = ok(await pageReader().read(source('/chain-start/', { linkSelector: '.first a' }), ctx));
    expect(none.feed.items.map((i) => i.title)).toEqual(['Story a']);
    expect(none.feed.items[0]?.navigation).toEqual({ previous: 'Story b', next: undefined });

    const one = ok(await pageReader().read(source('/chain-start/', { linkSelector: '.first a', followDepth: 1 }), ctx));
    expect(one.feed.items.map((i) => i.title)).toEqual(['Story a', 'Story b']);

    const hitsBefore = server.hits.length;
    const two = ok(await pageReader().read(source('/chain-start/', { linkSelector: '.first a', followDepth: 2 }), ctx));
    expect(two.feed.items.map((i) => i.title)).toEqual(['Story a', 'Story b', 'Story c']);
    // b links back to a and c back to b: each page is still fetched exactly once.
    expect(server.hits.slice(hitsBefore)).toEqual(['GET /chain-start/', 'GET /chain/a.html', 'GET /chain/b.html', 'GET /chain/c.html']);

    const deep = ok(await pageReader().read(source('/chain-start/', { linkSelector: '.first a', followDepth: 10 }), ctx));
    expect(deep.feed.items.map((i) => i.title)).toEqual(['Story a', 'Story b', 'Story c', 'Story d']);
  });

  it('rejects a bad option with a message that names it', async () => {
    await expect(pageReader().read(source('/markets/', { followDepth: -1 }), ctx)).rejects.toThrow(/followDepth must be a whole number/);
  });
});
