// How `tidings newsletters` shows newsletters and their digests. Loaded by the commands' actions,
// not at start: `tidings --help` must not load the store or the pages (see context.ts).
import type { Deps } from '../deps.js';
import { archivePath } from '../http/pages.js';
import type { DigestSummary } from '../store/digests.js';
import { newsletterFilters } from '../store/newsletters.js';
import type { NewsletterRow } from '../store/schema.js';
import { ago, table, truncate } from './output.js';

export function newsletterJson(row: NewsletterRow) {
  return { ...row, filters: newsletterFilters(row) };
}

/** One short line: "include cotton, yarn · sources 1, 2". */
export function describeFilters(row: Pick<NewsletterRow, 'filters'>): string {
  const f = newsletterFilters(row);
  const parts = (['include', 'exclude', 'categories', 'sources'] as const).flatMap((k) => (f[k]?.length ? [`${k} ${f[k].join(', ')}`] : []));
  return parts.join(' · ') || 'everything';
}

export function itemCount(row: Pick<DigestSummary, 'article_ids'>): number {
  try {
    const ids: unknown = JSON.parse(row.article_ids);
    return Array.isArray(ids) ? ids.length : 0;
  } catch {
    return 0;
  }
}

export function lastDigest(row: DigestSummary | undefined, now: Date): string {
  return row ? `${row.status} ${ago(row.completed_at ?? row.created_at, now)}` : 'never';
}

export function details(deps: Deps, n: NewsletterRow): string {
  return [
    `${n.name} (${n.slug}, id ${n.id})${n.enabled ? '' : ' — PAUSED'}`,
    `  language   ${n.language}`,
    `  schedule   ${n.cron} (${n.timezone})`,
    `  stories    at most ${n.max_items}${n.sections ? ', in sections by category' : ''}; the first digest looks back ${n.lookback_hours}h`,
    `  filters    ${describeFilters(n)}`,
    `  archive    ${deps.config.sender.publicUrl}${archivePath(n.slug)}`,
  ].join('\n');
}

export function digestTable(digests: DigestSummary[], now: Date): string {
  const rows = digests.map((d) => [
    d.id,
    d.slot_at.slice(0, 16).replace('T', ' '),
    d.status,
    ago(d.completed_at, now),
    d.status === 'ready' ? itemCount(d) : '-',
    truncate(d.subject ?? d.reason ?? '', 60),
  ]);
  return table(['id', 'slot (UTC)', 'status', 'finished', 'stories', 'subject / reason'], rows);
}
