// /api/v1/subscribers (search, show, deliveries, add with the CLI's consent rules, delete, CSV
// import and export), /api/v1/alerts with acknowledgement, and /api/v1/audit.
import iconv from 'iconv-lite';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { addAlert } from '../../src/store/alerts.js';
import { listAudit } from '../../src/store/bot.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { NewsletterRow } from '../../src/store/schema.js';
import { suppress } from '../../src/store/subscriber-events.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { type ApiHarness, apiHarness, seedArticles } from './api-harness.js';

forEachDialect('admin API subscribers', (dialect) => {
  let store: TestStore;
  let h: ApiHarness;
  let cotton: NewsletterRow;
  beforeEach(async () => {
    store = await dialect.open();
    h = await apiHarness(store);
    cotton = await addNewsletter(store.db, { slug: 'cotton', name: 'Cotton', language: 'zh' }, h.clock.now);
    await addNewsletter(store.db, { slug: 'wool', name: 'Wool' }, h.clock.now);
  });
  afterEach(async () => {
    await h.close();
    await store.close();
  });
  const lastAudit = async () => (await listAudit(store.db, { limit: 1 }))[0];

  it('adds a subscriber through the core: active at once, the admin vouching, suppressed addresses refused (422)', async () => {
    const res = await h.call('POST', '/api/v1/subscribers', { email: ' Ann@Example.ORG ', newsletters: ['cotton', 2], name: 'Ann' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.subscriber).toMatchObject({ email: 'ann@example.org', name: 'Ann', language: 'zh' });
    expect(body.results).toEqual([
      { newsletter: 'cotton', outcome: 'created', status: 'active', subscriptionId: expect.any(Number) },
      { newsletter: 'wool', outcome: 'created', status: 'active', subscriptionId: expect.any(Number) },
    ]);
    expect(await lastAudit()).toMatchObject({ actor: 'api:token', action: 'subscriber.add', detail: expect.stringContaining('<ann@example.org>') });
    const again = await h.call('POST', '/api/v1/subscribers', { email: 'ann@example.org', newsletters: ['cotton'] });
    expect([again.statusCode, again.json().results[0].outcome]).toEqual([200, 'unchanged']);
    const pending = await h.call('POST', '/api/v1/subscribers', { email: 'bob@example.org', newsletters: ['wool'], pending: true });
    expect(pending.json().results[0]).toMatchObject({ status: 'pending' });

    await suppress(store.db, { address: 'eve@example.org', channel: 'email', reason: 'complaint' }, h.clock.now);
    const refused = await h.call('POST', '/api/v1/subscribers', { email: 'eve@example.org', newsletters: ['cotton'] });
    expect([refused.statusCode, refused.json().error.code]).toEqual([422, 'refused']);
    const bad: [unknown, number, RegExp][] = [
      [{ email: 'not-an-address', newsletters: ['cotton'] }, 400, /^"not-an-address" is not a valid email address/],
      [{ email: 'x@example.org', newsletters: [] }, 400, /^Give at least one newsletter/],
      [{ email: 'x@example.org', newsletters: ['silk'] }, 404, /^No newsletter "silk"/],
      [{ email: 'x@example.org' }, 400, /^newsletters: /],
    ];
    for (const [b, status, message] of bad) {
      const r = await h.call('POST', '/api/v1/subscribers', b);
      expect([r.statusCode, r.json().error.message]).toEqual([status, expect.stringMatching(message)]);
    }
  });

  it('searches and pages subscribers, shows one with subscriptions, and deletes', async () => {
    for (const name of ['ann', 'bob', 'cat', 'dan']) await h.call('POST', '/api/v1/subscribers', { email: `${name}@example.org`, newsletters: ['cotton'] });
    const page = await h.call('GET', '/api/v1/subscribers?limit=2&offset=1');
    expect(page.json()).toMatchObject({ total: 4, nextAfter: expect.any(Number) });
    expect(page.json().subscribers.map((s: { email: string }) => s.email)).toEqual(['bob@example.org', 'cat@example.org']);
    const next = await h.call('GET', `/api/v1/subscribers?limit=2&after=${page.json().nextAfter}`);
    expect(next.json().subscribers.map((s: { email: string }) => s.email)).toEqual(['dan@example.org']);
    const found = await h.call('GET', '/api/v1/subscribers?search=CAT');
    expect(found.json()).toMatchObject({
      total: 1,
      subscribers: [{ email: 'cat@example.org', subscriptions: [{ newsletter: 'cotton', status: 'active', consent: { source: 'admin' } }] }],
    });
    expect((await h.call('GET', '/api/v1/subscribers?limit=5000')).json().error.message).toMatch(/^limit: /);
    expect((await h.call('GET', '/api/v1/subscribers?status=gone')).statusCode).toBe(400);

    const id = found.json().subscribers[0].id;
    const one = await h.call('GET', `/api/v1/subscribers/${id}`);
    expect(one.json()).toMatchObject({ id, email: 'cat@example.org', suppressed: null, subscriptions: [{ newsletter: 'cotton', newsletterId: cotton.id }] });
    expect(one.json().createdAt).toBe(h.clock.now.toISOString());
    expect((await h.call('DELETE', `/api/v1/subscribers/${id}`)).statusCode).toBe(204);
    expect(await lastAudit()).toMatchObject({ action: 'subscriber.remove', detail: `subscriber ${id} <cat@example.org> and 1 subscriptions` });
    expect((await h.call('GET', `/api/v1/subscribers/${id}`)).statusCode).toBe(404);
    expect((await h.call('DELETE', `/api/v1/subscribers/${id}`)).statusCode).toBe(404);
  });

  it("lists a subscriber's deliveries, newest first", async () => {
    const id = (await h.call('POST', '/api/v1/subscribers', { email: 'ann@example.org', newsletters: ['cotton'] })).json().subscriber.id;
    await seedArticles(store, h.clock.now, 2);
    const sent = (await h.call('POST', `/api/v1/newsletters/${cotton.id}/send-now`)).json();
    const res = await h.call('GET', `/api/v1/subscribers/${id}/deliveries`);
    expect(res.json().deliveries).toEqual([
      expect.objectContaining({ digestId: sent.digestId, channel: 'email', address: 'ann@example.org', state: 'pending', subject: sent.subject, sentAt: null }),
    ]);
  });

  it('imports CSV with the CLI rules and report, and exports CSV', async () => {
    await suppress(store.db, { address: 'eve@example.org', channel: 'email', reason: 'hard-bounce' }, h.clock.now);
    const csv = 'email,name,language,keywords\nann@example.org,Ann,en,yarn; price\nbad-address,,,\nann@example.org,Dup,,\neve@example.org,,,\n';
    const dry = await h.call('POST', '/api/v1/subscribers/import?newsletter=cotton&dryRun=true', csv, { 'content-type': 'text/csv' });
    expect(dry.json()).toMatchObject({ dryRun: true, imported: 1 });
    expect(await listAudit(store.db, { limit: 10, actor: 'api:token' })).toEqual([]);
    const res = await h.call('POST', '/api/v1/subscribers/import?newsletter=cotton&consentVersion=v2', csv, { 'content-type': 'text/csv; charset=utf-8' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rows: 4, imported: 1, alreadySubscribed: 0, dryRun: false, encoding: 'utf-8', newsletter: 'cotton' });
    expect(res.json().rejected.map((r: { row: number }) => r.row)).toEqual([3, 4, 5]);
    expect(res.json().rejected[1].reason).toBe('duplicate of row 2');
    expect(await lastAudit()).toMatchObject({
      action: 'subscribers.import',
      detail: 'Imported 1 to cotton, 0 already subscribed, 3 rejected (4 rows). Status active.',
    });
    // Excel on a Chinese system saves GBK.
    const gbk = iconv.encode('email,name\nli@example.org,李雷\n', 'gbk');
    const chinese = await h.call('POST', '/api/v1/subscribers/import?newsletter=cotton&status=pending', gbk, { 'content-type': 'text/csv' });
    expect(chinese.json()).toMatchObject({ imported: 1, encoding: 'gb18030' });

    const noHeader = await h.call('POST', '/api/v1/subscribers/import?newsletter=cotton', 'name\nx\n', { 'content-type': 'text/csv' });
    expect([noHeader.statusCode, noHeader.json().error.message]).toEqual([400, expect.stringContaining('no "email" column')]);
    const noNewsletter = await h.call('POST', '/api/v1/subscribers/import', csv, { 'content-type': 'text/csv' });
    expect([noNewsletter.statusCode, noNewsletter.json().error.message]).toEqual([400, expect.stringContaining('newsletter: give ?newsletter=')]);
    const asJson = await h.call('POST', '/api/v1/subscribers/import?newsletter=cotton', { email: 'x@example.org' });
    expect(asJson.statusCode).toBe(415);

    const out = await h.call('GET', '/api/v1/subscribers/export?newsletter=cotton&bom=true');
    expect(out.headers['content-type']).toMatch(/^text\/csv/);
    const lines = out.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('email,name,language,keywords,newsletter,status,consent_source,consent_version,subscribed_at,confirmed_at');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['ann@example.org,Ann', 'li@example.org,李雷']);
    expect(out.body.startsWith('\ufeff')).toBe(true);
    const active = await h.call('GET', '/api/v1/subscribers/export?status=active');
    expect(active.body.trim().split('\r\n')).toHaveLength(2);
  });

  it('lists open alerts, acknowledges one (once), and shows the audit log', async () => {
    const a = await addAlert(store.db, { kind: 'missed-slots', newsletterId: cotton.id, message: '3 slots missed' }, h.clock.now);
    await addAlert(store.db, { kind: 'source-failing', message: 'feed down' }, h.clock.now);
    const open = await h.call('GET', '/api/v1/alerts');
    expect(open.json().alerts.map((x: { kind: string }) => x.kind)).toEqual(['source-failing', 'missed-slots']);
    const ack = await h.call('POST', `/api/v1/alerts/${a.id}/ack`);
    expect(ack.json()).toMatchObject({ id: a.id, newsletterId: cotton.id, acknowledgedAt: h.clock.now.toISOString() });
    expect(await lastAudit()).toMatchObject({ action: 'alert.acknowledge', detail: `alert ${a.id} (missed-slots): 3 slots missed` });
    expect((await h.call('POST', `/api/v1/alerts/${a.id}/ack`)).statusCode).toBe(409);
    expect((await h.call('POST', '/api/v1/alerts/999/ack')).statusCode).toBe(404);
    expect((await h.call('GET', '/api/v1/alerts')).json().alerts).toHaveLength(1);
    expect((await h.call('GET', '/api/v1/alerts?all=true')).json().alerts).toHaveLength(2);
    expect((await h.call('GET', '/api/v1/alerts?limit=0')).statusCode).toBe(400);
    expect((await h.call('GET', '/api/v1/stats')).json()).toMatchObject({ openAlerts: 1, failingSources: [], lastDigests: [] });

    const audit = await h.call('GET', '/api/v1/audit?limit=5');
    expect(audit.json().entries[0]).toMatchObject({ actor: 'api:token', action: 'alert.acknowledge', ok: true, createdAt: h.clock.now.toISOString() });
    expect((await h.call('GET', '/api/v1/audit?actor=nobody')).json().entries).toEqual([]);
    expect((await h.call('GET', '/api/v1/audit?limit=abc')).statusCode).toBe(400);
  });
});
