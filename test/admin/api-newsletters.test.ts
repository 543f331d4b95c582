// /api/v1/newsletters and /api/v1/digests: create, show (next runs in the newsletter's zone),
// update, pause/resume, send-now (a digest and its deliveries ledger), preview (nothing
// consumed), delete; and the error shapes of each.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/bot.js';
import { subscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { dialects, type TestStore } from '../support/databases.js';
import { type ApiHarness, apiHarness, seedArticles } from './api-harness.js';

const count = async (store: TestStore, table: 'digests' | 'digest_items' | 'deliveries') =>
  Number(
    (
      await store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

// Adapter tests (routes, status codes, bodies): one dialect is enough; the core and the store
// run on both in their own tests.
describe('admin API newsletters', () => {
  const dialect = dialects.find((d) => d.name === 'sqlite')!;
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

  it('creates a newsletter and shows its next runs in its own time zone', async () => {
    const res = await h.call('POST', '/api/v1/newsletters', {
      slug: 'cotton-daily',
      cron: '0 8 * * *',
      timezone: 'Asia/Shanghai',
      filters: { include: ['cotton'] },
      maxItems: 10,
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      slug: 'cotton-daily',
      name: 'Cotton Daily',
      timezone: 'Asia/Shanghai',
      maxItems: 10,
      enabled: true,
      sections: false,
      filters: { include: ['cotton'] },
      lastDigests: [],
    });
    expect(body.createdAt).toBe(h.clock.now.toISOString());
    // 08:00 in Shanghai is midnight UTC; the clock stands at 2026-11-24T08:00Z.
    expect(body.nextRuns).toHaveLength(5);
    expect(body.nextRuns[0]).toEqual({ at: '2026-11-25T00:00:00.000Z', local: '2026-11-25T08:00:00+08:00' });
    expect(await lastAudit()).toMatchObject({ actor: 'api:token', action: 'newsletter.add', ok: 1 });
    expect((await lastAudit())!.detail).toContain('cotton-daily');

    const one = await h.call('GET', `/api/v1/newsletters/${body.id}`);
    expect(one.json().slug).toBe('cotton-daily');
    expect((await h.call('GET', '/api/v1/newsletters/cotton-daily')).json().id).toBe(body.id);
    expect((await h.call('GET', '/api/v1/newsletters')).json().newsletters.map((n: { slug: string }) => n.slug)).toEqual(['cotton-daily']);
  });

  it('refuses bad input with a 400 naming the field, duplicates with a 409, and other bodies with 415/413', async () => {
    await h.call('POST', '/api/v1/newsletters', { slug: 'cotton' });
    const cases: [unknown, number, RegExp][] = [
      [{ slug: 'cotton' }, 409, /already exists/],
      [{ slug: 'Bad Slug!' }, 400, /slug "Bad Slug!" is invalid/],
      [{ slug: 'x', cron: '0 25 * * *' }, 400, /not a valid cron expression: hour field: 25 is outside 0-23/],
      [{ slug: 'x', timezone: 'Mars/Olympus' }, 400, /Unknown time zone "Mars\/Olympus"/],
      [{ slug: 'x', maxItems: 0 }, 400, /max items must be a whole number from 1 to 200/],
      [{ slug: 'x', colour: 'red' }, 400, /colour/],
      [{ slug: 'x', language: 'fr' }, 400, /^language: /],
      [{ slug: 'x', filters: { include: [3] } }, 400, /^filters\.include\[0\]: /],
      [{ slug: 'x', filters: { sources: [99] } }, 400, /names source 99, which does not exist/],
      [{}, 400, /^slug: /],
    ];
    for (const [body, status, message] of cases) {
      const res = await h.call('POST', '/api/v1/newsletters', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().error.message).toMatch(message);
      expect(res.json().error.code).toBe(status === 409 ? 'conflict' : 'invalid');
    }
    const csv = await h.call('POST', '/api/v1/newsletters', 'slug\nx\n', { 'content-type': 'text/csv' });
    expect([csv.statusCode, csv.json().error.code]).toEqual([415, 'unsupported_media_type']);
    const form = await h.call('POST', '/api/v1/newsletters', 'slug=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect([form.statusCode, form.json().error.code]).toEqual([415, 'unsupported_media_type']);
    const broken = await h.call('POST', '/api/v1/newsletters', '{"slug": ', { 'content-type': 'application/json' });
    expect([broken.statusCode, broken.json().error.code]).toEqual([400, 'invalid']);
    const huge = await h.call('POST', '/api/v1/newsletters', JSON.stringify({ slug: 'x', name: 'n'.repeat(1_100_000) }), {
      'content-type': 'application/json',
    });
    expect([huge.statusCode, huge.json().error.code]).toEqual([413, 'too_large']);
    const missing = await h.call('GET', '/api/v1/newsletters/nope');
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'not_found']);
    for (const res of [csv, broken, huge, missing]) expect(res.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('updates a newsletter: schedule changes are validated, filter lists merge, nothing-to-change is a 400', async () => {
    const id = (await h.call('POST', '/api/v1/newsletters', { slug: 'cotton', filters: { include: ['cotton'], exclude: ['rumour'] } })).json().id;
    const res = await h.call('PATCH', `/api/v1/newsletters/${id}`, { cron: '30 7 * * 1-5', timezone: 'Europe/Berlin', filters: { include: ['yarn'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ cron: '30 7 * * 1-5', timezone: 'Europe/Berlin', filters: { include: ['yarn'], exclude: ['rumour'] } });
    // 2026-11-24 is a Tuesday; 07:30 in Berlin (winter, +01:00) is 06:30Z the next morning.
    expect(res.json().nextRuns[0]).toEqual({ at: '2026-11-25T06:30:00.000Z', local: '2026-11-25T07:30:00+01:00' });
    expect(await lastAudit()).toMatchObject({ action: 'newsletter.update', detail: `newsletter ${id} cotton: cron, timezone, filters` });
    const bad = await h.call('PATCH', `/api/v1/newsletters/${id}`, { cron: '0 8 31 2 *' });
    expect([bad.statusCode, bad.json().error.message]).toEqual([400, expect.stringContaining('never fires')]);
    expect((await h.call('PATCH', `/api/v1/newsletters/${id}`, {})).json().error.message).toMatch(/Nothing to change/);
    expect((await h.call('PATCH', '/api/v1/newsletters/77', { name: 'X' })).statusCode).toBe(404);
  });

  it('pauses and resumes: a paused newsletter has no next runs and cannot send now', async () => {
    const id = (await h.call('POST', '/api/v1/newsletters', { slug: 'cotton' })).json().id;
    const paused = await h.call('POST', `/api/v1/newsletters/${id}/pause`);
    expect([paused.statusCode, paused.json().enabled]).toEqual([200, false]);
    expect(await lastAudit()).toMatchObject({ action: 'newsletter.pause', ok: 1 });
    expect((await h.call('GET', `/api/v1/newsletters/${id}`)).json().nextRuns).toEqual([]);
    const send = await h.call('POST', `/api/v1/newsletters/${id}/send-now`);
    expect([send.statusCode, send.json().error.code]).toEqual([409, 'conflict']);
    h.clock.advance(60_000);
    const resumed = await h.call('POST', `/api/v1/newsletters/${id}/resume`);
    expect(resumed.json()).toMatchObject({ enabled: true, scheduleSince: h.clock.now.toISOString() });
    expect(await lastAudit()).toMatchObject({ action: 'newsletter.resume', ok: 1 });
  });

  it('sends now: a skipped slot without articles is a 200, a ready digest a 201 with its deliveries ledger', async () => {
    const nl = (await h.call('POST', '/api/v1/newsletters', { slug: 'cotton' })).json();
    const empty = await h.call('POST', `/api/v1/newsletters/${nl.id}/send-now`);
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({ status: 'skipped', reason: 'no new articles' });
    expect(await lastAudit()).toMatchObject({ action: 'newsletter.send', ok: 1 });

    await seedArticles(store, h.clock.now, 3);
    const ann = await upsertSubscriber(store.db, { email: 'ann@example.org' }, h.clock.now);
    await subscribe(store.db, { subscriberId: ann.id, newsletterId: nl.id, channel: 'email', status: 'active', consent: { source: 'test' } }, h.clock.now);
    h.clock.advance(60_000);
    const sent = await h.call('POST', `/api/v1/newsletters/${nl.id}/send-now`);
    expect(sent.statusCode).toBe(201);
    expect(sent.json()).toMatchObject({ status: 'ready', recipients: 1, stories: 3 });
    const digestId = sent.json().digestId;
    const rows = await store.db.selectFrom('deliveries').selectAll().execute();
    expect(rows.map((r) => [r.digest_id, r.address, r.state])).toEqual([[digestId, 'ann@example.org', 'pending']]);
    // The same instant again: that slot is taken.
    expect((await h.call('POST', `/api/v1/newsletters/${nl.id}/send-now`)).statusCode).toBe(409);

    const digest = await h.call('GET', `/api/v1/digests/${digestId}`);
    expect(digest.json()).toMatchObject({
      id: digestId,
      newsletterId: nl.id,
      status: 'ready',
      stories: 3,
      deliveries: { email: { pending: 1, sent: 0 }, telegram: { pending: 0 } },
    });
    const list = await h.call('GET', `/api/v1/digests?newsletter=cotton&limit=10`);
    expect(list.json().digests.map((d: { status: string }) => d.status)).toEqual(['ready', 'skipped']);
    expect(list.json().digests[0]).not.toHaveProperty('html');
    expect((await h.call('GET', '/api/v1/digests?status=ready')).json().digests).toHaveLength(1);
    expect((await h.call('GET', '/api/v1/digests?limit=0')).statusCode).toBe(400);
    expect((await h.call('GET', '/api/v1/digests/999')).statusCode).toBe(404);
    expect((await h.call('GET', '/api/v1/digests/abc')).json().error.message).toMatch(/id in the path must be a whole number/);
    const shown = (await h.call('GET', `/api/v1/newsletters/${nl.id}`)).json();
    expect(shown.lastDigests[0]).toMatchObject({ id: digestId, deliveries: { pending: 1 } });
  });

  it('previews the next digest without recording anything', async () => {
    const nl = (await h.call('POST', '/api/v1/newsletters', { slug: 'cotton' })).json();
    expect((await h.call('GET', `/api/v1/newsletters/${nl.id}/preview`)).json()).toMatchObject({ status: 'skipped', reason: 'no new articles' });
    await seedArticles(store, h.clock.now, 2);
    const before = await Promise.all([count(store, 'digests'), count(store, 'digest_items'), count(store, 'deliveries')]);
    const auditBefore = (await listAudit(store.db, { limit: 100 })).length;
    const res = await h.call('GET', `/api/v1/newsletters/${nl.id}/preview`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ready');
    expect(body.subject).toContain('Cotton');
    expect(body.html).toContain('Cotton prices move 0');
    expect(body.text).toContain('Cotton prices move 1');
    expect(body.items).toHaveLength(2);
    expect(await Promise.all([count(store, 'digests'), count(store, 'digest_items'), count(store, 'deliveries')])).toEqual(before);
    expect((await listAudit(store.db, { limit: 100 })).length).toBe(auditBefore);
    // Still all there for a real send.
    expect((await h.call('POST', `/api/v1/newsletters/${nl.id}/send-now`)).json()).toMatchObject({ status: 'ready', stories: 2 });
  });

  it('deletes a newsletter without digests; one with digests is a 409 saying to pause it', async () => {
    const keep = (await h.call('POST', '/api/v1/newsletters', { slug: 'cotton' })).json();
    const drop = (await h.call('POST', '/api/v1/newsletters', { slug: 'wool' })).json();
    await h.call('POST', `/api/v1/newsletters/${keep.id}/send-now`);
    const refused = await h.call('DELETE', `/api/v1/newsletters/${keep.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toEqual({
      code: 'conflict',
      message: 'Newsletter "cotton" has digests (its archive links to them), so it cannot be removed; pause it instead.',
    });
    const gone = await h.call('DELETE', '/api/v1/newsletters/wool');
    expect([gone.statusCode, gone.body]).toEqual([204, '']);
    expect(await lastAudit()).toMatchObject({ action: 'newsletter.remove', detail: `newsletter ${drop.id} wool`, ok: 1 });
    expect((await h.call('DELETE', `/api/v1/newsletters/${drop.id}`)).statusCode).toBe(404);
  });
});
