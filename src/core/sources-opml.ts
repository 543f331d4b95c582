// OPML in and out, one set of rules for every front-end: each outline is checked like a source
// added by hand (the same target and option rules, so a local path is the CLI's only), a URL
// already stored or repeated in the file is "already present", and nothing is read over the
// network: an import of hundreds of feeds must not wait on hundreds of fetches.
import { parseOpml, toOpml } from '../sources/opml.js';
import type { SourceKind } from '../sources/types.js';
import * as store from '../store/sources.js';
import { recordAudit } from './audit.js';
import type { CoreContext } from './context.js';
import { CoreError, invalid } from './errors.js';
import { checkOptions, checkTarget, insert, type SourceAdapters } from './sources.js';

/** More outlines than any real reading list; a bigger file is a mistake or an attack. */
export const MAX_OPML_OUTLINES = 5000;

export interface OpmlOutcome {
  name: string;
  url: string;
  kind?: SourceKind;
  outcome: 'added' | 'present' | 'rejected';
  /** Why it was rejected. */
  reason?: string;
  /** The new source's id (added, not in a dry run). */
  id?: number;
}

export interface OpmlImportResult {
  dryRun: boolean;
  added: number;
  alreadyPresent: number;
  rejected: number;
  /** One per outline that names a source: those the parser refused first, then the rest in document order. */
  outcomes: OpmlOutcome[];
}

export async function importOpml(
  ctx: CoreContext & Pick<SourceAdapters, 'sourceIntervalMinutes'>,
  input: { xml: string; dryRun?: boolean },
): Promise<OpmlImportResult> {
  if (input.xml.trim() === '') throw invalid('The OPML document is empty: give a file exported by a feed reader (or by a sources export).', 'opml');
  const { entries, rejected } = parseOpml(input.xml);
  if (rejected.some((r) => r.line === '(document)'))
    throw invalid('This is not an OPML document (no <opml> element): give a file exported by a feed reader.', 'opml');
  if (entries.length + rejected.length > MAX_OPML_OUTLINES)
    throw invalid(`The OPML document has more than ${MAX_OPML_OUTLINES} outlines; split it into smaller files.`, 'opml');
  const dryRun = input.dryRun === true;
  const outcomes: OpmlOutcome[] = rejected.map((r) => ({ name: r.line, url: '', outcome: 'rejected', reason: r.reason }));
  const seen = new Set<string>();
  for (const e of entries) {
    const one: OpmlOutcome = { name: e.name, url: e.url, kind: e.kind, outcome: 'present' };
    outcomes.push(one);
    try {
      const url = checkTarget(ctx, e.url, e.kind);
      const options = checkOptions(e.options);
      one.url = url;
      if (seen.has(url) || (await store.getSource(ctx.db, url))) continue;
      seen.add(url);
      if (!dryRun) one.id = (await insert(ctx, { kind: e.kind, url, name: e.name.slice(0, 300), intervalMinutes: ctx.sourceIntervalMinutes, options })).id;
      one.outcome = 'added';
    } catch (err) {
      if (!(err instanceof CoreError)) throw err;
      // Added by someone else between the look-up and the insert: present all the same.
      if (err.code === 'conflict') continue;
      Object.assign(one, { outcome: 'rejected', reason: err.message });
    }
  }
  const count = (o: OpmlOutcome['outcome']) => outcomes.filter((x) => x.outcome === o).length;
  const result = { dryRun, added: count('added'), alreadyPresent: count('present'), rejected: count('rejected'), outcomes };
  if (!dryRun) {
    const urls = outcomes.filter((o) => o.outcome === 'added').map((o) => o.url);
    const detail = `${result.added} added${urls.length ? ` (${urls.slice(0, 20).join(' ')}${urls.length > 20 ? ' …' : ''})` : ''}, ${result.alreadyPresent} already present, ${result.rejected} rejected`;
    // Nothing added and something refused: the admin's change did not happen, as far as the log goes.
    await recordAudit(ctx, 'sources.import', detail, result.added > 0 || result.rejected === 0);
  }
  return result;
}

/** Every source as OPML (page and text-dump sources keep their kind and options). */
export async function exportOpml(ctx: CoreContext): Promise<{ xml: string; count: number }> {
  const rows = await store.listSources(ctx.db);
  const xml = toOpml(
    rows.map((r) => ({ kind: r.kind, url: r.url, name: r.name, options: store.sourceOptions(r) })),
    ctx.now(),
  );
  await recordAudit(ctx, 'sources.export', `${rows.length} sources as OPML`);
  return { xml, count: rows.length };
}

/** One line for any front-end: "Added 2 sources, 1 already present, 2 rejected." */
export function importSummary(r: OpmlImportResult): string {
  const verb = r.dryRun ? 'Would add' : 'Added';
  return `${verb} ${r.added} source${r.added === 1 ? '' : 's'}, ${r.alreadyPresent} already present, ${r.rejected} rejected.`;
}
