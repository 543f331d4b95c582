// The serialized writer of one ingest run. Near-duplicate clustering must see what earlier
// sources stored, and SQLite has a single writer anyway; reading and parsing stay parallel.
//
// Writes are group-committed: the writer takes every source batch waiting in its queue and stores
// them in ONE transaction. A commit costs about the same for 50 articles as for 2,000 (it is the
// pages written, mostly shared index pages), so grouping divides that cost by the group's size.
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import type { Database, SourceRow } from '../store/schema.js';
import type { ArticleDraft } from './normalize.js';
import type { Stories } from './story-sync.js';
import { type Pending, type StoreCounts, writeGroup } from './write-group.js';

/** Most articles one group transaction takes; more wait for the next group. */
export const GROUP_MAX_ARTICLES = 2000;

export interface GroupWriter {
  write(source: SourceRow, drafts: ArticleDraft[], counts: StoreCounts, fetchedAt: Date): Promise<StoreCounts>;
}

export interface GroupWriterDeps {
  db: Kysely<Database>;
  log: Logger;
  now: () => Date;
  /** The process's near-duplicate index, loaded from the store at the first write. */
  stories: Stories;
}

export function createGroupWriter(deps: GroupWriterDeps, maxArticles = GROUP_MAX_ARTICLES): GroupWriter {
  const queue: Pending[] = [];
  let running = false;
  const drain = async () => {
    while (queue.length > 0) {
      const group: Pending[] = [];
      let size = 0;
      // A source larger than the cap still goes, alone; it never waits forever.
      while (queue.length > 0 && (group.length === 0 || size + queue[0]!.drafts.length <= maxArticles)) {
        const next = queue.shift()!;
        size += next.drafts.length;
        group.push(next);
      }
      await storeGroup(deps, group);
    }
    running = false;
  };
  return {
    write(source, drafts, counts, fetchedAt) {
      return new Promise<StoreCounts>((resolve, reject) => {
        queue.push({ source, drafts, counts, fetchedAt, resolve, reject });
        if (running) return;
        running = true;
        // One macrotask of delay lets batches parsed in the same turn join the first group.
        setImmediate(() => void drain());
      });
    },
  };
}

/** One transaction for the group; if it fails, one per source, so a bad batch sinks only itself. */
async function storeGroup(deps: GroupWriterDeps, group: Pending[]): Promise<void> {
  const attempt = async (part: Pending[]) => {
    const result = await deps.db.transaction().execute(async (trx) => {
      await deps.stories.sync(trx, deps.now().getTime());
      return writeGroup(trx, part, deps.stories.index);
    });
    // Only committed articles join the index: a rolled-back group leaves no trace in it.
    deps.stories.added(result.added);
    return result.counts;
  };
  try {
    const counts = await attempt(group);
    for (const [i, p] of group.entries()) p.resolve(counts[i]!);
    return;
  } catch (err) {
    if (group.length === 1) return void group[0]!.reject(err);
    deps.log.warn({ sources: group.length, err: (err as Error).message }, 'group write failed; retrying source by source');
  }
  for (const p of group) {
    try {
      const [counts] = await attempt([p]);
      p.resolve(counts!);
    } catch (err) {
      p.reject(err);
    }
  }
}
