// The options `newsletters add` and `newsletters update` share, and how they become the core's
// patch. Values arrive as plain strings: only their syntax is checked here (a number is a
// number); what they may be is the core's to say, with the same message as every front-end.
import type { Command } from 'commander';
import type { NewsletterFilters, NewsletterPatch } from '../store/newsletters.js';
import { collectList, UsageError } from './context.js';

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
}

export function newsletterOptions(cmd: Command, forUpdate: boolean): Command {
  const clear = forUpdate ? '; "" clears it' : '';
  cmd
    .option('-n, --name <name>', 'display name, shown in the email and the archive')
    .option('-l, --lang <code>', 'language of the digest: en | zh')
    .option('--max-items <n>', 'most stories in one digest (1-200)')
    .option('--include <keywords>', `only articles mentioning one of these (comma-separated, repeatable)${clear}`, collectList)
    .option('--exclude <keywords>', `leave out articles mentioning any of these${clear}`, collectList)
    .option('--categories <names>', `only articles in these categories${clear}`, collectList)
    .option('--sources <ids>', `only articles from these source ids${clear}`, collectList)
    .option('--sections', 'group stories into sections by category')
    .option('--no-sections', 'one flat list of stories')
    .option('--cron <expr>', 'when it goes out, e.g. "0 8 * * *" (08:00 daily)')
    .option('--timezone <tz>', 'IANA time zone for the schedule and dates, e.g. Asia/Shanghai')
    .option('--lookback <hours>', 'how far back the first digest reaches')
    .option(
      '--catch-up-grace <minutes>',
      'after downtime, missed slots this recent still go out as one digest; older ones are skipped with an alert (default 360)',
    );
  return cmd;
}

function wholeNumber(value: string, flag: string): number {
  if (!/^\d{1,9}$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

/** The patch the options ask for; a filter list given replaces that list only ("" clears it). */
export function newsletterPatch(o: NewsletterOptions): NewsletterPatch {
  const patch: NewsletterPatch = {};
  if (o.name !== undefined) patch.name = o.name;
  if (o.lang !== undefined) patch.language = o.lang as NewsletterPatch['language'];
  if (o.maxItems !== undefined) patch.maxItems = wholeNumber(o.maxItems, '--max-items');
  if (o.lookback !== undefined) patch.lookbackHours = wholeNumber(o.lookback, '--lookback');
  if (o.catchUpGrace !== undefined) patch.catchUpGraceMinutes = wholeNumber(o.catchUpGrace, '--catch-up-grace');
  if (o.sections !== undefined) patch.sections = o.sections;
  if (o.timezone !== undefined) patch.timezone = o.timezone;
  if (o.cron !== undefined) patch.cron = o.cron;
  const filters: NewsletterFilters = {};
  for (const key of ['include', 'exclude', 'categories'] as const) if (o[key] !== undefined) filters[key] = o[key];
  if (o.sources !== undefined) filters.sources = o.sources.map((v) => wholeNumber(v, '--sources'));
  if (Object.keys(filters).length > 0) patch.filters = filters;
  return patch;
}
