// Wall-clock reading of instants in IANA time zones, shared by ingest (crawler dates written in
// local time) and schedules (cron read in a newsletter's zone). Only Intl: no tz database of ours.

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Formatters are costly to build and immutable: one per time zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone "${timeZone}": use an IANA name such as "Asia/Shanghai" or "UTC"`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError naming the zone when it is not a known IANA time zone. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time at instant `ms` in `timeZone`. */
export function wallTimeAt(ms: number, timeZone: string): WallTime {
  const p: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const get = (k: string) => p[k] ?? Number.NaN;
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute'), second: get('second') };
}

/** The wall time read as if it were UTC, in ms: `wallMs(wallTimeAt(t, z)) - t` is z's offset at t. */
export const wallMs = (w: Omit<WallTime, 'second'> & { second?: number }): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0);

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * "Wed 2026-11-25 08:00" as a wall clock in `timeZone`, for people reading a schedule; with
 * `offset`, "Wed 2026-11-25 08:00 +08:00". The bot, the admin pages and the CLI show run times so.
 */
export function formatWallTime(date: Date, timeZone: string, opts: { offset?: boolean } = {}): string {
  const w = wallTimeAt(date.getTime(), timeZone);
  const weekday = WEEKDAYS[new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay()];
  const text = `${weekday} ${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;
  if (!opts.offset) return text;
  const minutes = Math.round((wallMs(w) - date.getTime()) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  return `${text} ${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}
