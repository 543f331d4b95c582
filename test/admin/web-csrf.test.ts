// Every POST route under /admin, collected as fastify registers them: each one refuses a request
// without the session's CSRF token or with a wrong one (403), and one without a session (401, or
// 403 for the login form without its own token), and changes nothing when it refuses. Each one
// given a valid request leaves an audit row naming the admin. A new route is covered by
// construction: it is collected, and the valid-request table below must name it.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { addAlert } from '../../src/store/alerts.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { addSource } from '../../src/store/sources.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { startServer, type FixtureServer } from '../support/http-fixture.js';
import { adminServer, type Client, form, type Harness, login, rssFeed, T0, upload } from './web-harness.js';

const counts = async (store: TestStore) => {
  const tables = ['audit_log', 'newsletters', 'sources', 'subscribers', 'subscriptions', 'digests', 'alerts', 'admin_sessions'] as const;
  const out: Record<string, number> = {};
  for (const t of tables)
    out[t] = Number(
      (
        await store.db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const ack = await store.db.selectFrom('alerts').select('acknowledged_at').execute();
  const states = await store.db.selectFrom('newsletters').select(['enabled', 'name']).execute();
  return JSON.stringify({ out, ack, states });
};

forEachDialect('admin web: every POST route', (dialect) => {
  let store: TestStore;
  let h: Harness;
  let feed: FixtureServer;
  beforeEach(async () => {
    store = await dialect.open();
    feed = await startServer({
      '/feed.xml': { headers: { 'content-type': 'application/rss+xml' }, body: rssFeed([{ title: 'Cotton up', link: 'http://127.0.0.1/a', date: T0 }]) },
    });
    h = await adminServer(store.db);
    await addNewsletter(store.db, { slug: 'cotton', name: 'Cotton', cron: '0 8 * * *', timezone: 'Asia/Shanghai' }, T0);
    await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1:9/old.xml', name: 'Old' }, T0);
    await addAlert(store.db, { kind: 'missed-slots', message: 'Missed 2 runs' }, T0);
  });
  afterEach(async () => {
    await h.close();
    await feed.close();
    await store.close();
  });

  const path = (route: string) => route.replace(':id', '1');

  it('refuses a missing or wrong CSRF token, and a missing session, changing nothing', async () => {
    expect(h.posts.length).toBeGreaterThanOrEqual(15);
    const admin = await login(h.app);
    const before = await counts(store);
    for (const route of h.posts) {
      const url = path(route);
      const fields = {
        name: 'Renamed',
        slug: 'x-1',
        url: `${feed.url}/feed.xml`,
        kind: 'feed',
        email: 'eve@example.org',
        newsletter: '1',
        password: 'p',
        cron: '0 9 * * *',
        timezone: 'UTC',
      };
      const missing = await admin.inject({ method: 'POST', url, ...form(fields) });
      const wrong = await admin.inject({ method: 'POST', url, ...form({ ...fields, _csrf: `${admin.csrf.slice(0, -2)}xx` }) });
      const anonymous = await h.app.inject({ method: 'POST', url, ...form({ ...fields, _csrf: admin.csrf }) });
      expect([route, missing.statusCode]).toEqual([route, 403]);
      expect([route, wrong.statusCode]).toEqual([route, 403]);
      expect([route, anonymous.statusCode]).toEqual([route, route === '/admin/login' ? 403 : 401]);
      expect(anonymous.headers['set-cookie'] ?? '').not.toContain('tidings_admin=');
    }
    expect(await counts(store)).toBe(before);
  });

  it('leaves an audit row for each change, by the logged-in admin', async () => {
    const admin = await login(h.app);
    const csv = 'email,name\nann@example.org,Ann\n';
    const opml = `<?xml version="1.0"?><opml version="2.0"><body><outline type="rss" text="Wire" xmlUrl="${feed.url}/feed.xml"/></body></opml>`;
    const valid: Record<string, { action: string; send: (c: Client) => Promise<unknown> }> = {
      '/admin/logout': { action: 'admin.logout', send: (c) => c.post('/admin/logout') },
      '/admin/login': { action: 'admin.login', send: () => login(h.app) },
      '/admin/alerts/:id/ack': { action: 'alert.acknowledge', send: (c) => c.post('/admin/alerts/1/ack') },
      '/admin/newsletters': {
        action: 'newsletter.add',
        send: (c) =>
          c.post('/admin/newsletters', {
            intent: 'save',
            slug: 'wool',
            name: 'Wool',
            cron: '0 7 * * 1',
            timezone: 'Europe/Berlin',
            grace: '60',
            max_items: '10',
            lookback: '24',
            template: 'default',
          }),
      },
      '/admin/newsletters/:id': {
        action: 'newsletter.update',
        send: (c) =>
          c.post('/admin/newsletters/1', {
            intent: 'save',
            name: 'Cotton Daily',
            cron: '30 7 * * *',
            timezone: 'Asia/Shanghai',
            grace: '30',
            max_items: '15',
            lookback: '24',
            template: 'default',
          }),
      },
      '/admin/newsletters/:id/pause': { action: 'newsletter.pause', send: (c) => c.post('/admin/newsletters/1/pause') },
      '/admin/newsletters/:id/resume': { action: 'newsletter.resume', send: (c) => c.post('/admin/newsletters/1/resume') },
      '/admin/newsletters/:id/send': { action: 'newsletter.send', send: (c) => c.post('/admin/newsletters/1/send') },
      '/admin/sources': { action: 'source.add', send: (c) => c.post('/admin/sources', { url: `${feed.url}/feed.xml`, kind: 'feed', name: 'Wire' }) },
      '/admin/sources/:id/pause': { action: 'source.pause', send: (c) => c.post('/admin/sources/1/pause') },
      '/admin/sources/:id/resume': { action: 'source.resume', send: (c) => c.post('/admin/sources/1/resume') },
      '/admin/sources/:id/remove': { action: 'source.remove', send: (c) => c.post('/admin/sources/1/remove') },
      '/admin/sources/opml': {
        action: 'sources.import',
        send: (c) =>
          c.inject({
            method: 'POST',
            url: '/admin/sources/opml',
            ...upload({ _csrf: c.csrf }, { field: 'opml', name: 'feeds.opml', content: opml.replace('/feed.xml', '/other.xml') }),
          }),
      },
      '/admin/subscribers': {
        action: 'subscriber.add',
        send: (c) => c.post('/admin/subscribers', { email: 'bob@example.org', name: 'Bob', newsletter: '1', status: 'active' }),
      },
      '/admin/subscribers/import': {
        action: 'subscribers.import',
        send: (c) =>
          c.inject({
            method: 'POST',
            url: '/admin/subscribers/import',
            ...upload({ _csrf: c.csrf, newsletter: '1', status: 'active' }, { field: 'csv', name: 'list.csv', content: csv }),
          }),
      },
      '/admin/subscribers/:id/remove': { action: 'subscriber.remove', send: (c) => c.post('/admin/subscribers/1/remove') },
    };
    // Reads, though posted (a test fetch makes the server fetch a URL, which a link must not).
    const readsOnly = new Set(['/admin/sources/test']);
    expect([...h.posts].filter((r) => !readsOnly.has(r)).sort()).toEqual(Object.keys(valid).sort());
    for (const route of Object.keys(valid)) {
      if (route === '/admin/logout') continue;
      const before = await store.db.selectFrom('audit_log').select('id').execute();
      await valid[route]!.send(admin);
      const rows = await store.db
        .selectFrom('audit_log')
        .selectAll()
        .where('id', 'not in', before.length ? before.map((r) => r.id) : [0])
        .execute();
      expect([route, rows.map((r) => r.action)]).toEqual([route, [valid[route]!.action]]);
      expect(rows[0]!.actor).toBe('web:admin');
    }
    await valid['/admin/logout']!.send(admin);
    const last = await store.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect([last.action, last.actor]).toEqual(['admin.logout', 'web:admin']);
    expect(await store.db.selectFrom('sources').select('url').orderBy('id').execute()).toEqual([
      { url: `${feed.url}/feed.xml` },
      { url: `${feed.url}/other.xml` },
    ]);
  });
});
