// Admin web sessions: rows keyed by the SHA-256 of the cookie value (never the value itself),
// each with its CSRF token and expiry.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface SessionInput {
  id: string;
  actor: string;
  csrf: string;
  expiresAt: Date;
}

export async function insertSession(db: Kysely<Database>, s: SessionInput, now: Date): Promise<void> {
  await db
    .insertInto('admin_sessions')
    .values({ id: s.id, actor: s.actor, csrf_token: s.csrf, created_at: now.toISOString(), expires_at: s.expiresAt.toISOString() })
    .execute();
}

/** The session with this id unless it has expired. */
export async function liveSession(db: Kysely<Database>, id: string, now: Date): Promise<{ id: string; actor: string; csrf: string } | undefined> {
  const row = await db
    .selectFrom('admin_sessions')
    .select(['id', 'actor', 'csrf_token'])
    .where('id', '=', id)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row && { id: row.id, actor: row.actor, csrf: row.csrf_token };
}

export async function deleteSession(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('admin_sessions').where('id', '=', id).execute();
}

export async function pruneSessions(db: Kysely<Database>, now: Date): Promise<void> {
  await db.deleteFrom('admin_sessions').where('expires_at', '<=', now.toISOString()).execute();
}
