// The admin pages' behaviour: schedule checks beside their fields and a preview of the next runs
// in the newsletter's zone, digest preview (nothing consumed) and send now, subscriber import
// and export under the import's consent rules, delivery history, OPML in and out, test fetches.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildReaders } from '../../src/deps.js';
import { ingestAll } from '../../src/ingest/ingest.js';
import { createStories } from '../../src/ingest/story-sync.js';
import { silentLogger } from '../../src/log.js';
import { suppress } from '../../src/store/subscriber-events.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { testFetcher } from '../support/fetcher.js';
import { type FixtureServer, startServer } from '../support/http-fixture.js';
import { adminServer, type Client, type Harness, login, rssFeed, T0, upload } from './web-harness.js';

const NEWSLETTER = {
  intent: 'save',
  slug: 'cotton',
  name: 'Cotton',
  cron: '0 8 * * *',
  timezone: 'Asia/Shanghai',
  grace: '60',
  max_items: '10',
  lookback: '48',
  template: 'default',
};

forEachDialect('admin web: pages', (dialect) => {
  let store: TestStore;
  let h: Harness;
  let feed: FixtureServer;
  let admin: Client;
  beforeEach(async () => {
    store = await dialect.open();
    const items = [
      { title: 'Cotton futures rise', link: 'http://127.0.0.1/a', date: new Date(T0.getTime() - 3_600_000) },
      { title: 'Mills add shifts', link: 'http://127.0.0.1/b', date: new Date(T0.getTime() - 7_200_000) },
    ];
    feed = await startServer({ '/feed.xml': { headers: { 'content-type': 'application/rss+xml' }, body: rssFeed(items) } });
    h = await adminServer(store.db);
    admin = await login(h.app);
  });
  afterEach(async () => {
    await h.close();
    await feed.close();
    await store.close();
  });

  it('checks the schedule beside its fields and previews the next 5 runs in the zone', async () => {
    const badCron = await admin.post('/admin/newsletters', { ...NEWSLETTER, cron: '0 25 * * *' });
    expect(badCron.statusCode).toBe(400);
    expect(badCron.body).toMatch(/id="cron-error">Schedule &quot;0 25 \* \* \*&quot; is not a valid cron expression/);
    const badZone = await admin.post('/admin/newsletters', { ...NEWSLETTER, timezone: 'Mars/Olympus' });
    expect(badZone.body).toContain('id="timezone-error">Unknown time zone &quot;Mars/Olympus&quot;');
    const preview = await admin.post('/admin/newsletters', { ...NEWSLETTER, intent: 'preview' });
    expect(preview.statusCode).toBe(200);
    const runs = [...preview.body.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]);
    expect(runs).toEqual([
      'Wed 2026-11-25 08:00 +08:00 Asia/Shanghai',
      'Thu 2026-11-26 08:00 +08:00 Asia/Shanghai',
      'Fri 2026-11-27 08:00 +08:00 Asia/Shanghai',
      'Sat 2026-11-28 08:00 +08:00 Asia/Shanghai',
      'Sun 2026-11-29 08:00 +08:00 Asia/Shanghai',
    ]);
    expect(await store.db.selectFrom('newsletters').selectAll().execute()).toHaveLength(0);

    const created = await admin.post('/admin/newsletters', { ...NEWSLETTER, include: 'cotton\nyarn', exclude: 'rumour' });
    expect(created.statusCode).toBe(303);
    const row = await store.db.selectFrom('newsletters').selectAll().executeTakeFirstOrThrow();
    expect([row.cron, row.timezone, row.lookback_hours, JSON.parse(row.filters)]).toEqual([
      '0 8 * * *',
      'Asia/Shanghai',
      48,
      { include: ['cotton', 'yarn'], exclude: ['rumour'] },
    ]);
    const dup = await admin.post('/admin/newsletters', NEWSLETTER);
    expect(dup.statusCode).toBe(409);
    expect(dup.body).toContain('already exists');
    await admin.post(`/admin/newsletters/${row.id}/pause`);
    expect((await store.db.selectFrom('newsletters').select('enabled').executeTakeFirstOrThrow()).enabled).toBe(0);
    const dash = await admin.get('/admin');
    expect(dash.body).toContain('No enabled newsletter.');
    await admin.post(`/admin/newsletters/${row.id}/resume`);
    expect((await admin.get('/admin')).body).toContain('Wed 2026-11-25 08:00 +08:00 Asia/Shanghai');
  });

  it('previews without consuming, sends now, and shows the delivery in the subscriber history', async () => {
    await admin.post('/admin/newsletters', NEWSLETTER);
    const probe = await admin.post('/admin/sources/test', { url: `${feed.url}/feed.xml`, kind: 'auto' });
    expect(probe.body).toContain('id="item-count">2<');
    expect(probe.body).toContain('Mills add shifts');
    expect(await store.db.selectFrom('sources').selectAll().execute()).toHaveLength(0);
    await admin.post('/admin/sources', { url: `${feed.url}/feed.xml`, kind: 'feed', name: 'Cotton Wire' });
    const fetcher = testFetcher();
    const now = () => h.clock.now;
    await ingestAll({
      db: store.db,
      readers: buildReaders(),
      fetcher,
      log: silentLogger(),
      now,
      concurrency: 1,
      pauseAfter: 5,
      stories: createStories({ dialect: store.dialect }),
    });
    await fetcher.close();
    await admin.post('/admin/subscribers', { email: 'Ann@Example.org', name: 'Ann', newsletter: '1', status: 'active' });

    const preview = await admin.get('/admin/newsletters/1/preview');
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Cotton futures rise');
    expect(preview.headers['content-security-policy']).toContain("form-action 'none'");
    expect(await store.db.selectFrom('digests').selectAll().execute()).toHaveLength(0);

    const sent = await admin.post('/admin/newsletters/1/send');
    expect(sent.body).toContain('Digest built');
    expect(sent.body).toContain('1 deliveries queued');
    const again = await admin.post('/admin/newsletters/1/send');
    expect(again.statusCode).toBe(409);
    const person = await store.db.selectFrom('subscribers').selectAll().executeTakeFirstOrThrow();
    const history = await admin.get(`/admin/subscribers/${person.id}`);
    expect(history.body).toContain('ann@example.org');
    expect(history.body.replace(/ data-label="[^"]*"/g, '')).toMatch(/<td>email<\/td><td>pending<\/td><td>0<\/td>/);
    expect(history.body).toContain('admin');
    const dash = await admin.get('/admin');
    expect(dash.body).toMatch(
      /<td data-label="Status">ready<\/td>.*<td data-label="Delivered">0<\/td><td data-label="Failed">0<\/td><td data-label="Suppressed">0<\/td><td data-label="Pending">1<\/td>/,
    );
  });

  it('imports CSV under the consent rules, exports it, and searches', async () => {
    await admin.post('/admin/newsletters', NEWSLETTER);
    await suppress(store.db, { address: 'gone@example.org', channel: 'email', reason: 'hard-bounce' }, T0);
    const csv = 'email,name\nann@example.org,Ann\ngone@example.org,Gone\nnot-an-address,X\n';
    const dry = await admin.inject({
      method: 'POST',
      url: '/admin/subscribers/import',
      ...upload({ _csrf: admin.csrf, newsletter: '1', status: 'active', dry_run: 'on' }, { field: 'csv', name: 'l.csv', content: csv }),
    });
    expect(dry.body).toContain('Dry run, nothing written: would import 1');
    expect(await store.db.selectFrom('subscribers').selectAll().execute()).toHaveLength(0);
    const real = await admin.inject({
      method: 'POST',
      url: '/admin/subscribers/import',
      ...upload({ _csrf: admin.csrf, newsletter: '1', status: 'active', consent_version: 'v2' }, { field: 'csv', name: 'l.csv', content: csv }),
    });
    expect(real.body).toContain('Imported 1 to cotton, 0 already subscribed, 2 rejected (3 rows).');
    expect(real.body).toContain('suppressed address (hard-bounce)');
    const pasted = await admin.post('/admin/subscribers/import', { newsletter: '1', status: 'pending', csv_text: 'email\nbo@example.org\n' });
    expect(pasted.body).toContain('Imported 1 to cotton');
    const subs = await store.db.selectFrom('subscriptions').select(['status', 'consent_source', 'consent_version']).orderBy('id').execute();
    expect(subs).toEqual([
      { status: 'active', consent_source: 'import', consent_version: 'v2' },
      { status: 'pending', consent_source: 'import', consent_version: null },
    ]);
    const refused = await admin.post('/admin/subscribers', { email: 'gone@example.org', newsletter: '1', status: 'active' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('gone@example.org is on the suppression list (hard-bounce)');

    const exported = await admin.get('/admin/subscribers.csv?newsletter=1&status=active');
    expect(exported.headers['content-disposition']).toContain('attachment');
    expect(exported.body.split('\n').filter(Boolean)).toHaveLength(2);
    expect(exported.body).toContain('ann@example.org');
    const search = await admin.get('/admin/subscribers?q=BO%40');
    expect(search.body).toContain('bo@example.org');
    expect(search.body).not.toContain('ann@example.org');
  });

  it('imports and exports OPML, and refuses local paths from the web', async () => {
    const opml = `<?xml version="1.0"?><opml version="2.0"><body><outline type="rss" text="Wire" xmlUrl="${feed.url}/feed.xml"/><outline type="rss" text="Disk" xmlUrl="/etc/passwd"/></body></opml>`;
    const res = await admin.post('/admin/sources/opml', { opml_text: opml });
    expect(res.body).toContain('Added 1 source, 0 already present, 1 rejected.');
    expect(res.body).toContain('rejected: &quot;/etc/passwd&quot; is a path on the server');
    expect(await store.db.selectFrom('sources').select('url').execute()).toEqual([{ url: `${feed.url}/feed.xml` }]);
    const out = await admin.get('/admin/sources.opml');
    expect(out.headers['content-disposition']).toContain('tidings-sources.opml');
    expect(out.body).toContain(`${feed.url}/feed.xml`);
    // The core's errors are the page's problem, with their HTTP status.
    const local = await admin.post('/admin/sources/test', { url: '/etc/passwd', kind: 'auto' });
    expect(local.statusCode).toBe(422);
    expect(local.body).toContain('is a path on the server');
    const dead = await admin.post('/admin/sources/test', { url: `${feed.url}/missing.xml`, kind: 'feed' });
    expect(dead.statusCode).toBe(422);
    expect(dead.body).toContain(`Could not read ${feed.url}/missing.xml`);
    expect((await admin.post('/admin/sources/opml', { opml_text: '' })).statusCode).toBe(400);
    const list = await admin.get('/admin/sources');
    expect(list.body).toContain('not fetched yet');
  });
});
