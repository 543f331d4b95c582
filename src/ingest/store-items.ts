// The write half of ingest: normalize a source's items, drop exact duplicates (guid, canonical
// URL, content fingerprint), give near-duplicates their story's cluster, and insert the rest in
// one transaction per source.
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import type { ParsedItem } from '../sources/types.js';
import { findClusterCandidates, findExisting, insertArticles } from '../store/articles.js';
import type { Database, NewArticle, SourceRow } from '../store/schema.js';
import { assignCluster, bandKeys, encodeSignature, signature } from './dedup.js';
import { type ArticleDraft, normalizeItem, toNewArticle } from './normalize.js';
import { toSourceRef } from './source-ref.js';

/** How far back a new article looks for the story it may belong to. */
const CLUSTER_WINDOW_MS = 14 * 24 * 3600 * 1000;

export interface StoreCounts {
  new: number;
  duplicates: number;
  skipped: number;
}

export type Serializer = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * Inserts of one run go one at a time: near-duplicate clustering must see what the sources
 * before it stored, and SQLite has a single writer anyway. Reading and parsing stay parallel.
 */
export function createSerializer(): Serializer {
  let chain: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };
}

export async function storeItems(
  deps: { db: Kysely<Database>; log: Logger; now: () => Date; serialize: Serializer },
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
  let duplicates = drafts.length - unique.length;

  return deps.serialize(async () => {
    const known = await findExisting(deps.db, {
      guidKeys: unique.map((d) => `${source.id}:${d.guid}`),
      canonicalUrls: unique.flatMap((d) => (d.canonicalUrl ? [d.canonicalUrl] : [])),
      fingerprints: unique.map((d) => d.fingerprint),
    });
    const fresh = unique.filter(
      (d) =>
        !known.guidKeys.has(`${source.id}:${d.guid}`) &&
        !(d.canonicalUrl && known.canonicalUrls.has(d.canonicalUrl)) &&
        !known.fingerprints.has(d.fingerprint),
    );
    duplicates += unique.length - fresh.length;
    if (fresh.length === 0) return { new: 0, duplicates, skipped };

    const rows = await clusterRows(deps.db, source.id, fresh, new Date(fetchedAt.getTime() - CLUSTER_WINDOW_MS));
    const { inserted, conflicts } = await insertArticles(deps.db, rows);
    return { new: inserted.length, duplicates: duplicates + conflicts, skipped };
  });
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

async function clusterRows(
  db: Kysely<Database>,
  sourceId: number,
  drafts: ArticleDraft[],
  since: Date,
): Promise<{ article: NewArticle; bands: string[] }[]> {
  const signed = drafts.map((draft) => {
    const sig = signature(draft.text, draft.lang);
    return { draft, sig, bands: sig ? bandKeys(sig) : [] };
  });
  const allBands = [...new Set(signed.flatMap((s) => s.bands))];
  const candidates = allBands.length ? await findClusterCandidates(db, allBands, since.toISOString()) : [];
  return signed.map(({ draft, sig, bands }) => {
    const clusterId = sig && candidates.length ? assignCluster(sig, candidates) : null;
    return { article: toNewArticle(draft, sourceId, clusterId, sig ? encodeSignature(sig) : null), bands };
  });
}
