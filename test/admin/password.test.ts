import { describe, expect, it } from 'vitest';
import { hashPassword, parsePasswordHash, tokenMatches, verifyPassword, weakPasswordReason, weakTokenReason } from '../../src/admin/password.js';
import { ConfigError, loadConfig, redactedConfig } from '../../src/config/index.js';

const TOKEN = 'k3J9vQ2mX7pL4wR8tY6uZ1aB5cD0eF2g';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('admin credentials', () => {
  it('hashes with scrypt and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    const parsed = parsePasswordHash(hash)!;
    expect(await verifyPassword('correct horse battery', parsed)).toBe(true);
    expect(await verifyPassword('correct horse batterY', parsed)).toBe(false);
    expect(await verifyPassword('x'.repeat(5000), parsed)).toBe(false);
  });

  it('loads a hash and a token from the environment and shows neither in the dump', async () => {
    const hash = await hashPassword('correct horse battery');
    const c = loadConfig({ ADMIN_PASSWORD_HASH: hash, ADMIN_TOKEN: TOKEN });
    expect(c.admin.token).toBe(TOKEN);
    expect(await verifyPassword('correct horse battery', c.admin.passwordHash!)).toBe(true);
    const dump = JSON.stringify(redactedConfig(c));
    expect(dump).not.toContain(TOKEN);
    expect(dump).not.toContain(hash.split('$')[5]);
    expect(redactedConfig(c).admin).toEqual({ passwordHash: '<redacted>', token: '<redacted>', sessionMs: 12 * 3_600_000 });
  });

  it('refuses a plain password, a cheap hash and a weak token, naming the variable but not the value', () => {
    const plain = configError({ ADMIN_PASSWORD_HASH: 'hunter2-hunter2' });
    expect(plain).toContain('ADMIN_PASSWORD_HASH: expected a hash made by `npx tidings admin password`');
    expect(plain).not.toContain('hunter2');
    const cheap = configError({ ADMIN_PASSWORD_HASH: `scrypt$1024$8$1$${'a'.repeat(22)}$${'b'.repeat(43)}` });
    expect(cheap).toContain('scrypt cost is too low');
    const weak = configError({ ADMIN_TOKEN: 'short-secret-token' });
    expect(weak).toContain('ADMIN_TOKEN: expected at least 32 characters');
    expect(weak).not.toContain('short-secret-token');
    expect(configError({ ADMIN_TOKEN: 'ab'.repeat(20) })).toContain('not a repeated pattern');
  });

  it('judges tokens and passwords', () => {
    expect(weakTokenReason(TOKEN)).toBeNull();
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN.slice(1), TOKEN)).toBe(false);
    expect(weakPasswordReason('short')).toContain('at least 12');
    expect(weakPasswordReason('aaaaaaaaaaaaaaaa')).toContain('different characters');
    expect(weakPasswordReason('tidings admin 2026')).toBeNull();
  });
});
