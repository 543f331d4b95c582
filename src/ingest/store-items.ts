// The write half of ingest: normalize a source's items, drop exact duplicates (guid, canonical
// URL, content fingerprint), give near-duplicates their story's cluster, and insert the rest.
//
// Writes are group-committed: the run's one writer takes every source batch waiting in its queue
// and stores them in ONE transaction. A commit costs about the same for 50 articles as for
// 2,000 (it is the pages written, mostly shared index pages), so grouping divides that cost by
// the number of sources in the group.
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import type { ParsedItem } from '../sources/types.js';
import { findClusterCandidates, findExisting, insertArticles } from '../store/articles.js';
import type { ArticleToInsert, ClusterCandidate } from '../store/articles.js';
import type { Database, SourceRow } from '../store/schema.js';
import { assignCluster, bandKeys, encodeSignature, signature } from './dedup.js';
import { type ArticleDraft, normalizeItem, toNewArticle } from './normalize.js';
import { toSourceRef } from './source-ref.js';

/** How far back a new article looks for the story it may belong to. */
const CLUSTER_WINDOW_MS = 14 * 24 * 3600 * 1000;
/** Most articles one group transaction takes; more wait for the next group. */
export const GROUP_MAX_ARTICLES = 2000;

export interface StoreCounts {
  new: number;
  duplicates: number;
  skipped: number;
}

interface Pending {
  source: SourceRow;
  drafts: ArticleDraft[];
  /** Counted before the writer: skipped items and repeats inside the source's own batch. */
  counts: StoreCounts;
  fetchedAt: Date;
  resolve: (counts: StoreCounts) => void;
  reject: (err: unknown) => void;
}

/**
 * The serialized writer of one run. Near-duplicate clustering must see what earlier sources
 * stored, and SQLite has a single writer anyway; reading and parsing stay parallel.
 */
export interface GroupWriter {
  write(source: SourceRow, drafts: ArticleDraft[], counts: StoreCounts, fetchedAt: Date): Promise<StoreCounts>;
}

export function createGroupWriter(deps: { db: Kysely<Database>; log: Logger }, maxArticles = GROUP_MAX_ARTICLES): GroupWriter {
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
async function storeGroup(deps: { db: Kysely<Database>; log: Logger }, group: Pending[]): Promise<void> {
  try {
    const results = await deps.db.transaction().execute((trx) => writeGroup(trx, group));
    group.forEach((p, i) => {
      p.resolve(results[i]!);
    });
    return;
  } catch (err) {
    if (group.length === 1) return void group[0]!.reject(err);
    deps.log.warn({ sources: group.length, err: (err as Error).message }, 'group write failed; retrying source by source');
  }
  for (const p of group) {
    try {
      const [counts] = await deps.db.transaction().execute((trx) => writeGroup(trx, [p]));
      p.resolve(counts!);
    } catch (err) {
      p.reject(err);
    }
  }
}

const guidKey = (sourceId: number, d: ArticleDraft) => `${sourceId}:${d.guid}`;

async function writeGroup(trx: Kysely<Database>, group: Pending[]): Promise<StoreCounts[]> {
  const counts = group.map((p) => ({ ...p.counts }));
  // Two sources carrying the same article in one group: the first one stores it.
  const seen = new Set<string>();
  const entries = group.map((p, index) => ({
    index,
    sourceId: p.source.id,
    drafts: p.drafts.filter((d) => {
      const keys = exactKeys(p.source.id, d);
      if (keys.some((k) => seen.has(k))) return false;
      for (const k of keys) seen.add(k);
      return true;
    }),
  }));
  for (const e of entries) counts[e.index]!.duplicates += group[e.index]!.drafts.length - e.drafts.length;

  const all = entries.flatMap((e) => e.drafts.map((d) => ({ e, d })));
  const known = await findExisting(trx, {
    guidKeys: all.map(({ e, d }) => guidKey(e.sourceId, d)),
    canonicalUrls: all.flatMap(({ d }) => (d.canonicalUrl ? [d.canonicalUrl] : [])),
    fingerprints: all.map(({ d }) => d.fingerprint),
  });
  const fresh: SignedDraft[] = [];
  for (const { e, d } of all) {
    const stored =
      known.guidKeys.has(guidKey(e.sourceId, d)) ||
      (d.canonicalUrl !== null && known.canonicalUrls.has(d.canonicalUrl)) ||
      known.fingerprints.has(d.fingerprint);
    if (stored) counts[e.index]!.duplicates++;
    else fresh.push({ entry: e.index, sourceId: e.sourceId, draft: d, sig: null, bands: [] });
  }
  if (fresh.length === 0) return counts;

  for (const f of fresh) {
    f.sig = signature(f.draft.text, f.draft.lang);
    f.bands = f.sig ? bandKeys(f.sig) : [];
  }
  const earliest = Math.min(...group.map((p) => p.fetchedAt.getTime()));
  const bands = [...new Set(fresh.flatMap((f) => f.bands))];
  const since = new Date(earliest - CLUSTER_WINDOW_MS).toISOString();
  const candidates = bands.length ? await findClusterCandidates(trx, bands, since) : [];
  const { rows, followers } = clusterGroup(fresh, candidates);
  const { inserted } = await insertArticles(trx, rows);
  const ids = new Map(inserted.map((r) => [r.guid_key, r.id]));
  await linkFollowers(trx, fresh, rows, followers, ids);
  fresh.forEach((f, i) => {
    // Not inserted: it lost a race with another replica on a unique key.
    if (ids.has(rows[i]!.article.guid_key)) counts[f.entry]!.new++;
    else counts[f.entry]!.duplicates++;
  });
  return counts;
}

interface SignedDraft {
  /** Index of the source's batch in the group. */
  entry: number;
  sourceId: number;
  draft: ArticleDraft;
  sig: Uint32Array | null;
  bands: number[];
}

/** Above any article id: marks a candidate that is an earlier article of this same group. */
const IN_GROUP = 2 ** 52;

/**
 * Rows to insert, each with the cluster of its most similar stored candidate, and `followers`
 * (fresh index → fresh index of its leader) for articles closest to an earlier article of the
 * same group. Earlier group articles sharing a band compete with stored ones under ids above any
 * stored id, so a tie still goes to the older, stored cluster.
 */
function clusterGroup(fresh: SignedDraft[], stored: ClusterCandidate[]): { rows: ArticleToInsert[]; followers: Map<number, number> } {
  const byBand = new Map<number, number[]>();
  const cluster: (number | null)[] = [];
  const followers = new Map<number, number>();
  const rows = fresh.map((f, i) => {
    let assigned: number | null = null;
    if (f.sig) {
      const peers = new Set<number>();
      for (const b of f.bands) for (const j of byBand.get(b) ?? []) peers.add(j);
      const inGroup = [...peers].map((j) => ({ id: IN_GROUP + j, cluster_id: cluster[j] ?? IN_GROUP + j, minhash: encodeSignature(fresh[j]!.sig!) }));
      assigned = assignCluster(f.sig, stored.length ? [...stored, ...inGroup] : inGroup);
      for (const b of f.bands) byBand.set(b, [...(byBand.get(b) ?? []), i]);
    }
    cluster.push(assigned);
    if (assigned !== null && assigned >= IN_GROUP) followers.set(i, assigned - IN_GROUP);
    const clusterId = assigned !== null && assigned < IN_GROUP ? assigned : null;
    return { article: toNewArticle(f.draft, f.sourceId, clusterId, f.sig ? encodeSignature(f.sig) : null), bands: f.bands };
  });
  return { rows, followers };
}

function exactKeys(sourceId: number, d: ArticleDraft): string[] {
  return [`g:${guidKey(sourceId, d)}`, `f:${d.fingerprint}`, ...(d.canonicalUrl ? [`u:${d.canonicalUrl}`] : [])];
}

/**
 * A fresh article whose closest story is another article of the same group gets that article's
 * cluster once the leader has an id (its own id, when it started the story).
 */
async function linkFollowers(
  trx: Kysely<Database>,
  fresh: SignedDraft[],
  rows: ArticleToInsert[],
  followers: Map<number, number>,
  ids: Map<string, number>,
): Promise<void> {
  if (followers.size === 0) return;
  const clusterOf = new Map<number, number>();
  for (let i = 0; i < fresh.length; i++) {
    const id = ids.get(rows[i]!.article.guid_key);
    if (id === undefined) continue;
    const leader = followers.get(i);
    const cluster = leader === undefined ? (rows[i]!.article.cluster_id ?? id) : clusterOf.get(leader);
    if (cluster === undefined) {
      clusterOf.set(i, id); // its leader was not stored after all: it starts its own story
      continue;
    }
    clusterOf.set(i, cluster);
    if (leader !== undefined) await trx.updateTable('articles').set({ cluster_id: cluster }).where('id', '=', id).execute();
  }
}

export async function storeItems(
  deps: { log: Logger; now: () => Date; writer: GroupWriter },
  source: SourceRow,
  items: ParsedItem[],
  documentUrl: string,
): Promise<StoreCounts> {
  const ref = toSourceRef(source);
  const fetchedAt = deps.now();
  const drafts: ArticleDraft[] = [];
  let skipped = 0;
  for (const item of items) {
    const draft = normalizeItem(item, { source: ref, documentUrl, fetchedAt });
    if ('skip' in draft) {
      skipped++;
      deps.log.debug({ source: source.id, reason: draft.skip }, 'item skipped');
    } else drafts.push(draft);
  }
  const unique = uniqueWithinBatch(drafts);
  const counts = { new: 0, duplicates: drafts.length - unique.length, skipped };
  return deps.writer.write(source, unique, counts, fetchedAt);
}

/** A feed listing the same article twice (or two URLs of one text) stores it once. */
function uniqueWithinBatch(drafts: ArticleDraft[]): ArticleDraft[] {
  const seen = new Set<string>();
  return drafts.filter((d) => {
    const keys = [`g:${d.guid}`, `f:${d.fingerprint}`, ...(d.canonicalUrl ? [`u:${d.canonicalUrl}`] : [])];
    if (keys.some((k) => seen.has(k))) return false;
    for (const k of keys) seen.add(k);
    return true;
  });
}
