// Slot times for a newsletter schedule: a 5-field cron read in an IANA zone. A slot is the
// UTC instant a digest is owed; the ticker claims (newsletter, slot_at) so these must be exact
// and stable. DST: a time in the spring-forward gap runs once at the first minute after it, a
// time that occurs twice runs once at its first occurrence — one daily digest per day.
// Our own 5-field matcher rather than node-cron's: its getNextRuns only starts from "now" and
// skips a daily job whose local time falls in a spring-forward gap. Day-of-month and weekday
// are ANDed, as node-cron (which ticks the schedule) does. Zone maths uses only Intl, so DST
// comes from the runtime's tz data.
import { isTimeZone, type WallTime as ZoneWallTime, wallMs, wallTimeAt } from '../time-zone.js';

interface CronSpec {
  minutes: number[];
  hours: number[];
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesFrom?: number;
}

const FIELDS: FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  // 7 is accepted as Sunday, as in most crons.
  { name: 'weekday', min: 0, max: 7, names: WEEKDAYS, namesFrom: 0 },
];

class CronError extends Error {}

function parseValue(text: string, def: FieldDef): number {
  const lower = text.toLowerCase();
  const named = def.names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + (def.namesFrom ?? 0);
  if (!/^\d+$/.test(text)) throw new CronError(`${def.name} field: "${text}" is not a number`);
  const n = Number(text);
  if (n < def.min || n > def.max) throw new CronError(`${def.name} field: ${n} is outside ${def.min}-${def.max}`);
  return n;
}

function parseField(text: string, def: FieldDef): number[] {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw new CronError(`${def.name} field: empty list item in "${text}"`);
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined) throw new CronError(`${def.name} field: "${item}" has more than one "/"`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) throw new CronError(`${def.name} field: step "${stepText}" must be a whole number of 1 or more`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = def.min;
      hi = def.max;
    } else if (range.includes('-')) {
      const [a = '', b = '', more] = range.split('-');
      if (more !== undefined) throw new CronError(`${def.name} field: "${range}" is not a range`);
      lo = parseValue(a, def);
      hi = parseValue(b, def);
      if (lo > hi) throw new CronError(`${def.name} field: range "${range}" runs backwards`);
    } else {
      lo = parseValue(range, def);
      // "5/15" means from 5 to the end in steps of 15.
      hi = stepText === undefined ? lo : def.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** Parses "m h dom mon dow"; throws CronError naming the bad field. */
function parseCron(expression: string): CronSpec {
  const parts = expression.trim().split(/\s+/).filter(Boolean);
  if (parts.length !== 5) {
    throw new CronError(`expected 5 fields (minute hour day month weekday), got ${parts.length}`);
  }
  const [minutes = [], hours = [], days = [], months = [], weekdays = []] = parts.map((p, i) => parseField(p, FIELDS[i]!));
  return {
    minutes,
    hours,
    days: new Set(days),
    months: new Set(months),
    weekdays: new Set(weekdays.map((d) => (d === 7 ? 0 : d))),
  };
}

type WallTime = Omit<ZoneWallTime, 'second'>;

/** Minutes east of UTC at instant `ms` (whole minutes; seconds offsets are not in modern tz data). */
function offsetAt(ms: number, timeZone: string): number {
  const floored = Math.floor(ms / 60000) * 60000;
  return Math.round((wallMs(wallTimeAt(floored, timeZone)) - floored) / 60000);
}

const HOUR = 3600000;

/**
 * The instant a wall time names. Twice-occurring times give the first occurrence; times that
 * do not exist (spring-forward gap) give the first instant after the gap, so the job still runs.
 * `before`/`after` are the zone's offsets either side of the local day, from the caller's cache.
 */
function instantOf(w: WallTime, timeZone: string, before: number, after: number): number {
  const guess = wallMs(w);
  if (before === after) return guess - before * 60000;
  const readsBack = (ms: number) => wallMs(wallTimeAt(ms, timeZone)) === guess;
  const candidates = [guess - before * 60000, guess - after * 60000].filter(readsBack);
  if (candidates.length) return Math.min(...candidates);
  // In the gap: binary-search the transition minute between the two interpretations.
  let lo = Math.min(guess - before * 60000, guess - after * 60000);
  let hi = Math.max(guess - before * 60000, guess - after * 60000);
  const target = offsetAt(hi, timeZone);
  while (hi - lo > 60000) {
    const mid = lo + Math.floor((hi - lo) / 120000) * 60000;
    if (offsetAt(mid, timeZone) === target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Offsets safely before and after a local calendar day (offsets lie within ±14 h). */
function offsetsAround(year: number, month: number, day: number, timeZone: string): [number, number] {
  return [offsetAt(Date.UTC(year, month - 1, day) - 15 * HOUR, timeZone), offsetAt(Date.UTC(year, month - 1, day + 1) + 15 * HOUR, timeZone)];
}

// Far enough for "0 0 29 2 1" (Feb 29 on a Monday) to be found; beyond that it never fires.
const MAX_DAYS = 366 * 29;

function dayMatches(spec: CronSpec, year: number, month: number, day: number): boolean {
  if (!spec.months.has(month) || !spec.days.has(day)) return false;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return spec.weekdays.has(weekday);
}

/** Slots of one local day, ascending and without duplicates (gap times can collapse). */
function slotsOfDay(spec: CronSpec, timeZone: string, year: number, month: number, day: number): number[] {
  const [before, after] = offsetsAround(year, month, day, timeZone);
  const out: number[] = [];
  for (const hour of spec.hours) {
    for (const minute of spec.minutes) {
      const ms = instantOf({ year, month, day, hour, minute }, timeZone, before, after);
      if (out.length === 0 || ms > out[out.length - 1]!) out.push(ms);
    }
  }
  return out;
}

/** Walks slots after `after` in order; days that cannot match cost one check each. */
function* slotsAfter(spec: CronSpec, timeZone: string, after: number): Generator<number> {
  // Earlier local days hold only earlier slots, so start on the local day of `after`.
  const start = wallTimeAt(after, timeZone);
  for (let i = 0; i < MAX_DAYS; i++) {
    const d = new Date(Date.UTC(start.year, start.month - 1, start.day + i));
    const [year, month, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    if (!dayMatches(spec, year, month, day)) continue;
    for (const ms of slotsOfDay(spec, timeZone, year, month, day)) if (ms > after) yield ms;
  }
}

function parseOrThrow(cron: string, timeZone: string): CronSpec {
  const problem = validateSchedule(cron, timeZone);
  if (problem) throw new CronError(problem);
  return parseCron(cron);
}

/** Every slot in (from, to], as UTC instants. */
export function slotsBetween(cron: string, timeZone: string, from: Date, to: Date): Date[] {
  const spec = parseOrThrow(cron, timeZone);
  const out: Date[] = [];
  const end = to.getTime();
  for (const ms of slotsAfter(spec, timeZone, from.getTime())) {
    if (ms > end) break;
    out.push(new Date(ms));
  }
  return out;
}

/** The next `n` slots strictly after `after` (fewer only if the schedule stops firing). */
export function nextSlots(cron: string, timeZone: string, after: Date, n: number): Date[] {
  const spec = parseOrThrow(cron, timeZone);
  const out: Date[] = [];
  if (n <= 0) return out;
  for (const ms of slotsAfter(spec, timeZone, after.getTime())) {
    out.push(new Date(ms));
    if (out.length >= n) break;
  }
  return out;
}

export interface CatchUp {
  /** The slot to run now: one combined digest for everything missed within the grace window. */
  run: Date | null;
  /** Older missed slots inside the grace window, folded into `run` (not to be alerted). */
  covered: Date[];
  /** Missed slots older than the grace window: record as skipped and alert. */
  skipped: Date[];
}

/**
 * What to do after downtime. Slots in (lastSlot, now] were missed. With no lastSlot the
 * schedule is new and owes nothing from before it existed.
 */
export function catchUp(cron: string, timeZone: string, opts: { lastSlot: Date | null; now: Date; graceMinutes: number }): CatchUp {
  const spec = parseOrThrow(cron, timeZone);
  if (!opts.lastSlot) return { run: null, covered: [], skipped: [] };
  const now = opts.now.getTime();
  const graceStart = now - Math.max(0, opts.graceMinutes) * 60000;
  const covered: Date[] = [];
  const skipped: Date[] = [];
  for (const ms of slotsAfter(spec, timeZone, opts.lastSlot.getTime())) {
    if (ms > now) break;
    (ms >= graceStart ? covered : skipped).push(new Date(ms));
  }
  const run = covered.pop() ?? null;
  return { run, covered, skipped };
}

/** One clear line saying what is wrong with the schedule, or null when it is usable. */
export function validateSchedule(cron: string, timeZone: string): string | null {
  let spec: CronSpec;
  try {
    spec = parseCron(cron);
  } catch (err) {
    if (!(err instanceof CronError)) throw err;
    return `Schedule "${cron}" is not a valid cron expression: ${err.message}. Use five fields, e.g. "0 8 * * *" for 08:00 every day or "30 7 * * 1-5" for 07:30 on weekdays.`;
  }
  if (!isTimeZone(timeZone)) {
    return `Unknown time zone "${timeZone}": use an IANA name such as Asia/Shanghai, Europe/Berlin or UTC.`;
  }
  if (slotsAfter(spec, timeZone, Date.UTC(2000, 0, 1)).next().done) {
    return `Schedule "${cron}" never fires (no date matches its day, month and weekday fields).`;
  }
  return null;
}
