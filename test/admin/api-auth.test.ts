// Every /api/v1 route, found by fastify's onRoute hook (so a new route without auth fails here),
// refuses requests without the bearer token, and the whole API is closed without ADMIN_TOKEN.
// Refusals are logged and audited through a rate limit; the token never shows up anywhere.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { adminApiDeps, httpDeps } from '../../src/deps.js';
import { createRoot } from '../../src/main.js';
import { buildServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/log.js';
import { listAudit } from '../../src/store/bot.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { capturingLogger } from '../support/log.js';
import { AUTH, apiHarness, TOKEN } from './api-harness.js';

interface Route {
  method: string;
  url: string;
}

/** Every API route, with a sample value in place of each path parameter. */
async function apiRoutes(store: TestStore): Promise<Route[]> {
  const routes: Route[] = [];
  const h = await apiHarness(store, {
    beforeReady: (app) =>
      app.addHook('onRoute', (r) => {
        for (const method of [r.method].flat()) if (r.url.startsWith('/api/v1')) routes.push({ method, url: r.url.replace(/:\w+/g, '1') });
      }),
  });
  await h.close();
  return routes;
}

forEachDialect('admin API auth', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await dialect.open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('refuses every route without the token, with a wrong one, or with it in the query string', async () => {
    const routes = await apiRoutes(store);
    // The API's resources are all there (GET routes also register HEAD).
    expect(routes.filter((r) => r.method !== 'HEAD').length).toBeGreaterThanOrEqual(29);
    const cap = capturingLogger('debug');
    const h = await apiHarness(store, { log: cap.log });
    const bodies: string[] = [];
    try {
      const attempts: Record<string, Record<string, string>>[] = [
        { headers: {} },
        { headers: { authorization: `Bearer ${TOKEN}x` } },
        { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}` } },
        { headers: { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` } },
        { headers: { authorization: TOKEN } },
        { headers: { 'x-api-key': TOKEN, cookie: `token=${TOKEN}` } },
      ];
      for (const route of [...routes, { method: 'GET', url: '/api/v1/no-such-route' }]) {
        for (const { headers } of attempts) {
          const res = await h.app.inject({ method: route.method as 'GET', url: route.url, headers });
          expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
          expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
          if (route.method !== 'HEAD') expect(res.json().error.code).toBe('unauthorized');
          bodies.push(res.body);
        }
        const inQuery = await h.app.inject({ method: route.method as 'GET', url: `${route.url}?token=${TOKEN}&access_token=${TOKEN}` });
        expect(inQuery.statusCode, `${route.method} ${route.url}?token=`).toBe(401);
        bodies.push(inQuery.body);
      }
      const ok = await h.call('GET', '/api/v1/newsletters');
      expect(ok.statusCode).toBe(200);
      const unknown = await h.call('GET', '/api/v1/no-such-route');
      expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'not_found']);
      const invalid = await h.call('POST', '/api/v1/newsletters', { slug: 'Bad!' });
      expect(invalid.statusCode).toBe(400);
      bodies.push(ok.body, unknown.body, invalid.body);
    } finally {
      await h.close();
    }
    const log = cap.text();
    expect(log).toContain('admin API request refused');
    for (const text of [...bodies, log]) {
      expect(text).not.toContain(TOKEN.slice(0, 16));
      expect(text).not.toContain(Buffer.from(`admin:${TOKEN}`).toString('base64'));
    }
    const rows = await listAudit(store.db, { limit: 1000, actor: 'api:anonymous' });
    expect(rows.every((r) => r.ok === 0 && !r.detail!.includes(TOKEN.slice(0, 16)))).toBe(true);
  });

  it('answers 503 on every route while ADMIN_TOKEN is not set, whatever the request carries', async () => {
    const routes = await apiRoutes(store);
    const h = await apiHarness(store, { token: null });
    try {
      for (const route of routes) {
        for (const headers of [{}, AUTH, { authorization: 'Bearer ' }]) {
          const res = await h.app.inject({ method: route.method as 'GET', url: route.url, headers });
          expect(res.statusCode, `${route.method} ${route.url}`).toBe(503);
          if (route.method !== 'HEAD') expect(res.json().error.message).toContain('ADMIN_TOKEN');
        }
      }
    } finally {
      await h.close();
    }
  });

  it('audits and logs refusals, but a flood only up to the rate limit, counting the rest', async () => {
    const cap = capturingLogger('info');
    const h = await apiHarness(store, { log: cap.log });
    try {
      for (let i = 0; i < 40; i++) {
        const res = await h.app.inject({
          method: 'GET',
          url: '/api/v1/subscribers',
          remoteAddress: '203.0.113.7',
          headers: { authorization: `Bearer wrong-${i}` },
        });
        expect(res.statusCode).toBe(401);
      }
      let rows = await listAudit(store.db, { limit: 1000, actor: 'api:anonymous' });
      expect(rows).toHaveLength(5);
      expect(rows[0]).toMatchObject({ action: 'admin.refused', ok: 0 });
      expect(rows[0]!.detail).toContain('GET /api/v1/subscribers from 203.0.113.7: wrong token');
      expect(cap.text().match(/admin API request refused/g)).toHaveLength(5);
      // Another client still gets recorded while the first is over its limit.
      await h.app.inject({ method: 'DELETE', url: '/api/v1/sources/3', remoteAddress: '198.51.100.2' });
      rows = await listAudit(store.db, { limit: 1000, actor: 'api:anonymous' });
      expect(rows).toHaveLength(6);
      expect(rows[0]!.detail).toContain('DELETE /api/v1/sources/3 from 198.51.100.2: missing token (+35 more refused requests not recorded: rate limit)');
      h.clock.advance(61_000);
      await h.app.inject({ method: 'GET', url: '/api/v1/subscribers', remoteAddress: '203.0.113.7' });
      expect(await listAudit(store.db, { limit: 1000, actor: 'api:anonymous' })).toHaveLength(7);
    } finally {
      await h.close();
    }
  });
});

describe('adminApiDeps', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const env = (extra: Record<string, string> = {}) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-api-'));
    dirs.push(dir);
    return { TIDINGS_DATA_DIR: dir, TIDINGS_PUBLIC_URL: 'https://news.example.org', ...extra };
  };

  it('serves the API with ADMIN_TOKEN from the config, and closes it without', async () => {
    for (const [extra, status] of [
      [{ ADMIN_TOKEN: TOKEN }, 200],
      [{}, 503],
    ] as const) {
      const deps = await createRoot(loadConfig(env(extra)), silentLogger());
      const app = buildServer({ ...httpDeps(deps), api: adminApiDeps(deps) });
      try {
        const res = await app.inject({ method: 'GET', url: '/api/v1/newsletters', headers: AUTH });
        expect(res.statusCode).toBe(status);
        expect(res.headers['cache-control']).toBe('no-store');
        expect((await app.inject({ method: 'GET', url: '/api/v1/newsletters' })).statusCode).toBe(status === 200 ? 401 : 503);
      } finally {
        await app.close();
        await deps.close();
      }
    }
  });
});
