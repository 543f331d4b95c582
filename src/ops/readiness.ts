// Readiness, as a load balancer or orchestrator asks it (GET /readyz): can this process serve
// now? It needs a database that answers and a schema this code understands. On SIGTERM the
// service calls drain(), so traffic moves elsewhere while in-flight work finishes.
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import { migrations } from '../store/migrations/index.js';
import { appliedMigrations, ping } from '../store/db-counts.js';
import type { Database } from '../store/schema.js';

export type CheckState = 'ok' | 'failed' | 'timeout' | 'pending' | 'unknown';

export type ReadyReport =
  | { ready: true; checks: { database: 'ok'; migrations: 'ok' } }
  | { ready: false; draining: true }
  | { ready: false; checks: { database: CheckState; migrations: CheckState } };

export interface Readiness {
  check(): Promise<ReadyReport>;
  /** From now on every check answers "draining" (503). */
  drain(): void;
  readonly draining: boolean;
}

export interface ReadinessOptions {
  db: Kysely<Database>;
  log: Logger;
  /** How long `select 1` may take (default 2 s). */
  timeoutMs?: number;
}

class Timeout extends Error {}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export function createReadiness(opts: ReadinessOptions): Readiness {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const known = Object.keys(migrations);
  let draining = false;
  // Once every migration this code knows is applied it stays so: a newer release migrating adds
  // rows, never removes ours.
  let migrated = false;
  let lastProblem: string | undefined;

  const pendingMigrations = async (): Promise<number> => {
    const applied = await appliedMigrations(opts.db);
    return known.filter((name) => !applied.has(name)).length;
  };

  const probe = async (): Promise<ReadyReport> => {
    try {
      await within(ping(opts.db), timeoutMs);
    } catch (err) {
      note(err instanceof Timeout ? `database: ${err.message}` : `database: ${err instanceof Error ? err.message : String(err)}`);
      return { ready: false, checks: { database: err instanceof Timeout ? 'timeout' : 'failed', migrations: 'unknown' } };
    }
    if (!migrated) {
      let pending: number;
      try {
        pending = await within(pendingMigrations(), timeoutMs);
      } catch {
        // No bookkeeping table yet: nothing was ever migrated.
        pending = known.length;
      }
      if (pending > 0) {
        note(`migrations: ${pending} not applied yet (run \`tidings migrate\`)`);
        return { ready: false, checks: { database: 'ok', migrations: 'pending' } };
      }
      migrated = true;
    }
    note(undefined);
    return { ready: true, checks: { database: 'ok', migrations: 'ok' } };
  };

  // One line per change of state, not one per probe (a load balancer asks every few seconds).
  const note = (problem: string | undefined) => {
    if (problem === lastProblem) return;
    if (problem) opts.log.warn({ problem }, 'readyz: not ready');
    else if (lastProblem) opts.log.info('readyz: ready again');
    lastProblem = problem;
  };

  return {
    async check() {
      if (draining) return { ready: false, draining: true };
      return probe();
    },
    drain() {
      draining = true;
    },
    get draining() {
      return draining;
    },
  };
}
