// When a schedule will fire next, in its own time zone: what /schedule shows an admin before
// anything waits on it. The slots come from schedule/slots.ts, the ticker's own computation, so
// the preview is exactly what will run (DST gaps included).
import { nextSlots, validateSchedule } from '../schedule/slots.js';
import { formatWallTime } from '../time-zone.js';

export type ScheduleCheck = { ok: true; cron: string; timezone: string; next: Date[] } | { ok: false; error: string };

/** Validates the expression and the IANA zone, and gives the next `count` run times after `now`. */
export function checkSchedule(expression: string, timezone: string, now: Date, count = 3): ScheduleCheck {
  const expr = expression.trim().replace(/\s+/g, ' ');
  const problem = expr ? validateSchedule(expr, timezone) : `Schedule "${expression}" is not a valid cron expression: it is empty.`;
  if (problem) return { ok: false, error: problem };
  return { ok: true, cron: expr, timezone, next: nextSlots(expr, timezone, now, count) };
}

/** "Mon 2026-11-30 08:00" as a wall clock in `timezone`. */
export const formatInZone = (date: Date, timezone: string): string => formatWallTime(date, timezone);
