// The admin surfaces' settings: the web UI's password hash, the API's bearer token and how long
// a login lasts. Both credentials are SECRET_VARS; a malformed or weak one stops start-up.
import type { z } from 'zod';
import { MIN_SCRYPT_N, parsePasswordHash, type ScryptHash, weakTokenReason } from '../admin/password.js';
import type { schema } from './schema.js';

export interface AdminConfig {
  /** ADMIN_PASSWORD_HASH parsed; absent: no password login (the token still logs in). */
  passwordHash: ScryptHash | undefined;
  /** ADMIN_TOKEN: the admin API's bearer token, also accepted on the login page. */
  token: string | undefined;
  sessionMs: number;
}

type Parsed = z.infer<typeof schema>;

export function adminSettings(e: Parsed, fail: (problem: string) => never): AdminConfig {
  let passwordHash: ScryptHash | undefined;
  if (e.ADMIN_PASSWORD_HASH !== undefined) {
    const parsed = parsePasswordHash(e.ADMIN_PASSWORD_HASH);
    if (!parsed) fail('ADMIN_PASSWORD_HASH: expected a hash made by `npx tidings admin password` (scrypt$…), not the password itself');
    if (parsed.N < MIN_SCRYPT_N)
      fail(`ADMIN_PASSWORD_HASH: its scrypt cost is too low (N below ${MIN_SCRYPT_N}); make a new one with \`npx tidings admin password\``);
    passwordHash = parsed;
  }
  if (e.ADMIN_TOKEN !== undefined) {
    const weak = weakTokenReason(e.ADMIN_TOKEN);
    if (weak) fail(`ADMIN_TOKEN: expected ${weak}`);
  }
  return { passwordHash, token: e.ADMIN_TOKEN, sessionMs: e.ADMIN_SESSION_HOURS * 3_600_000 };
}

export function redactedAdmin(admin: AdminConfig): Record<string, unknown> {
  return { passwordHash: admin.passwordHash ? '<redacted>' : undefined, token: admin.token ? '<redacted>' : undefined, sessionMs: admin.sessionMs };
}
