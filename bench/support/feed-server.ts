// A loopback server of N generated RSS feeds (M items, ~40 KB each) with ETags, for the ingest
// benchmark: feed f is http://<feedAddress(f)>:<port>/feed/<f>.xml. Run as a child process so
// its memory does not count toward the ingester's RSS.
import { createServer } from 'node:http';
import { feedAddress } from './feed-address.js';

const feeds = Number(process.argv[2] ?? 1000);
const items = Number(process.argv[3] ?? 50);

const WORDS = (
  'market cotton yarn fibre polyester export order mill price demand supply inventory futures contract buyer ' +
  'retailer season spinning weaving dyeing finishing freight port container europe asia capacity margin ' +
  'energy carbon report survey association member quarter growth decline stable forecast analyst trader ' +
  'warehouse shipment factory worker wage policy tariff regulation standard quality brand design fabric ' +
  'garment apparel technical home textile recycled sustainable investment equipment automation digital'
).split(' ');

/** Deterministic pseudo-random text: every feed and item differs, so nothing is a duplicate. */
function words(seed: number, n: number): string {
  let x = seed >>> 0 || 1;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.push(WORDS[(x >>> 0) % WORDS.length]!);
  }
  return out.join(' ');
}

function feed(f: number): string {
  const entries: string[] = [];
  for (let i = 0; i < items; i++) {
    const seed = f * 7919 + i * 104729 + 1;
    const date = new Date(Date.UTC(2026, 10, 1) + (f * items + i) * 60_000).toUTCString();
    entries.push(
      `<item><title>${words(seed, 8)}</title><link>http://feed${f}.bench.test/a/${i}.html</link>` +
        `<guid>feed${f}-item${i}</guid><pubDate>${date}</pubDate><category>bench</category>` +
        `<description>&lt;p&gt;${words(seed + 3, 60)}&lt;/p&gt;&lt;p&gt;${words(seed + 5, 55)}&lt;/p&gt;</description></item>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench feed ${f}</title>` +
    `<link>http://feed${f}.bench.test/</link><description>generated</description>${entries.join('\n')}</channel></rss>`
  );
}

const bodies = Array.from({ length: feeds }, (_, f) => Buffer.from(feed(f)));

const handler: Parameters<typeof createServer>[1] = (req, res) => {
  const m = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
  const body = m ? bodies[Number(m[1])] : undefined;
  if (!body) return void res.writeHead(404).end();
  const etag = `"v1-${m![1]}"`;
  if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { ETag: etag }).end();
  res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8', ETag: etag, 'Content-Length': body.length }).end(body);
};

function listen(address: string, port: number): Promise<number> {
  const server = createServer(handler);
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : 0);
    });
  });
}

// One port on every feed's address (the first listener picks it); the plain 127.0.0.1 as well.
const port = await listen(feedAddress(0), 0);
for (let f = 1; f < feeds; f++) await listen(feedAddress(f), port);
await listen('127.0.0.1', port);
const bytes = bodies.reduce((n, b) => n + b.length, 0);
process.stdout.write(JSON.stringify({ port, bytes }) + '\n');
process.on('disconnect', () => process.exit(0));
