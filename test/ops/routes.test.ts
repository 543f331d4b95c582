// GET /metrics and GET /readyz through the real HTTP app: who may read metrics (loopback, or
// the bearer token — never X-Forwarded-For), and readiness for a healthy, an unmigrated, an
// unreachable, a silent and a draining database.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/log.js';
import { createOps, type Ops } from '../../src/ops/routes.js';
import { createOpsMetrics } from '../../src/ops/ops-metrics.js';
import { createReadiness } from '../../src/ops/readiness.js';
import { openDb, type Store } from '../../src/store/db.js';
import type { Database } from '../../src/store/schema.js';
import { capturingLogger } from '../support/log.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const SENDER = { organization: 'T', postalAddress: 'x', publicUrl: 'https://news.example.org' };
const TOKEN = 'metrics-token-0123456789abcdef';
const T0 = new Date('2026-11-24T08:00:00.000Z');

function server(db: Kysely<Database>, ops: Ops): FastifyInstance {
  return buildServer({ db, log: silentLogger(), now: () => T0, sender: SENDER, ops: ops.routes });
}

forEachDialect('ops routes', (dialect) => {
  let store: TestStore;
  let ops: Ops;
  beforeEach(async () => {
    store = await dialect.open();
  });
  afterEach(async () => {
    ops.close();
    await store.close();
  });

  it('serves /metrics to loopback clients only when no METRICS_TOKEN is set', async () => {
    ops = createOps({ db: store.db, log: silentLogger(), now: () => T0, config: { metricsToken: undefined } });
    const app = server(store.db, ops);
    const local = await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(local.statusCode).toBe(200);
    expect(local.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(local.body).toContain('# TYPE tidings_sources gauge');
    expect((await app.inject({ url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
    // A forwarded header claiming loopback changes nothing: only the socket's address counts.
    const remote = await app.inject({ url: '/metrics', remoteAddress: '203.0.113.9', headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(remote.statusCode).toBe(403);
    expect(remote.body).toContain('METRICS_TOKEN');
    expect(remote.body).not.toContain('tidings_');
    // /healthz is still there; /readyz answers.
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ ready: true, checks: { database: 'ok', migrations: 'ok' } });
  });

  it('with METRICS_TOKEN, wants the bearer token from everyone, loopback included', async () => {
    ops = createOps({ db: store.db, log: silentLogger(), now: () => T0, config: { metricsToken: TOKEN } });
    const app = server(store.db, ops);
    const none = await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}x` } })).statusCode).toBe(401);
    const ok = await app.inject({ url: '/metrics', remoteAddress: '203.0.113.9', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('tidings_database_up 1');
  });

  it('drain() turns /readyz to 503 draining, for good', async () => {
    ops = createOps({ db: store.db, log: silentLogger(), now: () => T0, config: { metricsToken: undefined } });
    const app = server(store.db, ops);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    ops.readiness.drain();
    const r = await app.inject({ url: '/readyz' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toEqual({ ready: false, draining: true });
    expect(ops.readiness.draining).toBe(true);
  });
});

describe('readiness without a working database', () => {
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it('an unmigrated database is not ready: migrations pending', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tidings-readyz-'));
    try {
      const store = openDb(path.join(dir, 'fresh.db'));
      stores.push(store);
      const report = await createReadiness({ db: store.db, log: silentLogger() }).check();
      expect(report).toEqual({ ready: false, checks: { database: 'ok', migrations: 'pending' } });
    } finally {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a refused connection: 503 naming the failed check, no connection string, one log line', async () => {
    const secret = 'db-password-never-shown';
    const store = openDb(`postgres://tidings:${secret}@127.0.0.1:1/x`);
    stores.push(store);
    const { log, text } = capturingLogger('info');
    const ops = { readiness: createReadiness({ db: store.db, log }), metrics: createOpsMetrics({ db: store.db, log, now: () => T0 }) };
    const app = buildServer({ db: store.db, log: silentLogger(), now: () => T0, sender: SENDER, ops });
    try {
      for (let i = 0; i < 2; i++) {
        const r = await app.inject({ url: '/readyz' });
        expect(r.statusCode).toBe(503);
        expect(r.json()).toEqual({ ready: false, checks: { database: 'failed', migrations: 'unknown' } });
        expect(r.body).not.toContain('127.0.0.1');
      }
      const m = await app.inject({ url: '/metrics' });
      expect(m.body).toContain('tidings_database_up 0');
      expect(m.body).toContain('tidings_articles NaN');
      expect(m.body).not.toMatch(/^tidings_sources\{/m);
      expect(text().match(/readyz: not ready/g)).toHaveLength(1);
      expect(text()).not.toContain(secret);
    } finally {
      ops.metrics.close();
    }
  });

  it('a server that never answers: 503 timeout after the deadline', async () => {
    // Accepts the connection and then says nothing, like a hung database host.
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as { port: number }).port;
    const store = openDb(`postgres://tidings:pw@127.0.0.1:${port}/x`);
    try {
      const report = await createReadiness({ db: store.db, log: silentLogger(), timeoutMs: 200 }).check();
      expect(report).toEqual({ ready: false, checks: { database: 'timeout', migrations: 'unknown' } });
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
      await store.close().catch(() => {});
    }
  });
});
