// Admin web sessions. The cookie holds 32 random bytes; the database holds only their SHA-256,
// so a leaked table (or backup) logs nobody in. Each session has its own CSRF token.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import * as store from '../../store/admin-sessions.js';
import type { Database } from '../../store/schema.js';

export const SESSION_COOKIE = 'tidings_admin';
/** The login form's own double-submit token: it has no session to hang a CSRF token on. */
export const LOGIN_COOKIE = 'tidings_admin_login';
const PATH = '/admin';

export interface AdminSession {
  id: string;
  actor: string;
  csrf: string;
}

export const randomToken = (): string => randomBytes(32).toString('base64url');
export const sessionId = (cookie: string): string => createHash('sha256').update(cookie).digest('hex');

/** Stores a new session; the value to put in the cookie is returned, never stored. */
export async function createSession(db: Kysely<Database>, actor: string, now: Date, ttlMs: number): Promise<{ cookie: string; session: AdminSession }> {
  const cookie = randomToken();
  const session = { id: sessionId(cookie), actor, csrf: randomToken() };
  await store.insertSession(db, { ...session, expiresAt: new Date(now.getTime() + ttlMs) }, now);
  return { cookie, session };
}

export function findSession(db: Kysely<Database>, cookie: string, now: Date): Promise<AdminSession | undefined> {
  // A well-formed value only: anything else cannot be ours and costs no query.
  if (!/^[A-Za-z0-9_-]{43}$/.test(cookie)) return Promise.resolve(undefined);
  return store.liveSession(db, sessionId(cookie), now);
}

export const deleteSession = store.deleteSession;
/** Expired sessions are dropped at each login, so the table stays as small as the logged-in admins. */
export const pruneSessions = store.pruneSessions;

/** One cookie's value from the request's Cookie header. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A Set-Cookie value; maxAgeS 0 deletes the cookie. Secure whenever the public site is https. */
export function cookieHeader(name: string, value: string, opts: { secure: boolean; maxAgeS: number }): string {
  return `${name}=${value}; Path=${PATH}; HttpOnly; SameSite=Strict; Max-Age=${opts.maxAgeS}${opts.secure ? '; Secure' : ''}`;
}

// The session a guarded request was let in with (set by guard.ts before any handler runs).
const sessions = new WeakMap<FastifyRequest, AdminSession>();

export function setSession(request: FastifyRequest, session: AdminSession): void {
  sessions.set(request, session);
}

export function sessionOf(request: FastifyRequest): AdminSession {
  const s = sessions.get(request);
  if (!s) throw new Error('admin route reached without a session (guard.ts not registered)');
  return s;
}
