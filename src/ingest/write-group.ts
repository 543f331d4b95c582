// One write group: drop exact duplicates (guid, canonical URL, content fingerprint) across the
// group and against the store, give near-duplicates their story's cluster, insert the rest.
import type { Kysely } from 'kysely';
import { findExisting, insertArticles, setCluster } from '../store/articles.js';
import type { Database, NewArticle, SourceRow } from '../store/schema.js';
import { assignCluster, bandKeys, type ClusterCandidate, encodeSignature } from './dedup.js';
import { type ArticleDraft, toNewArticle } from './normalize.js';
import { CLUSTER_WINDOW_MS, type StoryIndex } from './story-index.js';

export interface StoreCounts {
  new: number;
  duplicates: number;
  skipped: number;
  /** New articles stored with their summary (made at ingest, see normalize.ts). */
  summarized: number;
}

export interface Pending {
  source: SourceRow;
  drafts: ArticleDraft[];
  /** Counted before the writer: skipped items and repeats inside the source's own batch. */
  counts: StoreCounts;
  fetchedAt: Date;
  resolve: (counts: StoreCounts) => void;
  reject: (err: unknown) => void;
}

export interface AddedStory {
  id: number;
  cluster: number;
  sig: Uint32Array;
  bands: Uint32Array;
  fetchedAtMs: number;
}

interface SignedDraft {
  /** Index of the source's batch in the group. */
  entry: number;
  sourceId: number;
  draft: ArticleDraft;
  fetchedAtMs: number;
  sig: Uint32Array | null;
  bands: Uint32Array;
}

const guidKey = (sourceId: number, d: ArticleDraft) => `${sourceId}:${d.guid}`;

export function exactKeys(sourceId: number | null, d: ArticleDraft): string[] {
  const guid = sourceId === null ? d.guid : guidKey(sourceId, d);
  return [`g:${guid}`, `f:${d.fingerprint}`, ...(d.canonicalUrl ? [`u:${d.canonicalUrl}`] : [])];
}

export async function writeGroup(trx: Kysely<Database>, group: Pending[], stories: StoryIndex): Promise<{ counts: StoreCounts[]; added: AddedStory[] }> {
  const counts = group.map((p) => ({ ...p.counts }));
  // Two sources carrying the same article in one group: the first one stores it.
  const seen = new Set<string>();
  const all: { index: number; sourceId: number; fetchedAtMs: number; d: ArticleDraft }[] = [];
  group.forEach((p, index) => {
    for (const d of p.drafts) {
      const keys = exactKeys(p.source.id, d);
      if (keys.some((k) => seen.has(k))) {
        counts[index]!.duplicates++;
        continue;
      }
      for (const k of keys) seen.add(k);
      all.push({ index, sourceId: p.source.id, fetchedAtMs: p.fetchedAt.getTime(), d });
    }
  });

  const known = await findExisting(trx, {
    guidKeys: all.map(({ sourceId, d }) => guidKey(sourceId, d)),
    canonicalUrls: all.flatMap(({ d }) => (d.canonicalUrl ? [d.canonicalUrl] : [])),
    fingerprints: all.map(({ d }) => d.fingerprint),
  });
  const fresh: SignedDraft[] = [];
  for (const { index, sourceId, fetchedAtMs, d } of all) {
    const stored =
      known.guidKeys.has(guidKey(sourceId, d)) || (d.canonicalUrl !== null && known.canonicalUrls.has(d.canonicalUrl)) || known.fingerprints.has(d.fingerprint);
    if (stored) {
      counts[index]!.duplicates++;
      continue;
    }
    const sig = d.sig;
    fresh.push({ entry: index, sourceId, draft: d, fetchedAtMs, sig, bands: sig ? bandKeys(sig) : new Uint32Array(0) });
  }
  if (fresh.length === 0) return { counts, added: [] };

  const since = Math.min(...group.map((p) => p.fetchedAt.getTime())) - CLUSTER_WINDOW_MS;
  const { rows, followers } = clusterGroup(fresh, stories, since);
  const { inserted } = await insertArticles(trx, rows);
  const ids = new Map(inserted.map((r) => [r.guid_key, r.id]));
  const clusters = await linkFollowers(trx, rows, followers, ids);
  const added: AddedStory[] = [];
  fresh.forEach((f, i) => {
    const id = ids.get(rows[i]!.guid_key);
    // Not inserted: it lost a race with another replica on a unique key.
    if (id === undefined) {
      counts[f.entry]!.duplicates++;
      return;
    }
    counts[f.entry]!.new++;
    if (f.draft.summary) counts[f.entry]!.summarized++;
    if (f.sig) added.push({ id, cluster: clusters.get(i)!, sig: f.sig, bands: f.bands, fetchedAtMs: f.fetchedAtMs });
  });
  return { counts, added };
}

/** Above any article id: marks a candidate that is an earlier article of this same group. */
const IN_GROUP = 2 ** 52;

/**
 * Rows to insert, each with the cluster of its most similar stored candidate, and `followers`
 * (fresh index → fresh index of its leader) for articles closest to an earlier article of the
 * same group. Earlier group articles compete with stored ones under ids above any stored id, so
 * a tie still goes to the older, stored cluster.
 */
function clusterGroup(fresh: SignedDraft[], stories: StoryIndex, sinceMs: number): { rows: NewArticle[]; followers: Map<number, number> } {
  const byBand = new Map<number, number[]>();
  const cluster: number[] = [];
  const followers = new Map<number, number>();
  const rows = fresh.map((f, i) => {
    let assigned: number | null = null;
    if (f.sig) {
      const peers = new Set<number>();
      for (const b of f.bands) for (const j of byBand.get(b) ?? []) peers.add(j);
      const candidates: ClusterCandidate[] = stories.candidates(f.bands, sinceMs);
      for (const j of peers) candidates.push({ id: IN_GROUP + j, cluster: cluster[j]!, sig: fresh[j]!.sig! });
      assigned = assignCluster(f.sig, candidates);
      for (const b of f.bands) {
        const list = byBand.get(b);
        if (list) list.push(i);
        else byBand.set(b, [i]);
      }
    }
    cluster.push(assigned ?? IN_GROUP + i);
    if (assigned !== null && assigned >= IN_GROUP) followers.set(i, assigned - IN_GROUP);
    const clusterId = assigned !== null && assigned < IN_GROUP ? assigned : null;
    return toNewArticle(f.draft, f.sourceId, clusterId, f.sig ? encodeSignature(f.sig) : null);
  });
  return { rows, followers };
}

/**
 * The final cluster of every inserted fresh article (by fresh index). A follower of another
 * article of this group gets its leader's cluster once the leader has an id (its own id, when it
 * started the story).
 */
async function linkFollowers(
  trx: Kysely<Database>,
  rows: NewArticle[],
  followers: Map<number, number>,
  ids: Map<string, number>,
): Promise<Map<number, number>> {
  const clusterOf = new Map<number, number>();
  for (let i = 0; i < rows.length; i++) {
    const id = ids.get(rows[i]!.guid_key);
    if (id === undefined) continue;
    const leader = followers.get(i);
    const cluster = leader === undefined ? (rows[i]!.cluster_id ?? id) : clusterOf.get(leader);
    if (cluster === undefined) {
      clusterOf.set(i, id); // its leader was not stored after all: it starts its own story
      continue;
    }
    clusterOf.set(i, cluster);
    if (leader !== undefined) await setCluster(trx, id, cluster);
  }
  return clusterOf;
}
