import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedConfig } from '../src/config.js';

describe('config', () => {
  it('has working defaults for the embedded setup', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe(path.resolve('data', 'tidings.db'));
    expect(c.fetch).toMatchObject({ timeoutMs: 20_000, maxBytes: 15 * 1024 * 1024, maxRedirects: 5, allow: [] });
    expect(c.logLevel).toBeUndefined();
    expect(Object.isFrozen(c) && Object.isFrozen(c.fetch) && Object.isFrozen(c.fetch.allow)).toBe(true);
  });

  it('parses lists and numbers, treating empty values as unset', () => {
    const c = loadConfig({ FETCH_ALLOW: ' 10.0.0.0/8, intranet.local ,', FETCH_TIMEOUT_MS: '1500', LOG_LEVEL: '', INGEST_CONCURRENCY: '' });
    expect(c.fetch.allow).toEqual(['10.0.0.0/8', 'intranet.local']);
    expect(c.fetch.timeoutMs).toBe(1500);
    expect(c.ingest.concurrency).toBe(32);
  });

  it('names every bad variable and what it expects', () => {
    let err: unknown;
    try {
      loadConfig({ FETCH_TIMEOUT_MS: 'soon', LOG_LEVEL: 'loud', FETCH_MAX_BYTES: '12' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('FETCH_TIMEOUT_MS: expected a whole number between 100 and 600000 (got "soon")');
    expect(msg).toContain('LOG_LEVEL: expected one of');
    expect(msg).toContain('FETCH_MAX_BYTES');
  });

  it('never prints the value of a secret', () => {
    const secret = 'mysql://admin:hunter2-very-secret@db.internal/tidings';
    try {
      loadConfig({ DATABASE_URL: secret });
      expect.unreachable('a mysql URL must be refused');
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('DATABASE_URL');
      expect(msg).not.toContain('hunter2');
      expect(msg).not.toContain('db.internal');
    }
  });

  it('redacts secrets in the dump', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u:hunter2@127.0.0.1/x' });
    expect(JSON.stringify(redactedConfig(c))).not.toContain('hunter2');
    expect(redactedConfig(c).databaseUrl).toBe('<redacted>');
  });
});
