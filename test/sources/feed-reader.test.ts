// The feed Reader against a real local HTTP server on 127.0.0.1, through the real guarded fetcher:
// 200 with an ETag, then 304 for If-None-Match (passed through without parsing), charset from
// the Content-Type header, and "not a feed at all" as an error for the source.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { feedReader, parseFeedFile } from '../../src/sources/feed.js';
import type { ReadContext, SourceRef } from '../../src/sources/types.js';
import { testFetcher } from '../support/fetcher.js';

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>Cotton</title><link>/</link>
<item><title>Prices up</title><link>/a/1</link><guid>a-1</guid></item></channel></rss>`;
const GBK_FEED = iconv.encode('<rss version="2.0"><channel><title>棉花</title><item><title>价格上涨</title></item></channel></rss>', 'gbk');
const ETAG = '"v1"';

describe('feedReader', () => {
  let server: Server;
  let origin = '';
  const seen: IncomingHttpHeaders[] = [];
  const fetcher = testFetcher({ maxRedirects: 3, perHostConcurrency: 2 });
  const ctx: ReadContext = { fetcher, log: silentLogger(), now: () => new Date() };
  const source = (p: string, etag: string | null = null): SourceRef => ({
    id: 1,
    kind: 'feed',
    url: origin + p,
    name: 'test',
    etag,
    lastModified: null,
    options: {},
  });

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      if (req.url === '/feed.xml') {
        if (req.headers['if-none-match'] === ETAG) {
          res.writeHead(304, { etag: ETAG }).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag: ETAG, 'last-modified': 'Mon, 06 May 2024 00:00:00 GMT' }).end(FEED);
      } else if (req.url === '/gbk.xml') {
        res.writeHead(200, { 'content-type': 'text/xml; charset=GBK' }).end(GBK_FEED);
      } else if (req.url === '/page.html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body><p>Welcome</p></body></html>');
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await fetcher.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads a feed (200), then passes a 304 through for If-None-Match', async () => {
    const reader = feedReader();
    expect(reader.kind).toBe('feed');
    const first = await reader.read(source('/feed.xml'), ctx);
    expect(first.status).toBe('ok');
    if (first.status !== 'ok') return;
    expect(first.url).toBe(`${origin}/feed.xml`);
    expect(first.etag).toBe(ETAG);
    expect(first.lastModified).toBe('Mon, 06 May 2024 00:00:00 GMT');
    expect(first.feed).toMatchObject({ format: 'rss20', bozo: false, feed: { title: 'Cotton', link: `${origin}/` } });
    expect(first.feed.items).toMatchObject([{ id: 'a-1', title: 'Prices up', link: `${origin}/a/1` }]);
    expect(seen.at(-1)?.accept).toMatch(/application\/rss\+xml/);

    const second = await reader.read(source('/feed.xml', ETAG), ctx);
    expect(seen.at(-1)?.['if-none-match']).toBe(ETAG);
    expect(second).toEqual({ status: 'not-modified', etag: ETAG });
  });

  it('decodes with the charset of the Content-Type header (GBK as GB18030)', async () => {
    const res = await feedReader().read(source('/gbk.xml'), ctx);
    expect(res.status === 'ok' && res.feed).toMatchObject({ encoding: 'gb18030', feed: { title: '棉花' }, items: [{ title: '价格上涨' }] });
  });

  it('turns a document that is not a feed into an error for the source', async () => {
    await expect(feedReader().read(source('/page.html'), ctx)).rejects.toThrow(/is not a feed \(not a feed: an HTML page/);
  });

  it('parses a feed file from disk the same way (parseFeedFile)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tidings-feed-'));
    try {
      const file = path.join(dir, 'feed.xml');
      await writeFile(file, FEED);
      const feed = await parseFeedFile(file, { url: 'https://ex.test/feed.xml' });
      expect(feed).toMatchObject({ format: 'rss20', items: [{ link: 'https://ex.test/a/1' }] });
      await expect(parseFeedFile(path.join(dir, 'missing.xml'))).rejects.toThrow(/cannot read feed file .*missing\.xml: ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
