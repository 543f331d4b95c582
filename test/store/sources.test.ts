import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceRow } from '../../src/store/schema.js';
import {
  addSource,
  backoffMs,
  claimDueSources,
  DuplicateSourceError,
  dueSources,
  getSource,
  listSources,
  pauseSource,
  recordFetchFailure,
  recordFetchSuccess,
  recordFetchSuccesses,
  removeSource,
  resumeSource,
  sourceOptions,
} from '../../src/store/sources.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const T0 = new Date('2026-11-24T16:18:07.123Z');
const minutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);
const iso = (d: Date) => d.toISOString();

forEachDialect('sources', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await dialect.open();
  });
  afterEach(async () => {
    await store.close();
  });
  const add = (url: string, extra: Partial<Parameters<typeof addSource>[1]> = {}) => addSource(store.db, { kind: 'feed', url, name: url, ...extra }, T0);

  it('adds a source with defaults; ids are numbers and timestamps round-trip', async () => {
    const row = await add('http://127.0.0.1/a.xml', { options: { category: 'cotton', weight: 2 } });
    expect(typeof row.id).toBe('number');
    expect(row).toMatchObject({
      kind: 'feed',
      enabled: 1,
      interval_minutes: 60,
      consecutive_failures: 0,
      next_fetch_at: null,
      last_status: null,
      created_at: '2026-11-24T16:18:07.123Z',
      updated_at: '2026-11-24T16:18:07.123Z',
    });
    expect(sourceOptions(row)).toEqual({ category: 'cotton', weight: 2 });
    expect(await getSource(store.db, row.id)).toEqual(row);
    expect(await getSource(store.db, 'http://127.0.0.1/a.xml')).toEqual(row);
    expect(await getSource(store.db, 999)).toBeUndefined();
    expect(await getSource(store.db, 'http://127.0.0.1/none')).toBeUndefined();
  });

  it('refuses a duplicate URL with an error naming it, also when two replicas race', async () => {
    await add('http://127.0.0.1/a.xml');
    await expect(add('http://127.0.0.1/a.xml')).rejects.toThrow(DuplicateSourceError);
    await expect(add('http://127.0.0.1/a.xml')).rejects.toThrow('http://127.0.0.1/a.xml');

    const other = store.replica();
    const results = await Promise.allSettled([
      add('http://127.0.0.1/b.xml'),
      addSource(other.db, { kind: 'page', url: 'http://127.0.0.1/b.xml', name: 'b' }, T0),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(DuplicateSourceError);
    expect((await listSources(store.db)).map((s) => s.url)).toEqual(['http://127.0.0.1/a.xml', 'http://127.0.0.1/b.xml']);
  });

  it('rejects a bad interval or kind with a clear message', async () => {
    await expect(add('http://127.0.0.1/x', { intervalMinutes: 0 })).rejects.toThrow(/whole number of minutes/);
    await expect(add('http://127.0.0.1/x', { kind: 'podcast' as 'feed' })).rejects.toThrow(/Unknown source kind "podcast"/);
    expect(await listSources(store.db)).toEqual([]);
  });

  it('removes a source and reports whether it existed', async () => {
    const a = await add('http://127.0.0.1/a.xml');
    const b = await add('http://127.0.0.1/b.xml');
    expect(await removeSource(store.db, a.id)).toBe(true);
    expect(await removeSource(store.db, a.id)).toBe(false);
    expect((await listSources(store.db)).map((s) => s.id)).toEqual([b.id]);
  });

  it('lists due sources: never fetched first, then most overdue; not future, not paused; limit', async () => {
    const never = await add('http://127.0.0.1/never');
    const old = await add('http://127.0.0.1/old');
    const recent = await add('http://127.0.0.1/recent');
    const future = await add('http://127.0.0.1/future');
    const paused = await add('http://127.0.0.1/paused');
    const set = (id: number, at: Date) =>
      store.db
        .updateTable('sources')
        .set({ next_fetch_at: iso(at) })
        .where('id', '=', id)
        .execute();
    await set(old.id, minutes(T0, -30));
    await set(recent.id, T0); // due exactly now
    await set(future.id, minutes(T0, 1));
    await pauseSource(store.db, paused.id, 'admin says so', T0);

    expect((await dueSources(store.db, T0)).map((s) => s.id)).toEqual([never.id, old.id, recent.id]);
    expect((await dueSources(store.db, T0, 2)).map((s) => s.id)).toEqual([never.id, old.id]);
    expect((await dueSources(store.db, minutes(T0, 1))).map((s) => s.id)).toContain(future.id);
  });

  it('claims due sources for one replica at a time, most overdue first, until the lease ends', async () => {
    const a = await add('http://127.0.0.1/a');
    const b = await add('http://127.0.0.1/b');
    const c = await add('http://127.0.0.1/c');
    await store.db
      .updateTable('sources')
      .set({ next_fetch_at: iso(minutes(T0, -5)) })
      .where('id', '=', b.id)
      .execute();
    await store.db
      .updateTable('sources')
      .set({ next_fetch_at: iso(minutes(T0, 5)) })
      .where('id', '=', c.id)
      .execute();
    const lease = { limit: 10, leaseMs: 10 * 60_000 };
    const replica = store.replica();
    const [first, second] = await Promise.all([claimDueSources(store.db, dialect.name, T0, lease), claimDueSources(replica.db, dialect.name, T0, lease)]);
    expect([...first, ...second].sort((x, y) => x - y)).toEqual([a.id, b.id]);
    expect(await claimDueSources(store.db, dialect.name, minutes(T0, 1), lease)).toEqual([]);
    expect((await getSource(store.db, a.id))!.next_fetch_at).toBe(iso(minutes(T0, 10)));
    // The lease ran out (the claiming process died): due again, c too by now.
    expect(await claimDueSources(store.db, dialect.name, minutes(T0, 10), lease)).toEqual([a.id, b.id, c.id]);
    expect(await claimDueSources(store.db, dialect.name, minutes(T0, 30), { ...lease, limit: 1 })).toEqual([a.id]);
  });

  it('pauses with a reason and resumes: failures forgiven, due at once', async () => {
    const s = await add('http://127.0.0.1/a.xml');
    await recordFetchFailure(store.db, s.id, 'boom', T0, { pauseAfter: 10 });
    const paused = await pauseSource(store.db, s.id, 'broken upstream', minutes(T0, 1));
    expect(paused).toMatchObject({ enabled: 0, paused_reason: 'broken upstream', updated_at: iso(minutes(T0, 1)) });
    expect(await dueSources(store.db, minutes(T0, 10_000))).toEqual([]);

    const later = minutes(T0, 5);
    const resumed = await resumeSource(store.db, s.id, later);
    expect(resumed).toMatchObject({ enabled: 1, paused_reason: null, consecutive_failures: 0, next_fetch_at: iso(later) });
    expect((await dueSources(store.db, later)).map((r) => r.id)).toEqual([s.id]);
    expect(await pauseSource(store.db, 999, 'x', T0)).toBeUndefined();
    expect(await resumeSource(store.db, 999, T0)).toBeUndefined();
  });

  it('records a success: validators kept on 304 unless new ones come, dropped on a bare 200', async () => {
    const s = await add('http://127.0.0.1/a.xml', { intervalMinutes: 30 });
    await recordFetchFailure(store.db, s.id, 'flaky', T0, { pauseAfter: 5 });

    let row = await recordFetchSuccess(store.db, s.id, { status: 'ok', etag: '"v1"', lastModified: 'Tue, 24 Nov 2026 16:00:00 GMT' }, T0);
    expect(row).toMatchObject({
      last_status: 'ok',
      etag: '"v1"',
      last_modified: 'Tue, 24 Nov 2026 16:00:00 GMT',
      consecutive_failures: 0,
      last_error: null,
      last_fetched_at: iso(T0),
      next_fetch_at: iso(minutes(T0, 30)),
    });
    row = await recordFetchSuccess(store.db, s.id, { status: 'not-modified' }, minutes(T0, 30));
    expect(row).toMatchObject({ last_status: 'not-modified', etag: '"v1"', last_modified: 'Tue, 24 Nov 2026 16:00:00 GMT' });
    expect(row?.next_fetch_at).toBe(iso(minutes(T0, 60)));
    row = await recordFetchSuccess(store.db, s.id, { status: 'not-modified', etag: '"v2"' }, minutes(T0, 60));
    expect(row).toMatchObject({ etag: '"v2"', last_modified: 'Tue, 24 Nov 2026 16:00:00 GMT' });
    row = await recordFetchSuccess(store.db, s.id, { status: 'ok' }, minutes(T0, 90));
    expect(row).toMatchObject({ etag: null, last_modified: null });
    expect(await recordFetchSuccess(store.db, 999, { status: 'ok' }, T0)).toBeUndefined();
  });

  it('records successes from the row ingest holds, one or many in a transaction, with the same rules', async () => {
    const a = await add('http://127.0.0.1/a.xml', { intervalMinutes: 30 });
    const b = await add('http://127.0.0.1/b.xml', { intervalMinutes: 30 });
    const held = (await recordFetchSuccess(store.db, a, { status: 'ok', etag: '"a1"' }, T0))!;
    expect(held).toMatchObject({ id: a.id, last_status: 'ok', etag: '"a1"', next_fetch_at: iso(minutes(T0, 30)) });
    await recordFetchSuccesses(store.db, [
      { source: held, result: { status: 'not-modified' }, now: minutes(T0, 30) },
      { source: b, result: { status: 'ok', lastModified: 'Tue, 24 Nov 2026 16:00:00 GMT' }, now: minutes(T0, 31) },
    ]);
    expect(await getSource(store.db, a.id)).toMatchObject({
      last_status: 'not-modified',
      etag: '"a1"',
      last_fetched_at: iso(minutes(T0, 30)),
      next_fetch_at: iso(minutes(T0, 60)),
    });
    expect(await getSource(store.db, b.id)).toMatchObject({
      last_status: 'ok',
      etag: null,
      last_modified: 'Tue, 24 Nov 2026 16:00:00 GMT',
      consecutive_failures: 0,
      next_fetch_at: iso(minutes(T0, 61)),
    });
  });

  it('backs off exponentially up to a day and pauses after N failures, visibly', async () => {
    const s = await add('http://127.0.0.1/bad.xml');
    const bystander = await add('http://127.0.0.1/good.xml');
    const fail = (n: number) => recordFetchFailure(store.db, s.id, `HTTP 500 number ${n}`, T0, { pauseAfter: 3 });

    let row: SourceRow = await fail(1);
    expect(row).toMatchObject({ consecutive_failures: 1, last_status: 'error', last_error: 'HTTP 500 number 1', enabled: 1 });
    expect(row.next_fetch_at).toBe(iso(minutes(T0, 120)));
    row = await fail(2);
    expect(row.next_fetch_at).toBe(iso(minutes(T0, 240)));
    expect(row.enabled).toBe(1);
    row = await fail(3);
    expect(row).toMatchObject({ consecutive_failures: 3, enabled: 0 });
    expect(row.next_fetch_at).toBe(iso(minutes(T0, 480)));
    expect(row.paused_reason).toBe(
      `paused automatically after 3 consecutive failures; last error: HTTP 500 number 3; run \`tidings sources resume ${s.id}\` after fixing it`,
    );
    expect(await getSource(store.db, s.id)).toEqual(row);
    // A later failure (e.g. a manual test run) keeps the first reason.
    row = await fail(4);
    expect(row.paused_reason).toContain('after 3 consecutive failures');

    const untouched = await getSource(store.db, bystander.id);
    expect(untouched).toMatchObject({ enabled: 1, consecutive_failures: 0, last_status: null, paused_reason: null });
    await expect(recordFetchFailure(store.db, 999, 'x', T0, { pauseAfter: 3 })).rejects.toThrow(/no such source/);
  });

  it('counts failures exactly when replicas record them at once; pauseAfter < 1 never pauses', async () => {
    const s = await add('http://127.0.0.1/bad.xml');
    const other = store.replica();
    await Promise.all(Array.from({ length: 8 }, (_, i) => recordFetchFailure(i % 2 ? other.db : store.db, s.id, 'down', T0, { pauseAfter: 0 })));
    const row = await getSource(store.db, s.id);
    expect(row).toMatchObject({ consecutive_failures: 8, enabled: 1, paused_reason: null });
  });

  it('truncates a huge error message', async () => {
    const s = await add('http://127.0.0.1/bad.xml');
    const row = await recordFetchFailure(store.db, s.id, 'x'.repeat(50_000), T0, { pauseAfter: 1 });
    expect(row.last_error!.length).toBe(1000);
    expect(row.paused_reason!.length).toBeLessThan(1200);
  });
});

describe('backoffMs', () => {
  it('doubles per failure, caps at 24 h, never goes below the interval', () => {
    const h = 3_600_000;
    expect([1, 2, 3, 4, 5, 6].map((f) => backoffMs(60, f) / h)).toEqual([2, 4, 8, 16, 24, 24]);
    expect(backoffMs(60, 60)).toBe(24 * h);
    expect(backoffMs(7 * 24 * 60, 1)).toBe(7 * 24 * h);
  });
});

describe('sourceOptions', () => {
  it('reads valid options and drops what does not parse or has the wrong type', () => {
    expect(sourceOptions({ options: '{"linkSelector":"a.story","followDepth":2,"maxItems":"x","lang":5}' })).toEqual({
      linkSelector: 'a.story',
      followDepth: 2,
    });
    expect(sourceOptions({ options: 'not json' })).toEqual({});
    expect(sourceOptions({ options: '[1,2]' })).toEqual({});
    expect(sourceOptions({ options: 'null' })).toEqual({});
  });
});
