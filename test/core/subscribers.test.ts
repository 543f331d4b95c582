// The subscriber use cases in-process, on both databases: adding, removing, listing, showing,
// and CSV import and export, with the consent events and the one audit row each change leaves.
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { beforeEach, expect, it } from 'vitest';
import type { Actor, CoreContext } from '../../src/core/context.js';
import { addSubscriber, findSubscriber, listSubscribers, removeSubscriber, showSubscriber } from '../../src/core/subscribers.js';
import { exportSubscribersCsv, importSubscribersCsv, importSummary } from '../../src/core/subscribers-csv.js';
import { silentLogger } from '../../src/log.js';
import { listAudit } from '../../src/store/bot.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { listEvents, suppress } from '../../src/store/subscriber-events.js';
import { parseCsv } from '../../src/subscribers/csv.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { failure } from '../support/core-failure.js';
import { sharedStore, text } from './reset-store.js';

const clock = new Date('2026-11-24T06:00:00.000Z');

const bytes = (text: string | Buffer) => Readable.from([typeof text === 'string' ? Buffer.from(text) : text]);

forEachDialect('core subscribers', (dialect) => {
  const current = sharedStore(dialect, async (db) => {
    await addNewsletter(db, { slug: 'cotton', name: 'Cotton', language: 'zh' }, clock);
    await addNewsletter(db, { slug: 'weekly', name: 'Weekly' }, clock);
  });
  let store: TestStore;
  beforeEach(() => {
    store = current();
  });
  const ctx = (actor: Actor = 'cli'): CoreContext => ({ db: store.db, now: () => clock, log: silentLogger(), actor });
  const audits = async () =>
    (await listAudit(store.db, { limit: 100 })).reverse().map((r) => ({ actor: r.actor, action: r.action, ok: Boolean(r.ok), detail: r.detail }));

  it('adds an address to newsletters, active and vouched for by the admin, with one audit row', async () => {
    const r = await addSubscriber(ctx('api:token'), { email: ' Ann@Example.ORG ', newsletters: ['cotton', 'WEEKLY'], name: 'Ann\nLee' });
    expect(r.subscriber).toMatchObject({ email: 'ann@example.org', name: 'Ann Lee', language: 'zh' });
    expect(r.results.map((x) => [x.newsletter, x.outcome, x.status])).toEqual([
      ['cotton', 'created', 'active'],
      ['weekly', 'created', 'active'],
    ]);
    const subs = await store.db.selectFrom('subscriptions').selectAll().orderBy('id').execute();
    expect(subs.map((s) => [s.status, s.consent_source, s.confirmed_at])).toEqual([
      ['active', 'admin', clock.toISOString()],
      ['active', 'admin', clock.toISOString()],
    ]);
    expect((await listEvents(store.db, { subscriberId: r.subscriber.id })).map((e) => e.type)).toEqual(['subscribe', 'subscribe']);
    // Again: nothing changes, nothing is audited.
    const again = await addSubscriber(ctx(), { email: 'ann@example.org', newsletters: ['cotton'], pending: true });
    expect(again).toMatchObject({ changed: false, results: [{ outcome: 'unchanged', status: 'active' }] });
    const pending = await addSubscriber(ctx(), { email: 'bob@example.org', newsletters: [2], pending: true, language: 'zh-CN' });
    expect(pending.subscriber.language).toBe('zh');
    expect(pending.results[0]).toMatchObject({ status: 'pending' });
    expect((await audits()).map((a) => [a.actor, a.action, a.ok])).toEqual([
      ['api:token', 'subscriber.add', true],
      ['cli', 'subscriber.add', true],
    ]);
    expect((await audits())[0]!.detail).toBe('subscriber 1 <ann@example.org>: cotton created (active), weekly created (active)');
  });

  it('refuses bad input with a code and a field, and a suppressed address with an audited refusal', async () => {
    expect(await failure(addSubscriber(ctx(), { email: 'ann at example', newsletters: ['cotton'] }))).toMatchObject({ code: 'invalid', field: 'email' });
    expect(await failure(addSubscriber(ctx(), { email: 'ann@example.org', newsletters: [] }))).toMatchObject({ code: 'invalid', field: 'newsletters' });
    expect(await failure(addSubscriber(ctx(), { email: 'ann@example.org', newsletters: ['cotton'], language: 'fr' }))).toMatchObject({
      code: 'invalid',
      field: 'language',
    });
    expect(await failure(addSubscriber(ctx(), { email: 'ann@example.org', newsletters: ['daily'] }))).toMatchObject({ code: 'not_found' });
    await suppress(store.db, { address: 'gone@example.org', channel: 'email', reason: 'hard-bounce' }, clock);
    const err = await failure(addSubscriber(ctx(), { email: 'gone@example.org', newsletters: ['cotton'] }));
    expect(err.code).toBe('refused');
    expect(err.message).toContain('suppression list (hard-bounce)');
    expect(await store.db.selectFrom('subscribers').selectAll().execute()).toEqual([]);
    expect((await audits()).map((a) => [a.action, a.ok])).toEqual([['subscriber.add', false]]);
  });

  it('removes by id or address, keeping the event, and says when there is nobody', async () => {
    const { subscriber } = await addSubscriber(ctx(), { email: 'ann@example.org', newsletters: ['cotton', 'weekly'] });
    expect((await findSubscriber(ctx(), String(subscriber.id))).email).toBe('ann@example.org');
    const removed = await removeSubscriber(ctx('web:admin'), 'ANN@example.org');
    expect(removed).toMatchObject({ subscriptions: 2 });
    expect(await store.db.selectFrom('subscriptions').selectAll().execute()).toEqual([]);
    expect((await listEvents(store.db, { subscriberId: subscriber.id })).map((e) => e.type)).toContain('deleted');
    expect((await failure(removeSubscriber(ctx(), subscriber.id))).code).toBe('not_found');
    expect((await failure(removeSubscriber(ctx(), 'not an address'))).code).toBe('invalid');
    expect((await audits()).slice(-1)[0]).toMatchObject({
      actor: 'web:admin',
      action: 'subscriber.remove',
      detail: 'subscriber 1 <ann@example.org> and 2 subscriptions',
    });
  });

  it('lists with filters and a total, and shows one subscriber with subscriptions and deliveries', async () => {
    await addSubscriber(ctx(), { email: 'ann@example.org', newsletters: ['cotton'], name: 'Ann Lee' });
    await addSubscriber(ctx(), { email: 'bob@example.org', newsletters: ['weekly'], pending: true });
    expect((await listSubscribers(ctx(), {})).total).toBe(2);
    const pending = await listSubscribers(ctx(), { newsletter: 'weekly', status: 'pending' });
    expect(pending.rows.map((r) => r.email)).toEqual(['bob@example.org']);
    expect((await listSubscribers(ctx(), { search: 'LEE' })).rows.map((r) => r.email)).toEqual(['ann@example.org']);
    expect(await listSubscribers(ctx(), { limit: 1 })).toMatchObject({ total: 2, rows: [{ email: 'ann@example.org' }] });
    expect((await failure(listSubscribers(ctx(), { status: 'happy' }))).message).toContain('pending, active');
    const shown = await showSubscriber(ctx(), 1);
    expect(shown).toMatchObject({ suppressed: null, subscriptions: [{ newsletter_slug: 'cotton', status: 'active' }], deliveries: [] });
  });

  it('imports a CSV file (GBK too), reports rejected rows, audits the import, and exports it back', async () => {
    const csv = 'email,name,language,keywords\nann@example.org,"Lee, Ann",zh,棉花; yarn\nbad address,,,\nann@example.org,,,\nbob@example.org,=SUM(A1),,\n';
    const dry = await importSubscribersCsv(ctx(), { newsletter: 'weekly', bytes: bytes(csv), dryRun: true });
    expect(importSummary(dry, 'weekly')).toBe('Dry run, nothing written: would import 2 to weekly, 0 already subscribed, 2 rejected (4 rows).');
    expect(await store.db.selectFrom('subscribers').selectAll().execute()).toEqual([]);
    const r = await importSubscribersCsv(ctx('api:token'), { newsletter: 'weekly', bytes: bytes(iconv.encode(csv, 'gbk')), consentVersion: 'v2' });
    expect(r).toMatchObject({ imported: 2, alreadySubscribed: 0, encoding: 'gb18030', status: 'active' });
    expect(r.rejected.map((x) => [x.row, x.reason])).toEqual([
      [3, 'invalid address: the address contains spaces or control characters'],
      [4, 'duplicate of row 2'],
    ]);
    const exported = await exportSubscribersCsv(ctx(), { newsletter: 'weekly' });
    const rows = parseCsv(await text(exported.chunks)).map((x) => x.fields.slice(0, 7));
    expect(rows).toEqual([
      ['email', 'name', 'language', 'keywords', 'newsletter', 'status', 'consent_source'],
      ['ann@example.org', 'Lee, Ann', 'zh', '棉花; yarn', 'weekly', 'active', 'import'],
      ['bob@example.org', "'=SUM(A1)", 'en', '', 'weekly', 'active', 'import'],
    ]);
    const again = await importSubscribersCsv(ctx(), { newsletter: 'weekly', bytes: bytes('email\nann@example.org\n') });
    expect(again).toMatchObject({ imported: 0, alreadySubscribed: 1 });
    expect((await audits()).map((a) => [a.actor, a.action, a.ok])).toEqual([
      ['api:token', 'subscribers.import', true],
      ['cli', 'subscribers.export', true],
      ['cli', 'subscribers.import', true],
    ]);
  });

  it('refuses a file without an email column, and bad options, writing nothing', async () => {
    const err = await failure(importSubscribersCsv(ctx(), { newsletter: 'weekly', bytes: bytes('name\nAnn\n') }));
    expect(err).toMatchObject({ code: 'invalid', field: 'file' });
    expect(err.message).toContain('no "email" column');
    expect((await failure(importSubscribersCsv(ctx(), { newsletter: 'weekly', bytes: bytes('email\n'), status: 'happy' }))).field).toBe('status');
    expect((await failure(importSubscribersCsv(ctx(), { newsletter: 'nope', bytes: bytes('email\n') }))).code).toBe('not_found');
    expect((await failure(exportSubscribersCsv(ctx(), { status: 'happy' }))).code).toBe('invalid');
    expect(await store.db.selectFrom('subscribers').selectAll().execute()).toEqual([]);
    expect((await audits()).map((a) => [a.action, a.ok])).toEqual([['subscribers.import', false]]);
  });
});
