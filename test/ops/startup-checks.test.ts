// The start-up checks: each unsafe combination of settings is named (the setting, never its
// value) as an error that stops the service or a warning; a safe setup has none.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Config, type Env, loadConfig } from '../../src/config/index.js';
import { startupProblems } from '../../src/ops/startup-checks.js';
import { loadSecret } from '../../src/subscribers/secret.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempDir = tempDirs('startup');
const ADMIN_TOKEN = 'admin-token-0123456789abcdefghijklmnop';
const SMTP_PASSWORD = 'smtp-pass-w0rd-xyz';
const WEB = { roles: ['web', 'ingest', 'worker'] };

/** A config in its own data folder, with no .env next to it unless a test writes one. */
function config(env: Env = {}): Readonly<Config> {
  const dir = tempDir();
  return loadConfig({ TIDINGS_DATA_DIR: dir, ...env });
}
const check = (c: Readonly<Config>, roles = WEB.roles) => startupProblems(c, { roles, envFile: path.join(c.dataDir, '.env') });

describe('startup problems', () => {
  it('the default local setup has none', () => {
    expect(check(config())).toEqual({ errors: [], warnings: [] });
  });

  it('TELEGRAM_MODE=webhook without TELEGRAM_WEBHOOK_SECRET (a config built around loadConfig, which refuses it too)', () => {
    const base = config();
    const c = {
      ...base,
      telegram: { ...base.telegram, mode: 'webhook' as const, botToken: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', webhookSecret: undefined },
    };
    const { errors } = check(c);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET/);
  });

  it('HTTP_HOST reachable from other machines with the web role and no admin credentials', () => {
    const open = config({ HTTP_HOST: '0.0.0.0', TIDINGS_PUBLIC_URL: 'https://news.example.org' });
    expect(check(open).errors.join('\n')).toMatch(/HTTP_HOST is not a loopback address.*neither ADMIN_PASSWORD_HASH nor ADMIN_TOKEN/);
    // Not a web process: nothing is served.
    expect(check(open, ['worker']).errors).toEqual([]);
    // The service passes its roles as a Set.
    expect(startupProblems(open, { roles: new Set(['web', 'worker']), envFile: path.join(open.dataDir, '.env') }).errors).toHaveLength(1);
    expect(check(config({ HTTP_HOST: '0.0.0.0', TIDINGS_PUBLIC_URL: 'https://news.example.org', ADMIN_TOKEN })).errors).toEqual([]);
    expect(check(config({ HTTP_HOST: '::1' })).errors).toEqual([]);
  });

  it('an http:// public URL for another machine with admin credentials, unless HTTP_ALLOW_INSECURE_ADMIN=true', () => {
    const env = { HTTP_HOST: '0.0.0.0', TIDINGS_PUBLIC_URL: 'http://news.example.org', ADMIN_TOKEN };
    const { errors } = check(config(env));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/TIDINGS_PUBLIC_URL is http:\/\/.*HTTP_ALLOW_INSECURE_ADMIN=true/);
    expect(errors[0]).not.toContain(ADMIN_TOKEN);
    expect(check(config({ ...env, HTTP_ALLOW_INSECURE_ADMIN: 'true' })).errors).toEqual([]);
    // The default public URL is the listening address: loopback stays fine.
    expect(check(config({ ADMIN_TOKEN })).errors).toEqual([]);
  });

  it('the generated secret key readable by group or others: chmod 600 <path>', () => {
    const c = config();
    loadSecret({ secret: undefined, dataDir: c.dataDir });
    const file = path.join(c.dataDir, 'secret.key');
    expect(check(c).errors).toEqual([]);
    chmodSync(file, 0o640);
    expect(check(c).errors).toEqual([`The generated link-signing key ${file} can be read by other users of this machine: run \`chmod 600 ${file}\`.`]);
    // With TIDINGS_SECRET set the file is not used.
    expect(check({ ...c, secret: 'x'.repeat(32) }).errors).toEqual([]);
    expect(check(c, ['web']).errors).toHaveLength(1);
    expect(startupProblems(c, { roles: ['web'], platform: 'win32' }).errors).toEqual([]);
  });

  it('warns about a .env readable by others', () => {
    const c = config();
    const envFile = path.join(c.dataDir, '.env');
    writeFileSync(envFile, 'LOG_LEVEL=info\n', { mode: 0o644 });
    chmodSync(envFile, 0o644);
    expect(check(c).warnings).toEqual([expect.stringMatching(/holds the settings.*chmod 600/)]);
    chmodSync(envFile, 0o600);
    expect(check(c).warnings).toEqual([]);
  });

  it('SMTP: a login over smtp:// to another host is fine (STARTTLS is enforced); an unchecked certificate is a warning', () => {
    const smtp = { SMTP_URL: `smtp://news:${SMTP_PASSWORD}@smtp.example.org:587`, MAIL_FROM: 'news@example.org' };
    expect(check(config(smtp))).toEqual({ errors: [], warnings: [] });
    const lax = check(config({ ...smtp, SMTP_TLS_REJECT_UNAUTHORIZED: 'false' }));
    expect(lax.errors).toEqual([]);
    expect(lax.warnings).toEqual([expect.stringMatching(/^SMTP_TLS_REJECT_UNAUTHORIZED=false .*password/)]);
    expect(lax.warnings.join('')).not.toContain(SMTP_PASSWORD);
    // A relay on this machine: nothing crosses a network.
    expect(check(config({ ...smtp, SMTP_URL: `smtp://news:${SMTP_PASSWORD}@127.0.0.1:2525`, SMTP_TLS_REJECT_UNAUTHORIZED: 'false' })).warnings).toEqual([]);
  });

  it('warns about secrets sent in clear: Bot API, LLM key, PostgreSQL without TLS', () => {
    const { warnings } = check(
      config({
        TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
        TELEGRAM_API_ROOT: 'http://botapi.internal:8081',
        LLM_BASE_URL: 'http://llm.internal/v1',
        LLM_MODEL: 'm',
        LLM_API_KEY: 'sk-abcdefghijklmnop',
        DATABASE_URL: 'postgres://tidings:pg-secret-value@db.internal/tidings',
      }),
    );
    expect(warnings.map((w) => w.split(' ')[0])).toEqual(['TELEGRAM_API_ROOT', 'LLM_API_KEY', 'DATABASE_URL']);
    expect(warnings.join('\n')).not.toMatch(/pg-secret-value|sk-abcdefghijklmnop|ABCDEFGHIJ/);
    expect(check(config({ DATABASE_URL: 'postgres://tidings:pg-secret-value@db.internal/tidings?sslmode=require' })).warnings).toEqual([]);
  });

  it('HTTP_TRUST_PROXY=true on an exposed host is a warning', () => {
    const { warnings } = check(config({ HTTP_HOST: '0.0.0.0', TIDINGS_PUBLIC_URL: 'https://news.example.org', ADMIN_TOKEN, HTTP_TRUST_PROXY: 'true' }));
    expect(warnings).toEqual([expect.stringMatching(/^HTTP_TRUST_PROXY=true/)]);
  });

  it('one value used for two secrets is an error naming both', () => {
    const { errors } = check(config({ ADMIN_TOKEN, METRICS_TOKEN: ADMIN_TOKEN }));
    expect(errors).toEqual(['ADMIN_TOKEN and METRICS_TOKEN have the same value: give each its own (`openssl rand -hex 32`).']);
  });
});
