// The source use cases in-process: what a source may be and who may name a local path, reading
// it before adding, option ranges, consent before deleting articles, and the audit row each
// change leaves. The front-ends' own checks (status codes, exit codes, replies) are beside them.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/context.js';
import { addSource, pauseSource, removeSource, resumeSource, type SourceContext, testSource, updateSource } from '../../src/core/sources.js';
import { buildReaders } from '../../src/deps.js';
import { silentLogger } from '../../src/log.js';
import { oneCottonArticle } from '../support/ledger-seed.js';
import { listAudit } from '../../src/store/bot.js';
import { getSource, listSources } from '../../src/store/sources.js';
import { failure } from '../support/core-failure.js';
import { dialects, type TestStore } from '../support/databases.js';
import { testFetcher } from '../support/fetcher.js';
import { type FixtureServer, startServer } from '../support/http-fixture.js';

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>Cotton Wire</title><link>https://wire.example.org/</link>
<item><title>Prices up</title><link>https://wire.example.org/1</link></item><item><title>Yarn</title><link>https://wire.example.org/2</link></item></channel></rss>`;
const EXAMPLE_FEED = path.resolve('examples/feeds/industry-news.xml');

const sqlite = dialects.find((d) => d.name === 'sqlite')!;
const clock = new Date('2026-11-24T06:00:00.000Z');
const fetcher = testFetcher();
const readers = buildReaders();
let feeds: FixtureServer;
let store: TestStore;
const ctx = (actor: Actor = 'web:admin'): SourceContext => ({
  db: store.db,
  now: () => clock,
  log: silentLogger(),
  actor,
  fetcher,
  readers,
  sourceIntervalMinutes: 45,
});

const audits = async () => (await listAudit(store.db, { limit: 100 })).reverse().map((r) => [r.actor, r.action, r.ok]);

beforeAll(async () => {
  feeds = await startServer({ '/feed': { headers: { 'content-type': 'application/rss+xml' }, body: FEED }, '/broken': { status: 500, body: 'down' } });
});
afterAll(async () => {
  await feeds.close();
  await fetcher.close();
});
beforeEach(async () => {
  store = await sqlite.open();
});
afterEach(() => store.close());

describe('testSource', () => {
  it('reads without storing; a failing source is upstream, a server path is refused except from the CLI', async () => {
    const probe = await testSource(ctx(), { url: `${feeds.url}/feed` });
    expect([probe.kind, probe.feed.feed.title, probe.feed.items.length]).toEqual(['feed', 'Cotton Wire', 2]);
    expect(await listSources(store.db)).toEqual([]);
    const down = await failure(testSource(ctx(), { url: `${feeds.url}/broken` }));
    expect([down.code, down.message]).toEqual(['upstream', expect.stringContaining('Could not read http://127.0.0.1')]);
    expect((await failure(testSource(ctx('telegram:1'), { url: EXAMPLE_FEED }))).code).toBe('refused');
    expect((await testSource(ctx('cli'), { url: EXAMPLE_FEED })).kind).toBe('feed');
    // One text-dump file, with its navigation and without the crawler's trailer.
    const dump = (await testSource(ctx('cli'), { url: 'examples/textdump/003_zh_report.txt' })).feed.items[0]!;
    expect(dump).toMatchObject({ title: '纺织行业协会发布三季度运行报告', categories: ['行业新闻'], navigation: { next: '化纤企业积极拓展新兴市场' } });
    expect(dump.contentText).not.toContain('Last text');
    expect((await failure(testSource(ctx('cli'), { url: 'ftp://x.example.org/feed' }))).code).toBe('invalid');
    expect((await failure(testSource(ctx(), { url: `${feeds.url}/feed`, kind: 'podcast' }))).field).toBe('kind');
    expect(await audits()).toEqual([]);
  });
});

describe('addSource', () => {
  it('reads the source first: its kind and title, the default interval, one source.add', async () => {
    const r = await addSource(ctx(), { url: ` ${feeds.url}/feed ` });
    expect(r.items).toBe(2);
    expect(r.source).toMatchObject({ kind: 'feed', url: `${feeds.url}/feed`, name: 'Cotton Wire', interval_minutes: 45, enabled: 1 });
    expect(await audits()).toEqual([['web:admin', 'source.add', 1]]);
  });

  it('without the check the kind is needed; names, intervals and options are checked', async () => {
    expect((await failure(addSource(ctx(), { url: 'https://example.org/x', check: false }))).field).toBe('kind');
    const r = await addSource(ctx('api:token'), {
      url: 'https://example.org/news',
      kind: 'page',
      name: 'News',
      intervalMinutes: 120,
      options: { linkSelector: 'a.story' },
      check: false,
    });
    expect(r.source).toMatchObject({ kind: 'page', name: 'News', interval_minutes: 120, options: '{"linkSelector":"a.story"}' });
    const bad = [
      { intervalMinutes: 0 },
      { intervalMinutes: 10_081 },
      { name: 'x'.repeat(301) },
      { options: { followDepth: 99 } },
      { options: { unknownOption: 1 } },
      { kind: 'textdump' },
    ];
    for (const input of bad)
      expect((await failure(addSource(ctx(), { url: 'https://example.org/y', kind: 'feed', check: false, ...input }))).code, JSON.stringify(input)).toBe(
        'invalid',
      );
    expect((await failure(addSource(ctx(), { url: 'https://example.org/z', kind: 'page', check: false, options: { followDepth: 99 } }))).message).toMatch(
      /^Source option followDepth: /,
    );
  });

  it('a URL already stored is a conflict; nothing more is audited', async () => {
    await addSource(ctx(), { url: `${feeds.url}/feed` });
    const dup = await failure(addSource(ctx(), { url: `${feeds.url}/feed`, kind: 'feed', check: false }));
    expect([dup.code, dup.message]).toEqual(['conflict', `A source with the URL ${feeds.url}/feed already exists.`]);
    expect(await audits()).toHaveLength(1);
  });

  it('a local file or folder only from the CLI, stored as an absolute path', async () => {
    for (const actor of ['web:admin', 'api:token', 'telegram:1001'] as const)
      expect((await failure(addSource(ctx(actor), { url: 'examples/textdump' }))).code).toBe('refused');
    const r = await addSource(ctx('cli'), { url: 'examples/textdump' });
    expect(r.source).toMatchObject({ kind: 'textdump', url: path.resolve('examples/textdump') });
    expect(await audits()).toEqual([['cli', 'source.add', 1]]);
  });
});

describe('update, pause, resume, remove', () => {
  it('each changes the row and leaves its own audit row; unknown sources are not_found', async () => {
    const { source } = await addSource(ctx(), { url: 'https://example.org/feed', kind: 'feed', check: false });
    expect(await updateSource(ctx(), source.id, { name: ' Wire ', intervalMinutes: 15 })).toMatchObject({ name: 'Wire', interval_minutes: 15 });
    expect((await failure(updateSource(ctx(), source.id, {}))).code).toBe('invalid');
    expect((await failure(updateSource(ctx(), source.id, { name: ' ' }))).field).toBe('name');
    expect(await pauseSource(ctx(), source.url)).toMatchObject({ enabled: 0, paused_reason: 'paused by web:admin' });
    expect(await resumeSource(ctx(), String(source.id))).toMatchObject({ enabled: 1, paused_reason: null, next_fetch_at: clock.toISOString() });
    expect((await pauseSource(ctx(), source.id, 'site redesign')).paused_reason).toBe('site redesign');
    for (const op of [pauseSource(ctx(), 999), resumeSource(ctx(), 999), removeSource(ctx(), 999), updateSource(ctx(), 999, { name: 'x' })])
      expect((await failure(op)).code).toBe('not_found');
    expect((await audits()).map((a) => a[1])).toEqual(['source.add', 'source.update', 'source.pause', 'source.resume', 'source.pause']);
  });

  it('removing a source with articles needs consent, and takes them along', async () => {
    const { source } = await addSource(ctx(), { url: 'https://example.org/feed', kind: 'feed', check: false });
    await oneCottonArticle(store.db, source.id, clock);
    const refused = await failure(removeSource(ctx(), source.id));
    expect([refused.code, refused.message]).toEqual(['conflict', expect.stringContaining('has 1 stored articles')]);
    expect(await getSource(store.db, source.id)).toBeDefined();
    expect(await removeSource(ctx(), source.id, { withArticles: true })).toMatchObject({ articles: 1 });
    expect(await getSource(store.db, source.id)).toBeUndefined();
    expect((await listAudit(store.db, { limit: 1 }))[0]).toMatchObject({
      action: 'source.remove',
      detail: `source ${source.id} https://example.org/feed with its 1 articles`,
    });
  });
});
