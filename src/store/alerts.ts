// Alerts an admin must see (a schedule's missed slots, …): kept until acknowledged, shown on the
// dashboard and by the API; the service also logs them and tells the Telegram admins.
import type { Kysely } from 'kysely';
import type { AlertRow, Database } from './schema.js';

export interface AlertInput {
  kind: string;
  newsletterId?: number | null;
  message: string;
}

export async function addAlert(db: Kysely<Database>, alert: AlertInput, now: Date): Promise<AlertRow> {
  return db
    .insertInto('alerts')
    .values({ kind: alert.kind, newsletter_id: alert.newsletterId ?? null, message: alert.message, created_at: now.toISOString(), acknowledged_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Newest first; unacknowledged only unless `all`. */
export function listAlerts(db: Kysely<Database>, opts: { limit: number; all?: boolean; newsletterId?: number }): Promise<AlertRow[]> {
  return db
    .selectFrom('alerts')
    .selectAll()
    .$if(!opts.all, (q) => q.where('acknowledged_at', 'is', null))
    .$if(opts.newsletterId !== undefined, (q) => q.where('newsletter_id', '=', opts.newsletterId!))
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
}

/** True when the alert existed and was open. */
export async function acknowledgeAlert(db: Kysely<Database>, id: number, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('alerts')
    .set({ acknowledged_at: now.toISOString() })
    .where('id', '=', id)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export function getAlert(db: Kysely<Database>, id: number): Promise<AlertRow | undefined> {
  return db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countOpenAlerts(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('alerts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
