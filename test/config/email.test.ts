import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedConfig } from '../../src/config/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tidings-config-email-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const DKIM = { DKIM_DOMAIN: 'news.example.org', DKIM_SELECTOR: 'tidings2026' };

function failure(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  return expect.unreachable('the config must be refused') as never;
}

describe('email settings', () => {
  it('defaults to the outbox in the data folder, sending as the organization', () => {
    const c = loadConfig({ TIDINGS_DATA_DIR: dir, TIDINGS_ORGANIZATION: 'Cotton Growers' });
    expect(c.email).toEqual({
      smtpUrl: undefined,
      poolConnections: 5,
      ratePerSecond: 0,
      tlsRejectUnauthorized: true,
      from: { name: 'Cotton Growers', address: 'tidings@localhost' },
      outboxDir: path.join(dir, 'outbox'),
      dkim: undefined,
    });
  });

  it('reads SMTP, pool, rate and sender settings', () => {
    const c = loadConfig({
      SMTP_URL: 'smtps://mailer:p4ss@smtp.example.org:465',
      SMTP_POOL_CONNECTIONS: '3',
      SMTP_RATE_PER_SECOND: '14',
      MAIL_FROM: 'news@news.example.org',
      MAIL_FROM_NAME: 'Cotton Daily',
    });
    expect(c.email).toMatchObject({
      smtpUrl: 'smtps://mailer:p4ss@smtp.example.org:465',
      poolConnections: 3,
      ratePerSecond: 14,
      from: { name: 'Cotton Daily', address: 'news@news.example.org' },
    });
  });

  it('refuses bad values naming the variable, never echoing SMTP_URL', () => {
    const bad = failure({ SMTP_URL: 'http://mailer:hunter2@smtp.example.org' });
    expect(bad).toContain('SMTP_URL: expected an smtp:// or smtps:// URL');
    expect(bad).not.toContain('hunter2');
    expect(failure({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toContain('MAIL_FROM: expected the sender address');
    expect(failure({ MAIL_FROM: 'News <news@example.org>' })).toContain('MAIL_FROM: expected a plain address');
    expect(failure({ MAIL_FROM: 'news@example.org\r\nBcc: x@example.com' })).toContain('MAIL_FROM');
    expect(failure({ SMTP_POOL_CONNECTIONS: '0' })).toContain('SMTP_POOL_CONNECTIONS: expected a whole number between 1 and 100');
    expect(failure({ SMTP_RATE_PER_SECOND: '-1' })).toContain('SMTP_RATE_PER_SECOND');
    expect(failure({ SMTP_TLS_REJECT_UNAUTHORIZED: 'nope' })).toContain('SMTP_TLS_REJECT_UNAUTHORIZED: expected true or false (got "nope")');
  });

  it('checks the relay’s certificate unless SMTP_TLS_REJECT_UNAUTHORIZED=false', () => {
    expect(loadConfig({}).email.tlsRejectUnauthorized).toBe(true);
    expect(loadConfig({ SMTP_TLS_REJECT_UNAUTHORIZED: 'false' }).email.tlsRejectUnauthorized).toBe(false);
    expect(loadConfig({ SMTP_TLS_REJECT_UNAUTHORIZED: 'TRUE' }).email.tlsRejectUnauthorized).toBe(true);
  });

  it('takes the DKIM key from the environment (with \\n escapes) or from a file', () => {
    const inline = loadConfig({ ...DKIM, DKIM_PRIVATE_KEY: PEM.replace(/\n/g, '\\n') });
    expect(inline.email.dkim).toEqual({ domain: 'news.example.org', selector: 'tidings2026', privateKey: PEM });
    const file = path.join(dir, 'dkim.pem');
    writeFileSync(file, PEM);
    expect(loadConfig({ ...DKIM, DKIM_PRIVATE_KEY_FILE: file }).email.dkim?.privateKey).toBe(PEM);
  });

  it('refuses incomplete or unusable DKIM settings without printing the key', () => {
    expect(failure({ DKIM_DOMAIN: 'news.example.org', DKIM_PRIVATE_KEY: PEM })).toContain('DKIM_SELECTOR: expected the selector');
    expect(failure({ DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY: PEM })).toContain('DKIM_DOMAIN: expected the signing domain');
    expect(failure(DKIM)).toContain('DKIM_PRIVATE_KEY: expected a PEM private key');
    expect(failure({ ...DKIM, DKIM_PRIVATE_KEY: PEM, DKIM_PRIVATE_KEY_FILE: '/x.pem' })).toContain('not both');
    expect(failure({ ...DKIM, DKIM_PRIVATE_KEY_FILE: path.join(dir, 'missing.pem') })).toMatch(/DKIM_PRIVATE_KEY_FILE: cannot read .*missing\.pem \(ENOENT\)/);
    const garbage = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----';
    const msg = failure({ ...DKIM, DKIM_PRIVATE_KEY: garbage });
    expect(msg).toContain('DKIM_PRIVATE_KEY: expected a PEM RSA private key');
    expect(msg).not.toContain('c2VjcmV0');
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(failure({ ...DKIM, DKIM_PRIVATE_KEY: ed })).toContain('DKIM_PRIVATE_KEY: expected an RSA private key');
  });

  it('shows where mail goes but not who logs in, and never the key', () => {
    const c = loadConfig({
      SMTP_URL: 'smtps://mailer:hunter2@smtp.example.org:465?tls.rejectUnauthorized=false',
      MAIL_FROM: 'news@news.example.org',
      ...DKIM,
      DKIM_PRIVATE_KEY: PEM,
    });
    const dump = redactedConfig(c);
    const text = JSON.stringify(dump);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('mailer');
    expect(text).not.toContain(PEM.split('\n')[1]!);
    expect(dump.email).toMatchObject({ smtpUrl: 'smtps://<redacted>@smtp.example.org:465', dkim: { domain: 'news.example.org', privateKey: '<redacted>' } });
  });
});
