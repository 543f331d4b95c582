// The email stage of the end-to-end bench done by several sender processes sharing one ledger
// (PostgreSQL, SKIP LOCKED claims), and the exactly-once check after every email stage: the sink
// got one message per ledger row, each with its own Message-ID, and every row is `sent`.
import { sql } from 'kysely';
import { deliveryCounts } from '../../src/store/deliveries.js';
import { isPostgresUrl, openDb } from '../../src/store/db.js';
import { runWorker } from '../harness.js';
import type { E2eTarget } from './e2e-deps.js';
import type { CountingSink, SinkStats } from './e2e-sink.js';
import type { E2eRun } from './e2e-stages.js';

const STAGES_SCRIPT = new URL('./e2e-stages.ts', import.meta.url);

export interface SendersResult {
  /** First sender's first claim to the last sender's last mark. */
  ms: number;
  /** Including the processes' start-up. */
  wallMs: number;
  workers: { sent: number; peakRss: number; maxRss: number }[];
  sink: SinkStats;
}

/** Runs `n` sender processes at once until the ledger owes no email; checks exactly-once. */
export async function sendWith(n: number, target: E2eTarget, newsletterId: number, sink: CountingSink, expected: number): Promise<SendersResult> {
  await sink.reset();
  await vacuum(target.databaseUrl);
  const t0 = performance.now();
  const runs = await Promise.all(
    Array.from({ length: n }, () => runWorker<E2eRun>(STAGES_SCRIPT, [JSON.stringify({ target, newsletterId, stages: ['email'] })])),
  );
  const wallMs = performance.now() - t0;
  const email = runs.map((r) => r.stages.email!);
  const stats = await checkExactlyOnce(target.databaseUrl, sink, expected);
  return {
    ms: Math.max(...email.map((e) => e.endedAt)) - Math.min(...email.map((e) => e.startedAt)),
    wallMs,
    workers: runs.map((r, i) => ({ sent: email[i]!.sent ?? 0, peakRss: r.peakRss, maxRss: r.maxRss })),
    sink: stats,
  };
}

/** Throws unless the sink received exactly `expected` distinct Message-IDs, none twice, and every email row is sent. */
export async function checkExactlyOnce(databaseUrl: string, sink: CountingSink, expected: number): Promise<SinkStats> {
  const stats = await sink.stats();
  const store = openDb(databaseUrl);
  const counts = await deliveryCounts(store.db, { channel: 'email' }).finally(() => store.close());
  const problems = [
    stats.accepted !== expected && `the sink accepted ${stats.accepted} messages`,
    stats.distinct !== expected && `${stats.distinct} distinct Message-IDs`,
    stats.duplicates > 0 && `${stats.duplicates} duplicates`,
    stats.missing > 0 && `${stats.missing} without a Message-ID`,
    counts.sent !== expected && `${counts.sent} ledger rows sent (${JSON.stringify(counts)})`,
  ].filter(Boolean);
  if (problems.length) throw new Error(`e2e bench: exactly-once broken for ${expected} mails: ${problems.join(', ')}`);
  return stats;
}

/** Puts every email row back to pending, as if the digest had just been built, for the next run. */
export async function resetEmailLedger(databaseUrl: string): Promise<void> {
  const store = openDb(databaseUrl);
  try {
    const at = new Date(Date.now() - 1000).toISOString();
    await store.db
      .updateTable('deliveries')
      .set({ state: 'pending', attempts: 0, lease_until: null, sent_at: null, last_error: null, next_attempt_at: at, updated_at: at })
      .where('channel', '=', 'email')
      .execute();
  } finally {
    await store.close();
  }
}

/**
 * Every run starts from a vacuumed, analyzed ledger: the reset between the 1-sender and the
 * 3-sender run leaves 100,000 dead row versions behind, which would slow the second run's claims.
 */
async function vacuum(databaseUrl: string): Promise<void> {
  if (!isPostgresUrl(databaseUrl)) return;
  const store = openDb(databaseUrl);
  await sql`vacuum analyze deliveries`.execute(store.db).finally(() => store.close());
}
