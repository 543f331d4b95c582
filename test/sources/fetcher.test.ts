import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetcher } from '../../src/sources/fetcher.js';
import type { FetcherOptions } from '../../src/sources/types.js';
import { fetchFailure as failure, TEST_UA, testFetcherOptions } from '../support/fetcher.js';
import { type FixtureServer, startServer } from '../support/http-fixture.js';

const UA = TEST_UA;
const options = (over: Partial<FetcherOptions> = {}): FetcherOptions => testFetcherOptions({ allow: ['127.0.0.2', '127.0.0.3'], ...over });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FEED = '<rss version="2.0"><channel><title>Cotton news</title></channel></rss>';

describe('createFetcher', () => {
  let server: FixtureServer;
  let other: FixtureServer;
  const fetcher = createFetcher(options());
  let inFlight = 0;
  let maxInFlight = 0;

  beforeAll(async () => {
    const gz = await promisify(zlib.gzip)(FEED);
    const br = await promisify(zlib.brotliCompress)(FEED);
    const zdeflate = await promisify(zlib.deflate)(FEED);
    const raw = await promisify(zlib.deflateRaw)(FEED);
    const redirectChain: Record<string, { status: number; headers: Record<string, string> }> = {};
    for (let i = 0; i < 6; i++) redirectChain[`/hop/${i}`] = { status: 302, headers: { location: `/hop/${i + 1}` } };
    server = await startServer(
      {
        '/feed': { headers: { 'content-type': 'application/rss+xml', etag: '"v1"', 'last-modified': 'Tue, 01 Jul 2025 10:00:00 GMT' }, body: FEED },
        '/gzip': { headers: { 'content-encoding': 'gzip' }, body: gz },
        '/br': { headers: { 'content-encoding': 'br' }, body: br },
        '/deflate': { headers: { 'content-encoding': 'deflate' }, body: zdeflate },
        '/deflate-raw': { headers: { 'content-encoding': 'deflate' }, body: raw },
        '/corrupt-gzip': { headers: { 'content-encoding': 'gzip' }, body: Buffer.from('not gzip at all') },
        '/corrupt-br': { headers: { 'content-encoding': 'br' }, body: Buffer.from('not brotli at all, really') },
        '/zstd': { headers: { 'content-encoding': 'zstd' }, body: 'x' },
        '/conditional': (req, res) => {
          const fresh = req.headers['if-none-match'] === '"v1"' && req.headers['if-modified-since'] === 'Tue, 01 Jul 2025 10:00:00 GMT';
          if (fresh) res.writeHead(304, { etag: '"v1"' }).end();
          else res.writeHead(200, { etag: '"v1"', 'last-modified': 'Tue, 01 Jul 2025 10:00:00 GMT' }).end(FEED);
        },
        ...redirectChain,
        '/hop/6': { body: 'arrived' },
        '/to-file': { status: 301, headers: { location: 'file:///etc/passwd' } },
        '/missing': { status: 404, body: 'not here' },
        '/busy': { status: 429, headers: { 'retry-after': '120' } },
        '/down': { status: 503, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } },
        '/private': (req, res) => {
          if (req.headers.authorization === `Basic ${Buffer.from('alice:s3cret').toString('base64')}`) res.end('members only');
          else res.writeHead(401).end();
        },
        '/private-elsewhere': (_req, res) => res.writeHead(302, { location: `${other.url}/echo-auth` }).end(),
        '/huge-declared': { headers: { 'content-length': String(2 * 1024 * 1024) }, body: Buffer.alloc(2 * 1024 * 1024) },
        '/stall': (_req, res) => {
          res.writeHead(200);
          res.write('<rss>');
        },
        '/slow': async (_req, res) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await sleep(150);
          inFlight--;
          res.end('done');
        },
      },
      { host: '127.0.0.2' },
    );
    other = await startServer(
      {
        '/echo-auth': (req, res) => res.end(req.headers.authorization ?? 'no credentials'),
        '/quick': { body: 'quick' },
      },
      { host: '127.0.0.3' },
    );
  });

  afterAll(async () => {
    await fetcher.close();
    await server.close();
    await other.close();
  });

  it('fetches with an honest User-Agent, Accept and Accept-Encoding and returns the validators', async () => {
    const res = await fetcher.fetch(`${server.url}/feed`);
    expect(res).toMatchObject({ status: 'ok', httpStatus: 200, url: `${server.url}/feed`, contentType: 'application/rss+xml', etag: '"v1"' });
    expect(res.status === 'ok' && res.body.toString()).toBe(FEED);
    expect(res.status === 'ok' && res.lastModified).toBe('Tue, 01 Jul 2025 10:00:00 GMT');
    const sent = server.requests.find((r) => r.path === '/feed')!.headers;
    expect(sent['user-agent']).toBe(UA);
    expect(sent.accept).toContain('application/rss+xml');
    expect(sent['accept-encoding']).toBe('gzip, deflate, br');
  });

  it.each(['/gzip', '/br', '/deflate', '/deflate-raw'])('decodes %s', async (path) => {
    const res = await fetcher.fetch(`${server.url}${path}`);
    expect(res.status === 'ok' && res.body.toString()).toBe(FEED);
  });

  it('reports corrupt or unsupported encodings as network errors', async () => {
    const corrupt = await failure(fetcher.fetch(`${server.url}/corrupt-gzip`));
    expect(corrupt.code).toBe('network');
    expect(corrupt.message).toContain('could not be decompressed (gzip)');
    const corruptBr = await failure(fetcher.fetch(`${server.url}/corrupt-br`));
    expect(corruptBr).toMatchObject({ code: 'network', message: expect.stringContaining('could not be decompressed (br)') });
    const zstd = await failure(fetcher.fetch(`${server.url}/zstd`));
    expect(zstd.message).toContain('unsupported Content-Encoding "zstd"');
  });

  it('sends If-None-Match and If-Modified-Since and turns 304 into not-modified', async () => {
    const first = await fetcher.fetch(`${server.url}/conditional`);
    expect(first.status).toBe('ok');
    const second = await fetcher.fetch(`${server.url}/conditional`, { etag: first.etag, lastModified: first.lastModified });
    expect(second).toEqual({ status: 'not-modified', url: `${server.url}/conditional`, etag: '"v1"', lastModified: 'Tue, 01 Jul 2025 10:00:00 GMT' });
    const last = server.requests.filter((r) => r.path === '/conditional').at(-1)!;
    expect(last.headers['if-none-match']).toBe('"v1"');
    expect(last.headers['if-modified-since']).toBe('Tue, 01 Jul 2025 10:00:00 GMT');
  });

  it('follows 5 redirects and refuses the 6th', async () => {
    const five = await fetcher.fetch(`${server.url}/hop/1`);
    expect(five).toMatchObject({ status: 'ok', url: `${server.url}/hop/6` });
    const six = await failure(fetcher.fetch(`${server.url}/hop/0`));
    expect(six.code).toBe('too-many-redirects');
    expect(six.message).toBe('too many redirects (more than 5)');
  });

  it('refuses a redirect to another scheme', async () => {
    const err = await failure(fetcher.fetch(`${server.url}/to-file`));
    expect(err.code).toBe('bad-scheme');
    expect(err.message).toContain('not file:');
  });

  it('reports HTTP errors with their status and Retry-After', async () => {
    const missing = await failure(fetcher.fetch(`${server.url}/missing`));
    expect(missing).toMatchObject({ code: 'http-status', httpStatus: 404, retryAfterMs: undefined });
    const busy = await failure(fetcher.fetch(`${server.url}/busy`));
    expect(busy).toMatchObject({ code: 'http-status', httpStatus: 429, retryAfterMs: 120_000 });
    const down = await failure(fetcher.fetch(`${server.url}/down`));
    expect(down.httpStatus).toBe(503);
    expect(down.retryAfterMs).toBeGreaterThan(50_000);
    expect(down.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('sends URL credentials as Basic auth to their origin only and never echoes them', async () => {
    const withAuth = `http://alice:s3cret@127.0.0.2:${server.port}`;
    const res = await fetcher.fetch(`${withAuth}/private`);
    expect(res.status === 'ok' && res.body.toString()).toBe('members only');
    expect(res.url).toBe(`${server.url}/private`);
    const moved = await fetcher.fetch(`${withAuth}/private-elsewhere`);
    expect(moved.status === 'ok' && moved.body.toString()).toBe('no credentials');
    const err = await failure(fetcher.fetch(`${withAuth}/missing`));
    expect(`${err.message} ${err.url}`).not.toContain('s3cret');
    expect(err.url).toBe(`${server.url}/missing`);
  });

  it('refuses an announced oversized body without reading it', async () => {
    const small = createFetcher(options({ maxBytes: 1024 * 1024 }));
    const err = await failure(small.fetch(`${server.url}/huge-declared`));
    expect(err.code).toBe('too-large');
    expect(err.message).toContain('1048576-byte limit');
    await small.close();
  });

  it('stops a body that goes silent at the idle timeout', async () => {
    const impatient = createFetcher(options({ idleTimeoutMs: 300 }));
    const err = await failure(impatient.fetch(`${server.url}/stall`));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('sent no data for 300 ms');
    await impatient.close();
  });

  it('limits concurrency per host while other hosts proceed', async () => {
    const polite = createFetcher(options({ perHostConcurrency: 2 }));
    maxInFlight = 0;
    let slowDone = 0;
    const slow = Array.from({ length: 8 }, () => polite.fetch(`${server.url}/slow`).finally(() => slowDone++));
    await sleep(50);
    const quick = await polite.fetch(`${other.url}/quick`);
    expect(quick.status).toBe('ok');
    // 8 requests of 150 ms two at a time take 600 ms; the other host did not queue behind them.
    expect(slowDone).toBeLessThan(8);
    const results = await Promise.all(slow);
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(maxInFlight).toBe(2);
    await polite.close();
  });

  it('reuses connections', async () => {
    const reuse = await startServer({ '/': { body: 'x' } }, { host: '127.0.0.2' });
    for (let i = 0; i < 20; i++) await fetcher.fetch(`${reuse.url}/`);
    expect(reuse.hits).toHaveLength(20);
    // undici may open a second socket while the first finishes a response; never one per request.
    expect(reuse.connections()).toBeLessThanOrEqual(2);
    await reuse.close();
  });

  it("one-shot: a host's only request closes its connection; concurrent ones keep the limit", async () => {
    const once = createFetcher(options({ perHostConcurrency: 2, maxBytes: 1024 * 1024 }), { oneShot: true });
    const alone = await startServer({ '/': { body: 'x' } }, { host: '127.0.0.2' });
    for (let i = 0; i < 3; i++) expect((await once.fetch(`${alone.url}/`)).status).toBe('ok');
    // Nothing kept for a next pass: a connection per fetch, each closed with its response.
    expect(alone.connections()).toBe(3);
    maxInFlight = 0;
    const slow = await Promise.all(Array.from({ length: 6 }, () => once.fetch(`${server.url}/slow`)));
    expect(slow.every((r) => r.status === 'ok')).toBe(true);
    expect(maxInFlight).toBe(2);
    expect((await failure(once.fetch(`${server.url}/huge-declared`))).code).toBe('too-large');
    await once.close();
    await alone.close();
  });

  it('rejects malformed URLs and reports a cancelled fetch', async () => {
    expect((await failure(fetcher.fetch('http://exa mple.com/'))).code).toBe('bad-url');
    expect((await failure(fetcher.fetch('not a url'))).code).toBe('bad-url');
    const controller = new AbortController();
    const pending = fetcher.fetch(`${server.url}/stall`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const err = await failure(pending);
    expect(err.code).toBe('network');
    expect(err.message).toContain('was cancelled');
  });

  it('drops a queued request when its caller gives up, and keeps the queue moving', async () => {
    const single = createFetcher(options({ perHostConcurrency: 1 }));
    const holder = new AbortController();
    const holding = failure(single.fetch(`${server.url}/stall`, { signal: holder.signal }));
    const queued = new AbortController();
    const waiting = failure(single.fetch(`${server.url}/feed`, { signal: queued.signal }));
    const behind = single.fetch(`${server.url}/feed`);
    await sleep(100);
    queued.abort();
    expect((await waiting).message).toContain('was cancelled');
    holder.abort();
    expect((await holding).code).toBe('network');
    expect((await behind).status).toBe('ok');
    await single.close();
  });

  it('refuses to fetch once closed', async () => {
    const closing = createFetcher(options());
    expect((await closing.fetch(`${server.url}/feed`)).status).toBe('ok');
    await closing.close();
    const err = await failure(closing.fetch(`${server.url}/feed`));
    expect(err).toMatchObject({ code: 'network', message: expect.stringContaining('already closed') });
  });

  it('validates its options with clear messages', () => {
    expect(() => createFetcher(options({ timeoutMs: 0 }))).toThrow('timeoutMs must be a positive number');
    expect(() => createFetcher(options({ maxRedirects: -1 }))).toThrow('maxRedirects');
    expect(() => createFetcher(options({ userAgent: ' ' }))).toThrow('userAgent');
    expect(() => createFetcher(options({ allow: ['10.0.0.0/99'] }))).toThrow('invalid prefix length');
  });
});
