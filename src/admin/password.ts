// Admin credentials. The password is stored only as a scrypt hash (ADMIN_PASSWORD_HASH, made by
// `tidings admin password`); the API token is compared in constant time. Weak settings are
// refused at start-up by the checks in config-admin.ts, naming the variable, never the value.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, createHash } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  opts: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** scrypt work factors below this are refused: a leaked hash would fall to a GPU in hours. */
export const MIN_SCRYPT_N = 2 ** 14;
const DEFAULT = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
export const MIN_PASSWORD_CHARS = 12;
export const MIN_TOKEN_CHARS = 32;

export interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** `scrypt$N$r$p$salt$hash` (base64url parts), or null when the text is not one. */
export function parsePasswordHash(text: string): ScryptHash | null {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{40,})$/.exec(text.trim());
  if (!m) return null;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N < 2 || (N & (N - 1)) !== 0 || r < 1 || r > 64 || p < 1 || p > 16) return null;
  return { N, r, p, salt: Buffer.from(m[4]!, 'base64url'), hash: Buffer.from(m[5]!, 'base64url') };
}

const maxmem = (h: { N: number; r: number }) => 256 * h.N * h.r + 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...DEFAULT, maxmem: maxmem(DEFAULT) });
  return `scrypt$${DEFAULT.N}$${DEFAULT.r}$${DEFAULT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: ScryptHash): Promise<boolean> {
  // A password of megabytes would only burn CPU; no real one is that long.
  if (password.length > 1024) return false;
  const hash = await scrypt(password.normalize('NFC'), stored.salt, stored.hash.length, { N: stored.N, r: stored.r, p: stored.p, maxmem: maxmem(stored) });
  return timingSafeEqual(hash, stored.hash);
}

/** Constant-time token comparison (hashing first makes the lengths equal). */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Why a token is too weak to guard the admin API, or null. */
export function weakTokenReason(token: string): string | null {
  if (token.length < MIN_TOKEN_CHARS) return `at least ${MIN_TOKEN_CHARS} characters (e.g. \`openssl rand -hex 32\`)`;
  if (new Set(token).size < 10) return 'a random value, not a repeated pattern (e.g. `openssl rand -hex 32`)';
  return null;
}

/** Why a password is too weak to set, or null. */
export function weakPasswordReason(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_CHARS) return `The password needs at least ${MIN_PASSWORD_CHARS} characters.`;
  if (new Set(password).size < 5) return 'The password repeats too few different characters; choose a longer, varied one.';
  return null;
}
