// Alerts an admin must see (missed schedule slots, …): listed open or all, and acknowledged once,
// by whoever gets to them first, from any front-end.
import * as store from '../store/alerts.js';
import type { AlertRow } from '../store/schema.js';
import { recordAudit } from './audit.js';
import type { CoreContext } from './context.js';
import { conflict, invalid, notFound } from './errors.js';

const MAX_ALERTS_LISTED = 1000;

export async function listAlerts(ctx: Pick<CoreContext, 'db'>, opts: { all?: boolean; limit?: number } = {}): Promise<AlertRow[]> {
  const limit = opts.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ALERTS_LISTED) throw invalid(`The limit is a whole number from 1 to ${MAX_ALERTS_LISTED}.`, 'limit');
  return store.listAlerts(ctx.db, { limit, all: opts.all });
}

/** Marks the alert seen; one already acknowledged is a conflict (someone else got there first). */
export async function acknowledgeAlert(ctx: CoreContext, id: number): Promise<AlertRow> {
  if (!Number.isSafeInteger(id) || id < 1) throw invalid('An alert id is a positive whole number.', 'id');
  if (!(await store.acknowledgeAlert(ctx.db, id, ctx.now()))) {
    const row = await store.getAlert(ctx.db, id);
    if (!row) throw notFound(`No alert ${id}: check the id against the list of open alerts.`);
    throw conflict(`Alert ${id} was already acknowledged at ${row.acknowledged_at}.`);
  }
  const row = (await store.getAlert(ctx.db, id))!;
  await recordAudit(ctx, 'alert.acknowledge', `alert ${id} (${row.kind}): ${row.message.slice(0, 200)}`);
  return row;
}
