// /api/v1/sources as an adapter of the core (whose rules test/core/sources*.test.ts covers): the
// JSON shapes in camelCase, the status each CoreError code answers with, the query flags
// (deleteArticles, dryRun), OPML in and out with their content types. Feeds come from a
// loopback fixture server.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { oneCottonArticle } from '../support/ledger-seed.js';
import { listAudit } from '../../src/store/bot.js';
import { listSources } from '../../src/store/sources.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { type FixtureServer, startServer } from '../support/http-fixture.js';
import { type ApiHarness, apiHarness } from './api-harness.js';

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>Cotton Wire</title><link>https://wire.example.org/</link>
<item><title>Prices up</title><link>https://wire.example.org/1</link><pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate><description>Cotton &lt;b&gt;rose&lt;/b&gt;.</description></item>
<item><title>Yarn demand</title><link>https://wire.example.org/2</link></item></channel></rss>`;

let fixture: FixtureServer;
beforeAll(async () => {
  fixture = await startServer({ '/feed': { headers: { 'content-type': 'application/rss+xml' }, body: FEED }, '/broken': { status: 500, body: 'down' } });
});
afterAll(async () => {
  await fixture.close();
});

forEachDialect('admin API sources', (dialect) => {
  let store: TestStore;
  let h: ApiHarness;
  beforeEach(async () => {
    store = await dialect.open();
    h = await apiHarness(store);
  });
  afterEach(async () => {
    await h.close();
    await store.close();
  });
  const errorOf = (res: { statusCode: number; json(): { error: { code: string; message: string } } }) => [res.statusCode, res.json().error.code];

  it('test-reads a source in camelCase; a failing read is 422 upstream, a server path 422 refused', async () => {
    const res = await h.call('POST', '/api/v1/sources/test', { url: `${fixture.url}/feed` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ kind: 'feed', bozo: false, feed: { title: 'Cotton Wire' } });
    expect(body.items[0]).toMatchObject({ title: 'Prices up', published: '2026-11-23T09:00:00.000Z', link: 'https://wire.example.org/1' });
    for (const item of body.items) for (const key of Object.keys(item)) expect(key).toMatch(/^[a-z][A-Za-z]*$/);
    expect(errorOf(await h.call('POST', '/api/v1/sources/test', { url: `${fixture.url}/broken` }))).toEqual([422, 'upstream']);
    expect(errorOf(await h.call('POST', '/api/v1/sources/test', { url: '/etc/passwd' }))).toEqual([422, 'refused']);
    expect(errorOf(await h.call('POST', '/api/v1/sources/test', { url: 42 }))).toEqual([400, 'invalid']);
  });

  it('adds (reading first unless test: false), updates, and answers conflicts and bad input', async () => {
    const tested = await h.call('POST', '/api/v1/sources', { url: `${fixture.url}/feed` });
    expect(tested.statusCode).toBe(201);
    expect(tested.json()).toMatchObject({ kind: 'feed', name: 'Cotton Wire', enabled: true, health: 'new', intervalMinutes: 30, testedItems: 2 });
    const plain = await h.call('POST', '/api/v1/sources', {
      url: 'https://example.org/news',
      kind: 'page',
      name: 'News',
      intervalMinutes: 120,
      options: { linkSelector: 'a.story' },
      test: false,
    });
    expect(plain.json()).toMatchObject({ kind: 'page', name: 'News', intervalMinutes: 120, options: { linkSelector: 'a.story' } });
    expect(plain.json()).not.toHaveProperty('testedItems');
    expect(errorOf(await h.call('POST', '/api/v1/sources', { url: `${fixture.url}/feed`, kind: 'feed', test: false }))).toEqual([409, 'conflict']);
    const badOption = await h.call('POST', '/api/v1/sources', { url: 'https://example.org/x', kind: 'page', options: { followDepth: 99 }, test: false });
    expect([badOption.statusCode, badOption.json().error.message]).toEqual([400, expect.stringMatching(/^Source option followDepth: /)]);
    const patched = await h.call('PATCH', `/api/v1/sources/${plain.json().id}`, { name: 'Mill News', intervalMinutes: 15 });
    expect(patched.json()).toMatchObject({ name: 'Mill News', intervalMinutes: 15 });
    expect((await h.call('GET', '/api/v1/sources')).json().sources.map((s: { name: string }) => s.name)).toEqual(['Cotton Wire', 'Mill News']);
    expect((await listAudit(store.db, { limit: 10 })).map((r) => [r.actor, r.action])).toEqual([
      ['api:token', 'source.update'],
      ['api:token', 'source.add'],
      ['api:token', 'source.add'],
    ]);
  });

  it('pauses, resumes and deletes; a source with articles answers 409 until deleteArticles=true', async () => {
    const id = (await h.call('POST', '/api/v1/sources', { url: 'https://example.org/feed', kind: 'feed', test: false })).json().id;
    expect((await h.call('POST', `/api/v1/sources/${id}/pause`, { reason: 'site redesign' })).json()).toMatchObject({
      enabled: false,
      health: 'paused',
      pausedReason: 'site redesign',
    });
    expect((await h.call('POST', `/api/v1/sources/${id}/resume`)).json()).toMatchObject({
      enabled: true,
      pausedReason: null,
      nextFetchAt: h.clock.now.toISOString(),
    });
    await oneCottonArticle(store.db, id, h.clock.now);
    expect(errorOf(await h.call('DELETE', `/api/v1/sources/${id}`))).toEqual([409, 'conflict']);
    expect((await h.call('DELETE', `/api/v1/sources/${id}?deleteArticles=true`)).statusCode).toBe(204);
    expect(errorOf(await h.call('POST', `/api/v1/sources/${id}/pause`))).toEqual([404, 'not_found']);
  });

  it('exports OPML and imports a document body (dryRun only reports); JSON and non-OPML are refused', async () => {
    await h.call('POST', '/api/v1/sources', { url: 'https://a.example.org/rss', kind: 'feed', name: 'A & B', test: false });
    const out = await h.call('GET', '/api/v1/sources/opml');
    expect(out.headers['content-type']).toMatch(/^text\/x-opml/);
    expect(out.body).toContain('xmlUrl="https://a.example.org/rss"');
    const doc = `<?xml version="1.0"?><opml version="2.0"><body><outline text="Tech">
      <outline text="C" xmlUrl="https://c.example.org/feed"/><outline text="A" xmlUrl="https://a.example.org/rss"/>
      <outline text="Dump" htmlUrl="/srv/dumps" tidingsKind="textdump"/></outline></body></opml>`;
    const dry = await h.call('POST', '/api/v1/sources/opml?dryRun=true', doc, { 'content-type': 'text/x-opml' });
    expect(dry.json()).toMatchObject({ dryRun: true, added: 1, alreadyPresent: 1 });
    expect(await listSources(store.db)).toHaveLength(1);
    const res = await h.call('POST', '/api/v1/sources/opml', doc, { 'content-type': 'text/x-opml' });
    expect(res.json()).toMatchObject({
      dryRun: false,
      added: 1,
      alreadyPresent: 1,
      rejected: [{ line: 'Dump', reason: expect.stringContaining('is a path on the server') }],
    });
    expect(res.json().outcomes.map((o: { outcome: string }) => o.outcome)).toEqual(['added', 'present', 'rejected']);
    expect(errorOf(await h.call('POST', '/api/v1/sources/opml', '<html></html>', { 'content-type': 'application/xml' }))).toEqual([400, 'invalid']);
    expect((await h.call('POST', '/api/v1/sources/opml', { opml: doc })).statusCode).toBe(415);
  });
});
