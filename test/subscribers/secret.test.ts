import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedConfig } from '../../src/config/index.js';
import { loadSecret, SECRET_FILE } from '../../src/subscribers/secret.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'tidings-secret-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the link-signing secret', () => {
  it('is generated once into the data folder (mode 0600) and reused after a restart', () => {
    const dataDir = path.join(tmp(), 'data');
    const first = loadSecret({ secret: undefined, dataDir });
    expect(first.length).toBe(32);
    const file = path.join(dataDir, SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecret({ secret: undefined, dataDir }).equals(first)).toBe(true);
  });

  it('uses TIDINGS_SECRET when set, and refuses a damaged key file instead of replacing it', () => {
    const dataDir = tmp();
    expect(loadSecret({ secret: 'x'.repeat(40), dataDir }).toString()).toBe('x'.repeat(40));
    writeFileSync(path.join(dataDir, SECRET_FILE), 'abcd\n');
    expect(() => loadSecret({ secret: undefined, dataDir })).toThrow(/fewer than 32 bytes.*TIDINGS_SECRET/);
    expect(readFileSync(path.join(dataDir, SECRET_FILE), 'utf8')).toBe('abcd\n');
  });

  it('refuses a short TIDINGS_SECRET at start, naming it without printing it, and redacts it in the dump', () => {
    let err: unknown;
    try {
      loadConfig({ TIDINGS_SECRET: 'hunter2-short' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('TIDINGS_SECRET: expected at least 32 bytes');
    expect((err as Error).message).not.toContain('hunter2');
    const config = loadConfig({ TIDINGS_SECRET: 's'.repeat(32) });
    expect(JSON.stringify(redactedConfig(config))).not.toContain('s'.repeat(32));
    expect(redactedConfig(config).secret).toBe('<redacted>');
  });
});
