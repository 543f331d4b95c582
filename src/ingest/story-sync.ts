// Keeps a process's StoryIndex in step with the articles table: the window is loaded once, then
// every write group first picks up what other writers (another replica on PostgreSQL, another
// process on the same SQLite file) stored since.
import type { Kysely } from 'kysely';
import { getStorySignatures, listArticleIdsAfter, listStorySignatures, type StorySignatureRow } from '../store/articles.js';
import type { DialectName } from '../store/db.js';
import type { Database } from '../store/schema.js';
import { bandKeys, decodeSignature } from './dedup.js';
import { CLUSTER_WINDOW_MS, StoryIndex } from './story-index.js';

/**
 * PostgreSQL hands out ids at insert time, so a row with a smaller id than one already seen may
 * still commit later (another replica's transaction was open). Each catch-up there re-checks the
 * last PG_SLACK ids, not only the ones above the highest seen. SQLite has one writer at a time
 * and hands out ids in commit order, so it needs none.
 */
const PG_SLACK = 10_000;

export interface StoriesOptions {
  dialect: DialectName;
  windowMs?: number;
}

export interface Stories {
  readonly index: StoryIndex;
  /** Brings the index up to date; run inside the write transaction, before clustering. */
  sync(db: Kysely<Database>, nowMs: number): Promise<void>;
  /** Articles this process has just committed. */
  added(rows: readonly { id: number; cluster: number; sig: Uint32Array; bands: ArrayLike<number>; fetchedAtMs: number }[]): void;
}

export function createStories(opts: StoriesOptions): Stories {
  const windowMs = opts.windowMs ?? CLUSTER_WINDOW_MS;
  const slack = opts.dialect === 'postgres' ? PG_SLACK : 0;
  const index = new StoryIndex();
  let loaded = false;
  let maxSeen = 0;
  /** Ids above maxSeen − slack already looked at (with or without a signature). */
  const checked = new Set<number>();

  const take = (row: StorySignatureRow, sinceMs: number) => {
    checked.add(row.id);
    maxSeen = Math.max(maxSeen, row.id);
    if (row.minhash === null || Date.parse(row.fetched_at) < sinceMs) return;
    let sig: Uint32Array;
    try {
      sig = decodeSignature(row.minhash);
    } catch {
      return; // written by another version or damaged: that article simply never matches
    }
    index.add(row.id, row.cluster_id ?? row.id, sig, bandKeys(sig), Date.parse(row.fetched_at));
  };

  return {
    index,
    async sync(db, nowMs) {
      const sinceMs = nowMs - windowMs;
      if (!loaded) {
        for await (const page of listStorySignatures(db, new Date(sinceMs).toISOString())) for (const row of page) take(row, sinceMs);
        loaded = true;
      }
      const floor = Math.max(0, maxSeen - slack);
      const unseen = (await listArticleIdsAfter(db, floor)).filter((id) => !checked.has(id) && !index.has(id));
      for (const row of await getStorySignatures(db, unseen)) take(row, sinceMs);
      for (const id of checked) if (id <= Math.max(0, maxSeen - slack)) checked.delete(id);
      index.expire(sinceMs);
    },
    added(rows) {
      for (const r of rows) {
        index.add(r.id, r.cluster, r.sig, r.bands, r.fetchedAtMs);
        checked.add(r.id);
        maxSeen = Math.max(maxSeen, r.id);
      }
    },
  };
}
