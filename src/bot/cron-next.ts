// When a schedule will fire next, in its own time zone: what /schedule shows an admin before
// anything waits on it. node-cron 4 computes run dates itself (ScheduledTask.getNextRuns), so
// a task is created only to ask it and destroyed at once; it never starts.
import cron from 'node-cron';
import { isValidTimeZone } from '../store/newsletters.js';

export type ScheduleCheck = { ok: true; cron: string; timezone: string; next: Date[] } | { ok: false; error: string };

/** Validates the expression and the IANA zone, and gives the next `count` run times. */
export function checkSchedule(expression: string, timezone: string, count = 3): ScheduleCheck {
  const expr = expression.trim().replace(/\s+/g, ' ');
  if (!expr || !cron.validate(expr)) {
    return { ok: false, error: `"${expression}" is not a cron expression: use five fields (minute hour day month weekday), e.g. "0 8 * * *" for 08:00 every day or "30 7 * * 1-5" for 07:30 on weekdays.` };
  }
  if (!isValidTimeZone(timezone)) return { ok: false, error: `Unknown time zone "${timezone}": use an IANA name such as Asia/Shanghai, Europe/Berlin or UTC.` };
  const task = cron.createTask(expr, () => {}, { timezone });
  try {
    return { ok: true, cron: expr, timezone, next: task.getNextRuns(count) };
  } finally {
    void task.destroy();
  }
}

/** "Mon 2026-11-30 08:00" as a wall clock in `timezone`. */
export function formatInZone(date: Date, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}
