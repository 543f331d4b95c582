// The numbers an admin reads, the same wherever they read them: the bot's /stats, the dashboard
// and GET /api/v1/stats. Read-only, so nothing is audited.
import { type DeliveryCounts, deliveryCounts } from '../store/deliveries.js';
import { countOpenAlerts } from '../store/alerts.js';
import {
  failingSources,
  type LastDigestDeliveries,
  lastDigestDeliveries,
  type RecentDigest,
  recentDigests,
  type SubscriptionCount,
  subscriptionCounts,
} from '../store/bot-stats.js';
import type { SourceRow } from '../store/schema.js';
import type { CoreContext } from './context.js';

/** Enough failing sources to act on; the sources page lists them all. */
const FAILING_SOURCES_SHOWN = 20;
const RECENT_DIGESTS_SHOWN = 10;

export interface AdminStats {
  subscriptions: SubscriptionCount[];
  /** Per newsletter, its latest ready digest and that digest's deliveries by state. */
  lastDigests: LastDigestDeliveries[];
  /** Paused, or failing while still retried; the worst first. */
  failingSources: SourceRow[];
  openAlerts: number;
}

export async function adminStats(ctx: Pick<CoreContext, 'db'>): Promise<AdminStats> {
  const [subscriptions, lastDigests, failing, openAlerts] = await Promise.all([
    subscriptionCounts(ctx.db),
    lastDigestDeliveries(ctx.db),
    failingSources(ctx.db, FAILING_SOURCES_SHOWN),
    countOpenAlerts(ctx.db),
  ]);
  return { subscriptions, lastDigests, failingSources: failing, openAlerts };
}

/** The latest digests of any newsletter (built, skipped or failed), each with its delivery counts. */
export async function recentDigestStats(ctx: Pick<CoreContext, 'db'>): Promise<(RecentDigest & { deliveries: DeliveryCounts })[]> {
  const rows = await recentDigests(ctx.db, RECENT_DIGESTS_SHOWN);
  return Promise.all(rows.map(async (d) => ({ ...d, deliveries: await deliveryCounts(ctx.db, { digestId: d.id }) })));
}
