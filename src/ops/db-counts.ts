// What /metrics reads from the database: one GROUP BY per table, cached for a few seconds so a
// storm of scrapes (several Prometheus replicas, a dashboard left open) costs the database at
// most one round of queries per interval.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.js';

export type SourceState = 'active' | 'paused' | 'failing';

export interface DbCounts {
  articles: number;
  sources: Record<SourceState, number>;
  digests: Map<string, number>;
  /** Keyed "channel\u0000state". */
  deliveries: Map<string, number>;
}

// PostgreSQL returns count(*) as a bigint string.
const num = (v: unknown) => Number(v ?? 0);

export async function readDbCounts(db: Kysely<Database>): Promise<DbCounts> {
  const failing = sql`case when consecutive_failures > 0 then 1 else 0 end`;
  const [articles, sources, digests, deliveries] = await Promise.all([
    db.selectFrom('articles').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
    sql<{ enabled: number; failing: number; n: unknown }>`select enabled, ${failing} as failing, count(*) as n from sources group by enabled, ${failing}`.execute(db),
    db.selectFrom('digests').select((eb) => ['status', eb.fn.countAll().as('n')]).groupBy('status').execute(),
    db.selectFrom('deliveries').select((eb) => ['channel', 'state', eb.fn.countAll().as('n')]).groupBy(['channel', 'state']).execute(),
  ]);
  const byState: Record<SourceState, number> = { active: 0, paused: 0, failing: 0 };
  for (const r of sources.rows) {
    // A paused source counts as paused whatever its failures; "failing" is still being retried.
    const state: SourceState = num(r.enabled) === 0 ? 'paused' : num(r.failing) === 1 ? 'failing' : 'active';
    byState[state] += num(r.n);
  }
  return {
    articles: num(articles?.n),
    sources: byState,
    digests: new Map(digests.map((r) => [r.status, num(r.n)])),
    deliveries: new Map(deliveries.map((r) => [`${r.channel}\u0000${r.state}`, num(r.n)])),
  };
}

/**
 * `read` at most once per `ttlMs` (by the injected clock); concurrent callers share one read,
 * and a failure is remembered for the interval too, so a dead database is not asked again and again.
 */
export function cachedRead<T>(read: () => Promise<T>, ttlMs: number, now: () => Date): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const t = now().getTime();
    if (!last || t - last.at >= ttlMs || t < last.at) {
      const value = read();
      // The rejection is handled by whoever awaits it; this keeps it from being "unhandled" meanwhile.
      value.catch(() => {});
      last = { at: t, value };
    }
    return last.value;
  };
}
