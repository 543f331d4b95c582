// Acceptance 5 of issue 2: hostile sources, all on loopback. The CANARY on 127.0.0.1 is never
// allowed, so any request reaching it is an SSRF hole; "public" content lives on 127.0.0.2/.3.
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetcher } from '../../src/sources/fetcher.js';
import type { FetcherOptions } from '../../src/sources/types.js';
import { fetchFailure as failure, testFetcherOptions } from '../support/fetcher.js';
import { type FixtureServer, type Routes, startServer } from '../support/http-fixture.js';

const MiB = 1024 * 1024;

// DNS for the tests: nothing ever leaves the machine, unknown names do not resolve.
const lookup: FetcherOptions['lookup'] = async (hostname) => {
  const table: Record<string, string[]> = {
    'evil.test': ['127.0.0.1'],
    'good.test': ['127.0.0.2'],
    'mixed.test': ['127.0.0.2', '127.0.0.1'],
    'intranet.test': ['127.0.0.4'],
  };
  const answers = table[hostname];
  if (!answers) throw Object.assign(new Error(`test DNS: ${hostname} not found`), { code: 'ENOTFOUND' });
  return answers.map((address) => ({ address, family: 4 as const }));
};

const options = (over: Partial<FetcherOptions> = {}): FetcherOptions =>
  testFetcherOptions({
    allow: ['127.0.0.2', '127.0.0.3'],
    lookup,
    ...over,
  });

let canary: FixtureServer;
let pub: FixtureServer;
let endlessClosed: Promise<number>;

beforeAll(async () => {
  canary = await startServer({ '/': { body: 'secret' }, '/secret': { body: 'secret' } });
  // 200 MiB of zeros, gzipped as it streams (about 200 KB on the wire).
  const zero = Buffer.alloc(MiB);
  const bomb = await buffer(
    Readable.from(
      (function* () {
        for (let i = 0; i < 200; i++) yield zero;
      })(),
    ).pipe(zlib.createGzip()),
  );
  let closeEndless: (bytes: number) => void = () => {};
  endlessClosed = new Promise((resolve) => {
    closeEndless = resolve;
  });
  pub = await startServer(
    {
      '/feed': { headers: { 'content-type': 'application/rss+xml' }, body: '<rss version="2.0"><channel/></rss>' },
      '/to-canary': { status: 302, headers: { location: `http://127.0.0.1:${canary.port}/secret` } },
      '/to-canary-numeric': { status: 301, headers: { location: `http://2130706433:${canary.port}/secret` } },
      '/to-evil': { status: 307, headers: { location: `http://evil.test:${canary.port}/secret` } },
      '/hop-then-canary': { status: 302, headers: { location: '/to-canary' } },
      '/bomb': { headers: { 'content-type': 'application/xml', 'content-encoding': 'gzip' }, body: bomb },
      '/endless': (_req, res) => {
        let sent = 0;
        const chunk = Buffer.alloc(64 * 1024, 'a');
        res.writeHead(200, { 'content-type': 'text/html' });
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        };
        res.on('drain', pump);
        res.on('close', () => closeEndless(sent));
        pump();
      },
    },
    { host: '127.0.0.2' },
  );
});

afterAll(async () => {
  // Every test above already checked; this catches a stray request from any of them.
  expect(canary.hits).toEqual([]);
  await canary.close();
  await pub.close();
});

// One-shot runs (the CLI's ingest) send a host's only request through a separate agent: same guard.
describe.each([
  ['', {}],
  [' (one-shot)', { oneShot: true }],
])('private addresses are refused before any byte reaches them%s', (_mode, mode) => {
  const fetcher = createFetcher(options(), mode);
  afterAll(() => fetcher.close());

  const forms = [
    '127.0.0.1',
    'localhost',
    'LOCALHOST.',
    '10.0.0.1',
    '172.16.0.1',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '[::1]',
    '[::]',
    '[fc00::1]',
    '[fe80::1]',
    '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]',
    '[0:0:0:0:0:ffff:127.0.0.1]',
    '[64:ff9b::127.0.0.1]',
    '2130706433',
    '0x7f000001',
    '0177.0.0.1',
    '127.1',
    '0x7f.1',
    '127.000.000.001',
  ];

  it.each(forms)('http://%s:<canary port>/ → blocked-address', async (host) => {
    const err = await failure(fetcher.fetch(`http://${host}:${canary.port}/secret`));
    expect(err.code).toBe('blocked-address');
    expect(err.message).toMatch(/^refused to connect to .+: it is (a|an|the) .+; add it to the fetch allow-list/);
    expect(canary.hits).toEqual([]);
  });

  it.each([
    ['a redirect', '/to-canary'],
    ['a redirect to a numeric form', '/to-canary-numeric'],
    ['a redirect to a name that resolves to loopback', '/to-evil'],
    ['the second hop of a redirect chain', '/hop-then-canary'],
  ])('refuses the canary via %s', async (_what, path) => {
    const err = await failure(fetcher.fetch(`${pub.url}${path}`));
    expect(err.code).toBe('blocked-address');
    expect(err.message).toContain('refused to connect to');
    expect(err.message).toContain('redirected from');
    expect(canary.hits).toEqual([]);
  });

  it('refuses a hostname that resolves to loopback, at connect time', async () => {
    const err = await failure(fetcher.fetch(`http://evil.test:${canary.port}/secret`));
    expect(err.code).toBe('blocked-address');
    expect(err.message).toContain('evil.test: it resolves to 127.0.0.1, which is a loopback address');
    expect(canary.hits).toEqual([]);
  });

  it('refuses a hostname when any one of its addresses is private', async () => {
    const err = await failure(fetcher.fetch(`http://mixed.test:${pub.port}/feed`));
    expect(err.code).toBe('blocked-address');
    expect(err.message).toContain('resolves to 127.0.0.1');
    expect((await fetcher.fetch(`http://good.test:${pub.port}/feed`)).status).toBe('ok');
  });

  it('lets a hostname on the allow-list reach a private address, and only that name', async () => {
    const intranet = await startServer({ '/': { body: 'intranet page' } }, { host: '127.0.0.4' });
    const allowed = createFetcher(options({ allow: ['intranet.test'] }));
    const res = await allowed.fetch(`http://intranet.test:${intranet.port}/`);
    expect(res.status === 'ok' && res.body.toString()).toBe('intranet page');
    expect((await failure(allowed.fetch(`http://127.0.0.4:${intranet.port}/`))).code).toBe('blocked-address');
    expect((await failure(fetcher.fetch(`http://intranet.test:${intranet.port}/`))).code).toBe('blocked-address');
    expect(intranet.hits).toEqual(['GET /']);
    await allowed.close();
    await intranet.close();
  });

  it.each(['file:///etc/passwd', 'ftp://127.0.0.2/feed', 'data:text/plain,hello', 'gopher://127.0.0.2:70/', 'javascript:alert(1)'])(
    '%s → bad-scheme',
    async (url) => {
      const err = await failure(fetcher.fetch(url));
      expect(err.code).toBe('bad-scheme');
      expect(err.message).toMatch(/^only http and https URLs are fetched, not [a-z]+:/);
    },
  );
});

describe('bodies stop at the cap, after decompression', () => {
  const fetcher = createFetcher(options({ maxBytes: MiB }));
  afterAll(() => fetcher.close());

  it('a gzip bomb (200 MiB of zeros) stops at 1 MiB with too-large', async () => {
    const before = process.memoryUsage();
    const started = Date.now();
    const err = await failure(fetcher.fetch(`${pub.url}/bomb`));
    const after = process.memoryUsage();
    expect(err.code).toBe('too-large');
    expect(err.message).toContain('after decompression');
    expect(Date.now() - started).toBeLessThan(5000);
    // Inflating it all would allocate 200 MiB; stopping at the cap keeps growth near 1 MiB.
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    expect(grown).toBeLessThan(64 * MiB);
  });

  it('an endless body stops at 1 MiB with too-large and the connection is closed', async () => {
    const err = await failure(fetcher.fetch(`${pub.url}/endless`));
    expect(err.code).toBe('too-large');
    const sent = await endlessClosed;
    // What the server managed to push is bounded by the cap plus socket buffers, not endless.
    expect(sent).toBeLessThan(32 * MiB);
  });
});

describe('slow servers stop at the deadline while healthy feeds complete', () => {
  let slow: FixtureServer;
  let healthy: FixtureServer;
  const closed: string[] = [];

  beforeAll(async () => {
    slow = await startServer(
      {
        '/drip': (req, res) => {
          res.writeHead(200, { 'content-type': 'application/rss+xml' });
          res.write('<');
          const timer = setInterval(() => res.write('r'), 5000);
          req.socket.on('close', () => {
            clearInterval(timer);
            closed.push('drip');
          });
        },
        '/never': (req) => {
          req.socket.on('close', () => closed.push('never'));
        },
      },
      { host: '127.0.0.3' },
    );
    const routes: Routes = {};
    for (let i = 0; i < 20; i++) {
      routes[`/feed/${i}`] = (_req, res) => {
        setTimeout(() => res.end(`<rss version="2.0"><channel><title>feed ${i}</title></channel></rss>`), 20);
      };
    }
    healthy = await startServer(routes, { host: '127.0.0.2' });
  });

  afterAll(async () => {
    await slow.close();
    await healthy.close();
  });

  it('drip (1 byte per 5 s) and never-answer time out at 1.5 s; 20 healthy feeds all complete', async () => {
    const fetcher = createFetcher(options({ timeoutMs: 1500, idleTimeoutMs: 10_000 }));
    const started = Date.now();
    let slowSettled = false;
    const slowOnes = Promise.all([failure(fetcher.fetch(`${slow.url}/drip`)), failure(fetcher.fetch(`${slow.url}/never`))]).finally(() => {
      slowSettled = true;
    });
    const feeds = await Promise.all(Array.from({ length: 20 }, (_, i) => fetcher.fetch(`${healthy.url}/feed/${i}`)));
    expect(feeds.map((f) => f.status === 'ok' && f.body.toString().includes(`feed ${feeds.indexOf(f)}`))).toEqual(Array(20).fill(true));
    expect(slowSettled).toBe(false);

    const [drip, never] = await slowOnes;
    const elapsed = Date.now() - started;
    expect(drip).toMatchObject({ code: 'timeout' });
    expect(never).toMatchObject({ code: 'timeout' });
    expect(drip?.message).toContain('within 1500 ms');
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(4000);
    // The sockets were torn down, not left dripping.
    await expect.poll(() => [...closed].sort(), { timeout: 2000 }).toEqual(['drip', 'never']);
    await fetcher.close();
  });
});
