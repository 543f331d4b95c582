// Login, sessions and the setup page of the admin web UI.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturingLogger } from '../support/log.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { adminServer, credentials, csrfIn, form, type Harness, login, PASSWORD, setCookie, TOKEN } from './web-harness.js';

async function loginAttempt(h: Harness, password: string, ip = '203.0.113.7') {
  const page = await h.app.inject({ method: 'GET', url: '/admin/login', remoteAddress: ip });
  const cookie = setCookie(page, 'tidings_admin_login')!.value;
  return h.app.inject({
    method: 'POST',
    url: '/admin/login',
    remoteAddress: ip,
    ...form({ _csrf: csrfIn(page.body), password }),
    cookies: { tidings_admin_login: cookie },
  });
}

forEachDialect('admin web: login and sessions', (dialect) => {
  let store: TestStore;
  let h: Harness;
  beforeEach(async () => {
    store = await dialect.open();
  });
  afterEach(async () => {
    await h?.close();
    await store.close();
  });

  it('without any credential serves only the setup page', async () => {
    h = await adminServer(store.db, { credentials: { passwordHash: undefined, token: undefined, sessionMs: 3_600_000 } });
    for (const url of ['/admin', '/admin/login', '/admin/newsletters', '/admin/subscribers']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('npx tidings admin password');
      expect(res.body).toContain('ADMIN_PASSWORD_HASH');
      expect(res.body).not.toContain('<form');
    }
    const post = await h.app.inject({ method: 'POST', url: '/admin/login', ...form({ password: 'anything at all' }) });
    expect(post.statusCode).toBe(403);
    expect(post.body).toContain('npx tidings admin password');
  });

  it('logs in with the password: a random cookie, stored only as its hash, HttpOnly and SameSite=Strict on /admin', async () => {
    h = await adminServer(store.db);
    expect((await h.app.inject({ method: 'GET', url: '/admin' })).headers.location).toBe('/admin/login');
    const res = await loginAttempt(h, PASSWORD);
    expect(res.statusCode).toBe(303);
    const cookie = setCookie(res, 'tidings_admin')!;
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes).toContain('HttpOnly');
    expect(cookie.attributes).toContain('SameSite=Strict');
    expect(cookie.attributes).toContain('Path=/admin');
    expect(cookie.attributes).toContain('Max-Age=3600');
    expect(cookie.attributes).not.toContain('Secure');
    const rows = await store.db.selectFrom('admin_sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(createHash('sha256').update(cookie.value).digest('hex'));
    expect(rows[0]!.actor).toBe('web:admin');
    expect(rows[0]!.expires_at).toBe(new Date(h.clock.now.getTime() + 3_600_000).toISOString());
    const dash = await h.app.inject({ method: 'GET', url: '/admin', cookies: { tidings_admin: cookie.value } });
    expect(dash.statusCode).toBe(200);
    expect(dash.body).toContain('Dashboard');
    expect(dash.headers['content-security-policy']).toContain("form-action 'self'");
    expect(dash.headers['content-security-policy']).not.toContain('script-src');
  });

  it('marks the cookie Secure when the public site is https, and accepts ADMIN_TOKEN as the password', async () => {
    h = await adminServer(store.db, { sender: { organization: 'O', postalAddress: 'P', publicUrl: 'https://news.example.org' } });
    const res = await loginAttempt(h, TOKEN);
    expect(res.statusCode).toBe(303);
    expect(setCookie(res, 'tidings_admin')!.attributes).toContain('Secure');
    expect((await store.db.selectFrom('admin_sessions').select('actor').executeTakeFirstOrThrow()).actor).toBe('web:token');
  });

  it('refuses a wrong password without saying what was wrong, and logs it without the password', async () => {
    const { log, text } = capturingLogger();
    h = await adminServer(store.db, { log });
    const res = await loginAttempt(h, 'not-the-password-42');
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Login failed');
    expect(/role="alert">([^<]*)</.exec(res.body)?.[1]).toBe('Login failed. Check the password and try again.');
    expect(setCookie(res, 'tidings_admin')).toBeUndefined();
    expect(text()).toContain('admin login refused');
    expect(text()).not.toContain('not-the-password-42');
    const audit = await store.db.selectFrom('audit_log').selectAll().execute();
    expect(audit.map((a) => [a.action, a.ok])).toEqual([['admin.login', 0]]);
    expect(JSON.stringify(audit)).not.toContain('not-the-password-42');
    // Without the login form's cookie the post is refused before any password is checked.
    const forged = await h.app.inject({ method: 'POST', url: '/admin/login', ...form({ _csrf: 'x', password: PASSWORD }) });
    expect(forged.statusCode).toBe(403);
    expect(setCookie(forged, 'tidings_admin')).toBeUndefined();
  });

  it('limits login attempts per IP', async () => {
    h = await adminServer(store.db, { loginAttempts: 3 });
    for (let i = 0; i < 3; i++) expect((await loginAttempt(h, `wrong-${i}`)).statusCode).toBe(401);
    const limited = await loginAttempt(h, PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await loginAttempt(h, PASSWORD, '203.0.113.8')).statusCode).toBe(303);
    h.clock.now = new Date(h.clock.now.getTime() + 16 * 60_000);
    expect((await loginAttempt(h, PASSWORD)).statusCode).toBe(303);
  });

  it('ends sessions at logout and when they expire', async () => {
    h = await adminServer(store.db, { credentials: await credentials({ sessionMs: 60_000 }) });
    const a = await login(h.app);
    const out = await a.post('/admin/logout');
    expect(out.statusCode).toBe(303);
    expect(setCookie(out, 'tidings_admin')!.attributes).toContain('Max-Age=0');
    expect((await a.get('/admin')).headers.location).toBe('/admin/login');
    expect(await store.db.selectFrom('admin_sessions').selectAll().execute()).toHaveLength(0);
    const b = await login(h.app);
    h.clock.now = new Date(h.clock.now.getTime() + 61_000);
    expect((await b.get('/admin')).statusCode).toBe(303);
    const late = await b.post('/admin/alerts/1/ack');
    expect(late.statusCode).toBe(401);
  });
});

describe('admin web: not mounted', () => {
  it('is a 404 when HttpDeps has no admin part', async () => {
    const { buildServer } = await import('../../src/http/server.js');
    const { silentLogger } = await import('../../src/log.js');
    const app = buildServer({
      db: undefined as never,
      log: silentLogger(),
      now: () => new Date(0),
      sender: { organization: 'O', postalAddress: 'P', publicUrl: 'http://x' },
    });
    expect((await app.inject({ method: 'GET', url: '/admin' })).statusCode).toBe(404);
    await app.close();
  });
});
