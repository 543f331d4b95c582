// The write half of ingest for one source: normalize its items, drop repeats inside the batch,
// and hand the rest to the run's group writer (group-writer.ts), which dedups and clusters them
// against the store and everything else in its group.
import type { Logger } from '../log.js';
import type { ParsedItem } from '../sources/types.js';
import type { SourceRow } from '../store/schema.js';
import type { GroupWriter } from './group-writer.js';
import { type ArticleDraft, normalizeItem } from './normalize.js';
import { toSourceRef } from './source-ref.js';
import type { Work } from '../work/tasks.js';
import type { SummaryBudget } from '../summarize/summarizer.js';
import { exactKeys, type StoreCounts } from './write-group.js';

export type { StoreCounts } from './write-group.js';

export async function storeItems(
  deps: { log: Logger; now: () => Date; writer: GroupWriter; work?: Work; summary?: SummaryBudget },
  source: SourceRow,
  items: ParsedItem[],
  documentUrl: string,
): Promise<StoreCounts> {
  const ref = toSourceRef(source);
  const fetchedAt = deps.now();
  const drafts: ArticleDraft[] = [];
  let skipped = 0;
  const ctx = { source: ref, documentUrl, fetchedAt, ...(deps.summary && { summary: deps.summary }) };
  // Sanitizing and language detection are CPU work: in the worker pool when there is one.
  const normalized = deps.work ? await deps.work.run('normalizeItems', { items, ctx }) : items.map((item) => normalizeItem(item, ctx));
  for (const draft of normalized) {
    if ('skip' in draft) {
      skipped++;
      deps.log.debug({ source: source.id, reason: draft.skip }, 'item skipped');
    } else drafts.push(draft);
  }
  const unique = uniqueWithinBatch(drafts);
  const counts = { new: 0, duplicates: drafts.length - unique.length, skipped, summarized: 0 };
  return deps.writer.write(source, unique, counts, fetchedAt);
}

/** A feed listing the same article twice (or two URLs of one text) stores it once. */
function uniqueWithinBatch(drafts: ArticleDraft[]): ArticleDraft[] {
  const seen = new Set<string>();
  return drafts.filter((d) => {
    const keys = exactKeys(null, d);
    if (keys.some((k) => seen.has(k))) return false;
    for (const k of keys) seen.add(k);
    return true;
  });
}
