// The options `newsletters add` and `newsletters update` share, and how they become a store
// patch. Values arrive as plain strings and are checked here or by the store, so every bad value
// ends as a UsageError (one line, exit code 2) rather than commander's own exit code.
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import {
  DuplicateNewsletterError,
  InvalidNewsletterError,
  type NewsletterFilters,
  type NewsletterPatch,
  newsletterFilters,
} from '../store/newsletters.js';
import type { Database, NewsletterRow } from '../store/schema.js';
import { getSource } from '../store/sources.js';
import { UsageError } from './context.js';

export interface NewsletterOptions {
  name?: string;
  lang?: string;
  maxItems?: string;
  include?: string[];
  exclude?: string[];
  categories?: string[];
  sources?: string[];
  sections?: boolean;
  cron?: string;
  timezone?: string;
  lookback?: string;
  catchUpGrace?: string;
  enable?: boolean;
  disable?: boolean;
}

/** Comma-separated (ASCII or full-width commas) and repeatable; an empty value clears the list. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(/[,，]/).map((s) => s.trim()).filter(Boolean)];
}

export function newsletterOptions(cmd: Command, forUpdate: boolean): Command {
  const clear = forUpdate ? '; "" clears it' : '';
  cmd
    .option('-n, --name <name>', 'display name, shown in the email and the archive')
    .option('-l, --lang <code>', 'language of the digest: en | zh')
    .option('--max-items <n>', 'most stories in one digest (1-200)')
    .option('--include <keywords>', `only articles mentioning one of these (comma-separated, repeatable)${clear}`, collect)
    .option('--exclude <keywords>', `leave out articles mentioning any of these${clear}`, collect)
    .option('--categories <names>', `only articles in these categories${clear}`, collect)
    .option('--sources <ids>', `only articles from these source ids${clear}`, collect)
    .option('--sections', 'group stories into sections by category')
    .option('--no-sections', 'one flat list of stories')
    .option('--cron <expr>', 'when it goes out, e.g. "0 8 * * *" (08:00 daily)')
    .option('--timezone <tz>', 'IANA time zone for the schedule and dates, e.g. Asia/Shanghai')
    .option('--lookback <hours>', 'how far back the first digest reaches')
    .option('--catch-up-grace <minutes>', 'after downtime, missed slots this recent still go out as one digest; older ones are skipped with an alert (default 360)');
  if (forUpdate) cmd.option('--enable', 'resume building digests').option('--disable', 'stop building digests (the archive stays)');
  return cmd;
}

function wholeNumber(value: string, flag: string): number {
  if (!/^\d{1,9}$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

async function sourceIds(db: Kysely<Database>, values: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const v of values) {
    const id = wholeNumber(v, '--sources');
    if (!(await getSource(db, id))) throw new UsageError(`no source ${id} (see \`tidings sources list\`)`);
    ids.push(id);
  }
  return ids;
}

/** The store patch the options ask for; filters given replace only their own list. */
export async function newsletterPatch(db: Kysely<Database>, o: NewsletterOptions, current?: NewsletterRow): Promise<NewsletterPatch> {
  const patch: NewsletterPatch = {};
  if (o.name !== undefined) patch.name = o.name;
  if (o.lang !== undefined) patch.language = o.lang as NewsletterPatch['language'];
  if (o.maxItems !== undefined) patch.maxItems = wholeNumber(o.maxItems, '--max-items');
  if (o.lookback !== undefined) patch.lookbackHours = wholeNumber(o.lookback, '--lookback');
  if (o.catchUpGrace !== undefined) patch.catchUpGraceMinutes = wholeNumber(o.catchUpGrace, '--catch-up-grace');
  if (o.sections !== undefined) patch.sections = o.sections;
  if (o.timezone !== undefined) patch.timezone = o.timezone;
  if (o.cron !== undefined) patch.cron = o.cron;
  if (o.enable && o.disable) throw new UsageError('give --enable or --disable, not both');
  if (o.enable || o.disable) patch.enabled = Boolean(o.enable);
  const lists = { include: o.include, exclude: o.exclude, categories: o.categories };
  if (Object.values(lists).some((l) => l !== undefined) || o.sources !== undefined) {
    const filters: NewsletterFilters = current ? newsletterFilters(current) : {};
    for (const [key, list] of Object.entries(lists) as [keyof typeof lists, string[] | undefined][]) if (list !== undefined) filters[key] = list;
    if (o.sources !== undefined) filters.sources = await sourceIds(db, o.sources);
    patch.filters = filters;
  }
  return patch;
}

/** Store validation failures are the user's to fix: one line, exit code 2. */
export async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InvalidNewsletterError || err instanceof DuplicateNewsletterError) throw new UsageError(err.message);
    throw err;
  }
}

/** One short line: "include cotton, yarn · sources 1, 2". */
export function describeFilters(row: Pick<NewsletterRow, 'filters'>): string {
  const f = newsletterFilters(row);
  const parts = (['include', 'exclude', 'categories', 'sources'] as const).flatMap((k) => (f[k]?.length ? [`${k} ${f[k].join(', ')}`] : []));
  return parts.join(' · ') || 'everything';
}
