// /api/v1/sources: list with health, add (with and without reading it first), test-read without
// storing, pause/resume, delete, and OPML out and in. Feeds come from a loopback fixture server.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { insertArticles } from '../../src/store/articles.js';
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
  const lastAudit = async () => (await listAudit(store.db, { limit: 1 }))[0];

  it('test-reads a source without storing it, in camelCase', async () => {
    const hits = fixture.hits.length;
    const res = await h.call('POST', '/api/v1/sources/test', { url: `${fixture.url}/feed` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ kind: 'feed', bozo: false, feed: { title: 'Cotton Wire' } });
    expect(body.items[0]).toMatchObject({ title: 'Prices up', published: '2026-11-23T09:00:00.000Z', link: 'https://wire.example.org/1' });
    expect(JSON.stringify(body.items[0])).toContain('rose');
    for (const item of body.items) for (const key of Object.keys(item)) expect(key).toMatch(/^[a-z][A-Za-z]*$/);
    expect(fixture.hits.length).toBe(hits + 1);
    expect(await listSources(store.db)).toEqual([]);
    const failed = await h.call('POST', '/api/v1/sources/test', { url: `${fixture.url}/broken` });
    expect(failed.statusCode).toBe(422);
    expect(failed.json().error).toMatchObject({ code: 'probe_failed', message: expect.stringContaining('/broken') });
    const local = await h.call('POST', '/api/v1/sources/test', { url: '/etc/passwd' });
    expect([local.statusCode, local.json().error.message]).toEqual([400, expect.stringContaining('url: expected an http(s) URL')]);
  });

  it('adds sources, detecting the kind with test: true, and refuses duplicates and a missing kind', async () => {
    const tested = await h.call('POST', '/api/v1/sources', { url: `${fixture.url}/feed`, test: true });
    expect(tested.statusCode).toBe(201);
    expect(tested.json()).toMatchObject({ kind: 'feed', name: 'Cotton Wire', enabled: true, health: 'new', intervalMinutes: 30, testedItems: 2 });
    expect(await lastAudit()).toMatchObject({ actor: 'api:token', action: 'source.add', ok: 1 });
    const plain = await h.call('POST', '/api/v1/sources', { url: 'https://example.org/news', kind: 'page', name: 'News', intervalMinutes: 120, options: { linkSelector: 'a.story' } });
    expect(plain.json()).toMatchObject({ kind: 'page', name: 'News', intervalMinutes: 120, options: { linkSelector: 'a.story' } });
    const dup = await h.call('POST', '/api/v1/sources', { url: `${fixture.url}/feed`, kind: 'feed' });
    expect([dup.statusCode, dup.json().error.code]).toEqual([409, 'duplicate']);
    expect(dup.json().error.message).toContain('GET /api/v1/sources');
    const noKind = await h.call('POST', '/api/v1/sources', { url: 'https://example.org/other' });
    expect([noKind.statusCode, noKind.json().error.message]).toEqual([400, expect.stringMatching(/^kind: /)]);
    const badOption = await h.call('POST', '/api/v1/sources', { url: 'https://example.org/x', kind: 'page', options: { followDepth: 99 } });
    expect([badOption.statusCode, badOption.json().error.message]).toEqual([400, expect.stringMatching(/^options\.followDepth: /)]);
    const list = (await h.call('GET', '/api/v1/sources')).json().sources;
    expect(list.map((s: { name: string }) => s.name)).toEqual(['Cotton Wire', 'News']);
  });

  it('pauses, resumes and deletes; a source with articles needs deleteArticles=true', async () => {
    const id = (await h.call('POST', '/api/v1/sources', { url: 'https://example.org/feed', kind: 'feed' })).json().id;
    const paused = await h.call('POST', `/api/v1/sources/${id}/pause`, { reason: 'site redesign' });
    expect(paused.json()).toMatchObject({ enabled: false, health: 'paused', pausedReason: 'site redesign' });
    expect(await lastAudit()).toMatchObject({ action: 'source.pause' });
    const resumed = await h.call('POST', `/api/v1/sources/${id}/resume`);
    expect(resumed.json()).toMatchObject({ enabled: true, pausedReason: null, nextFetchAt: h.clock.now.toISOString() });
    expect(await lastAudit()).toMatchObject({ action: 'source.resume' });
    const at = h.clock.now.toISOString();
    await insertArticles(store.db, [{ source_id: id, guid: 'a', guid_key: `${id}:a`, url: null, title: 'A', published_at: at, fetched_at: at, lang: 'en', text: 'a', fingerprint: 'fa', search_text: 'a' }]);
    const refused = await h.call('DELETE', `/api/v1/sources/${id}`);
    expect([refused.statusCode, refused.json().error.message]).toEqual([409, expect.stringContaining('deleteArticles=true')]);
    expect((await h.call('DELETE', `/api/v1/sources/${id}?deleteArticles=true`)).statusCode).toBe(204);
    expect(await lastAudit()).toMatchObject({ action: 'source.delete', detail: expect.stringContaining('with its 1 articles') });
    expect((await h.call('POST', `/api/v1/sources/${id}/pause`)).statusCode).toBe(404);
  });

  it('exports OPML and imports it again, rejecting what is not an http(s) source', async () => {
    await h.call('POST', '/api/v1/sources', { url: 'https://a.example.org/rss', kind: 'feed', name: 'A & B' });
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
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ dryRun: false, added: 1, alreadyPresent: 1, rejected: [{ line: 'Dump', reason: expect.stringContaining('not an http(s) URL') }] });
    expect(await lastAudit()).toMatchObject({ action: 'source.import', detail: expect.stringContaining('https://c.example.org/feed') });
    expect((await listSources(store.db)).find((s) => s.url === 'https://c.example.org/feed')!.options).toContain('Tech');
    const notOpml = await h.call('POST', '/api/v1/sources/opml', '<html></html>', { 'content-type': 'application/xml' });
    expect(notOpml.statusCode).toBe(400);
    const asJson = await h.call('POST', '/api/v1/sources/opml', { opml: doc });
    expect(asJson.statusCode).toBe(415);
  });
});
