// Fetch bookkeeping of one ingest run, group-committed: every source's success waiting when the
// log drains is recorded in ONE transaction. On a 304 pass that update is all the database work a
// source causes, and a commit each was most of it. A group that fails is retried source by
// source, so one bad record fails only its own source.
import type { Kysely } from 'kysely';
import { type FetchSuccess, type FetchedSource, recordFetchSuccess, recordFetchSuccesses } from '../store/sources.js';
import type { Database } from '../store/schema.js';

export interface SuccessLog {
  record(source: FetchedSource, result: FetchSuccess, now: Date): Promise<void>;
}

interface Entry {
  source: FetchedSource;
  result: FetchSuccess;
  now: Date;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function createSuccessLog(db: Kysely<Database>): SuccessLog {
  let queue: Entry[] = [];
  let running = false;
  const drain = async () => {
    while (queue.length > 0) {
      const group = queue;
      queue = [];
      try {
        await recordFetchSuccesses(db, group);
        for (const e of group) e.resolve();
        continue;
      } catch (err) {
        if (group.length === 1) {
          group[0]!.reject(err);
          continue;
        }
      }
      for (const e of group) await recordFetchSuccess(db, e.source, e.result, e.now).then(() => e.resolve(), e.reject);
    }
    running = false;
  };
  return {
    record(source, result, now) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ source, result, now, resolve, reject });
        if (running) return;
        running = true;
        // One macrotask of delay lets the fetches finishing in the same turn join the group.
        setImmediate(() => void drain());
      });
    },
  };
}
