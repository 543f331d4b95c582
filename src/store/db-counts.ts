// What /metrics counts in the database: one GROUP BY per table (articles, sources by state,
// digests by status, deliveries by channel and state).
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

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
    db
      .selectFrom('articles')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst(),
    sql<{
      enabled: number;
      failing: number;
      n: unknown;
    }>`select enabled, ${failing} as failing, count(*) as n from sources group by enabled, ${failing}`.execute(db),
    db
      .selectFrom('digests')
      .select((eb) => ['status', eb.fn.countAll().as('n')])
      .groupBy('status')
      .execute(),
    db
      .selectFrom('deliveries')
      .select((eb) => ['channel', 'state', eb.fn.countAll().as('n')])
      .groupBy(['channel', 'state'])
      .execute(),
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

/** `select 1`: does the database answer at all. */
export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

// Kysely's default bookkeeping table; migrate.ts keeps it in the current schema on PostgreSQL,
// which an unqualified name finds through the search_path.
const MIGRATION_TABLE = 'kysely_migration';

/** The names of the migrations applied to this database (throws when none ever was: no table). */
export async function appliedMigrations(db: Kysely<Database>): Promise<Set<string>> {
  const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
  return new Set(rows.rows.map((r) => r.name));
}
