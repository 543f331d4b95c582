// A newsletter's schedule: one check for every front-end (the bot's /schedule, the API, the web
// form, the CLI's --cron/--timezone), with the scheduler's own parser and the next run times
// from the ticker's own slot computation, so what an admin is shown is what will run.
import { nextSlots, validateSchedule } from '../schedule/slots.js';
import type { NewsletterRow } from '../store/schema.js';
import { invalid } from './errors.js';

export interface CheckedSchedule {
  /** The expression with its whitespace normalised, as it is stored. */
  cron: string;
  timezone: string;
  /** The next run times after now (none asked: an empty list). */
  next: Date[];
}

/**
 * The schedule as it would be stored, with its next `count` runs; CoreError 'invalid' (field
 * 'cron' or 'timezone') with the scheduler's message when it would not run.
 */
export function checkSchedule(cron: string, timezone: string, now: Date, count = 0): CheckedSchedule {
  const expr = cron.trim().replace(/\s+/g, ' ');
  if (!expr) throw invalid('The schedule (cron) is empty: use five fields, e.g. "0 8 * * *" for 08:00 every day.', 'cron');
  const problem = validateSchedule(expr, timezone);
  if (problem) throw invalid(problem, problem.startsWith('Unknown time zone') ? 'timezone' : 'cron');
  return { cron: expr, timezone, next: count > 0 ? nextSlots(expr, timezone, now, count) : [] };
}

/** The runs a stored newsletter has coming; a paused one has none. */
export function upcomingRuns(row: Pick<NewsletterRow, 'cron' | 'timezone' | 'enabled'>, now: Date, count: number): Date[] {
  if (!row.enabled || validateSchedule(row.cron, row.timezone)) return [];
  return nextSlots(row.cron, row.timezone, now, count);
}
