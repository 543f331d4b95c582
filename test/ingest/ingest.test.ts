// The whole ingest path against real parts: a loopback HTTP server, the guarded fetcher, the
// readers, and both database dialects.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { buildReaders } from '../../src/deps.js';
import { type IngestDeps, ingestAll } from '../../src/ingest/ingest.js';
import { createStories } from '../../src/ingest/story-sync.js';
import { silentLogger } from '../../src/log.js';
import { listArticles } from '../../src/store/articles.js';
import { addSource, getSource } from '../../src/store/sources.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { testFetcher } from '../support/fetcher.js';
import { type FixtureServer, startServer } from '../support/http-fixture.js';

const para = (s: string) => `&lt;p&gt;${s}&lt;/p&gt;`;
const STORY =
  'The regional cotton exchange reported that spot prices for grade 3128 lint rose to their highest level since March, ' +
  'driven by strong buying from spinning mills that had delayed purchases during the autumn. Traders said mills in the ' +
  'coastal provinces were covering needs for the first quarter, and warehouse stocks fell for a fourth consecutive week. ' +
  'Analysts expect prices to stay firm until the new crop arrives in volume, although weaker yarn exports could limit gains.';
const OTHER =
  'Polyester producers announced maintenance shutdowns at three plants as margins between fibre prices and feedstock costs ' +
  'narrowed to the lowest level of the year. Downstream weavers said inventories were sufficient for several weeks, and ' +
  'buyers were unwilling to accept higher offers. The association will publish operating rates for the sector next week.';

function rss(items: { guid: string; title: string; link: string; body: string }[]): string {
  const xml = items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>${i.link}</link><guid>${i.guid}</guid><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate><description>${para(i.body)}</description></item>`,
    )
    .join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://x.test/</link>${xml}</channel></rss>`;
}

const FEEDS: Record<string, string> = {
  '/a.xml': rss([
    { guid: 'a1', title: 'Cotton prices hit a seven-month high', link: 'https://news.example/cotton?utm_source=rss', body: STORY },
    { guid: 'a2', title: 'Polyester plants shut for maintenance', link: 'https://news.example/pet', body: OTHER },
  ]),
  // Same article under the same canonical URL (tracking parameter differs) → exact duplicate.
  '/b.xml': rss([{ guid: 'b1', title: 'Cotton prices hit a seven-month high', link: 'https://news.example/cotton?utm_medium=feed', body: STORY }]),
  // The same story rewritten by another outlet: new title and URL, mostly the same text.
  '/c.xml': rss([
    { guid: 'c1', title: 'Mills drive lint to March highs', link: 'https://other.example/lint', body: `${STORY} Exchange officials declined to comment.` },
  ]),
};

let server: FixtureServer;
let failing = true;
beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === '/broken.xml')
      return void res.writeHead(failing ? 500 : 200, { 'content-type': 'application/rss+xml' }).end(failing ? 'oops' : FEEDS['/a.xml']);
    const body = FEEDS[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    const etag = `"${req.url}-v1"`;
    const lastModified = 'Mon, 23 Nov 2026 08:00:00 GMT';
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml', etag, 'last-modified': lastModified }).end(body);
  });
});
afterAll(() => server.close());

forEachDialect('ingest', (dialect) => {
  let store: TestStore;
  let deps: IngestDeps;
  let clock = new Date('2026-11-24T00:00:00Z');
  beforeEach(async () => {
    store = await dialect.open();
    clock = new Date('2026-11-24T00:00:00Z');
    const fetcher = testFetcher();
    deps = {
      db: store.db,
      readers: buildReaders(),
      fetcher,
      log: silentLogger(),
      now: () => clock,
      concurrency: 4,
      pauseAfter: 5,
      stories: createStories({ dialect: store.dialect }),
    };
    failing = true;
  });
  afterEach(async () => {
    await deps.fetcher.close();
    await store.close();
  });

  const add = (p: string, name = p) => addSource(store.db, { kind: 'feed', url: `${server.url}${p}`, name, intervalMinutes: 60, options: {} }, clock);

  it('stores new articles once, sends conditional requests, and a 304 stores nothing', async () => {
    for (const p of ['/a.xml', '/b.xml', '/c.xml']) await add(p);
    const first = await ingestAll(deps);
    expect(first).toMatchObject({ sources: 3, new: 3, duplicates: 1, failed: 0 });
    const rows = await listArticles(store.db, { limit: 10 });
    const byTitle = Object.fromEntries(rows.map((r) => [r.title, r]));
    expect(byTitle['Mills drive lint to March highs']!.cluster_id).toBe(byTitle['Cotton prices hit a seven-month high']!.cluster_id);
    expect(byTitle['Polyester plants shut for maintenance']!.cluster_id).not.toBe(byTitle['Cotton prices hit a seven-month high']!.cluster_id);
    expect(byTitle['Cotton prices hit a seven-month high']!.canonical_url).toBe('https://news.example/cotton');

    const before = server.requests.length;
    const second = await ingestAll(deps);
    expect(second).toMatchObject({ sources: 3, new: 0, duplicates: 0, notModified: 3 });
    const conditional = server.requests.slice(before);
    expect(conditional).toHaveLength(3);
    for (const r of conditional) {
      expect(r.headers['if-none-match']).toMatch(/-v1"$/);
      expect(r.headers['if-modified-since']).toBe('Mon, 23 Nov 2026 08:00:00 GMT');
    }
  });

  it('backs off a failing source, pauses it after repeated failures, and keeps the others going', async () => {
    const broken = await add('/broken.xml', 'broken');
    await add('/a.xml', 'good');
    const first = await ingestAll(deps);
    expect(first).toMatchObject({ sources: 2, new: 2, failed: 1 });
    expect(first.outcomes.find((o) => o.name === 'broken')!.error).toMatch(/500/);

    for (let i = 0; i < 2; i++) await ingestAll(deps, { force: true });
    let row = (await getSource(store.db, broken.id))!;
    expect(row).toMatchObject({ consecutive_failures: 3, last_status: 'error', enabled: 1 });
    expect(row.next_fetch_at! > clock.toISOString()).toBe(true);
    // Backing off: a plain run leaves it alone.
    expect((await ingestAll(deps)).outcomes.map((o) => o.name)).toEqual(['good']);

    for (let i = 0; i < 2; i++) await ingestAll(deps, { force: true });
    row = (await getSource(store.db, broken.id))!;
    expect(row.enabled).toBe(0);
    expect(row.paused_reason).toMatch(/paused automatically after 5 consecutive failures/);
    expect((await ingestAll(deps, { force: true })).outcomes.map((o) => o.name)).toEqual(['good']);
  });

  it('picks a recovered source up again once its backoff has passed', async () => {
    const broken = await add('/broken.xml', 'broken');
    await ingestAll(deps);
    failing = false;
    clock = new Date(clock.getTime() + 3 * 3600_000);
    const again = await ingestAll(deps, { dueOnly: true });
    expect(again).toMatchObject({ sources: 1, new: 2, failed: 0 });
    expect((await getSource(store.db, broken.id))!).toMatchObject({ consecutive_failures: 0, last_status: 'ok', last_error: null });
  });
});
