// httpDeps from a real config: which routes exist depends on the email channel and on
// BOUNCE_WEBHOOK_SECRET; HTTP_TRUST_PROXY decides whose IP the rate limits see.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedConfig } from '../../src/config/index.js';
import { httpDeps } from '../../src/deps.js';
import { createRoot } from '../../src/main.js';
import { buildServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/log.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { fakeEmailChannel } from './harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-wiring-'));
  dirs.push(dir);
  return { TIDINGS_DATA_DIR: dir, TIDINGS_PUBLIC_URL: 'https://news.example.org', ...extra };
}

describe('httpDeps', () => {
  it('serves the subscriber pages with a mail channel, and the bounce hook with a secret', async () => {
    const config = loadConfig(env({ BOUNCE_WEBHOOK_SECRET: 'a-long-enough-secret', HTTP_TRUST_PROXY: '10.0.0.1, 10.1.0.0/16' }));
    expect(config.http.trustProxy).toBe('10.0.0.1, 10.1.0.0/16');
    expect(redactedConfig(config).bounceWebhookSecret).toBe('<redacted>');
    const deps = await createRoot(config, silentLogger());
    const on = buildServer(httpDeps(deps, { channel: fakeEmailChannel(), from: { name: 'Tidings', address: 'news@example.org' } }));
    const off = buildServer(httpDeps(deps));
    try {
      expect((await on.inject({ method: 'GET', url: '/subscribe' })).statusCode).toBe(200);
      expect((await on.inject({ method: 'POST', url: '/hooks/bounces', payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode).toBe(401);
      expect((await off.inject({ method: 'GET', url: '/subscribe' })).statusCode).toBe(404);
      // Through a trusted proxy, the consent record holds the forwarded client address.
      await addNewsletter(deps.store.db, { slug: 'cotton', name: 'Cotton' }, new Date());
      const proxied = await on.inject({
        method: 'POST',
        url: '/subscribe',
        remoteAddress: '10.1.2.3',
        payload: 'email=ann%40example.org&newsletter=cotton',
        headers: { 'x-forwarded-for': '203.0.113.9', 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(proxied.statusCode).toBe(200);
      const sub = await deps.store.db.selectFrom('subscriptions').select('subscribe_ip').executeTakeFirstOrThrow();
      expect(sub.subscribe_ip).toBe('203.0.113.9');
    } finally {
      await on.close();
      await off.close();
      await deps.close();
    }
    const plain = await createRoot(loadConfig(env()), silentLogger());
    const none = buildServer(httpDeps(plain));
    try {
      expect((await none.inject({ method: 'POST', url: '/hooks/bounces', payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode).toBe(
        404,
      );
    } finally {
      await none.close();
      await plain.close();
    }
  });

  it('refuses a short bounce secret or a bad proxy list without printing the secret', () => {
    expect(() => loadConfig(env({ BOUNCE_WEBHOOK_SECRET: 'short-secret' }))).toThrow(ConfigError);
    try {
      loadConfig(env({ BOUNCE_WEBHOOK_SECRET: 'short-secret' }));
    } catch (err) {
      expect((err as Error).message).toContain('BOUNCE_WEBHOOK_SECRET');
      expect((err as Error).message).not.toContain('short-secret');
    }
    expect(() => loadConfig(env({ HTTP_TRUST_PROXY: 'everyone' }))).toThrow(/HTTP_TRUST_PROXY/);
    expect(loadConfig(env({ HTTP_TRUST_PROXY: 'true' })).http.trustProxy).toBe(true);
    expect(loadConfig(env()).http.trustProxy).toBe(false);
  });
});
