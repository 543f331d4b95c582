// Publication dates. Feeds lie about dates in every direction (missing, unparsable, "1970",
// scheduled posts dated next year), and a digest sorted by date must not be led by them.
import { assertTimeZone, type WallTime, wallMs, wallTimeAt } from '../time-zone.js';

export { assertTimeZone, type WallTime };

/** Nothing we ingest was published before this; earlier dates are placeholders (epoch, 0001). */
export const EARLIEST_PUBLISHED = Date.UTC(1990, 0, 1);
/** Clock skew and time-zone mistakes we forgive before calling a date "in the future". */
export const FUTURE_TOLERANCE_MS = 24 * 3600 * 1000;

function valid(d: Date | undefined): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

/**
 * published ?? updated (the first that is a real date); missing, unparsable or before 1990 →
 * the fetch time; more than a day after the fetch time → clamped to the fetch time.
 */
export function choosePublished(published: Date | undefined, updated: Date | undefined, fetchedAt: Date): Date {
  const date = valid(published) ? published : valid(updated) ? updated : undefined;
  if (!date) return new Date(fetchedAt.getTime());
  const t = date.getTime();
  if (t < EARLIEST_PUBLISHED || t > fetchedAt.getTime() + FUTURE_TOLERANCE_MS) return new Date(fetchedAt.getTime());
  return new Date(t);
}

/** Offset of `timeZone` from UTC at instant `t`, in ms (Asia/Shanghai → +8 h). */
function offsetAt(t: number, timeZone: string): number {
  const whole = Math.floor(t / 1000) * 1000;
  return wallMs(wallTimeAt(whole, timeZone)) - whole;
}

/**
 * The instant a wall-clock time in an IANA zone denotes. Throws a RangeError for impossible
 * fields (month 13, 31 April, 25:00) or an unknown zone. In a DST gap or overlap the earlier
 * offset is used, which is what crawlers writing local time most likely meant.
 */
export function zonedTimeToUtc(w: WallTime, timeZone: string): Date {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const check = new Date(guess);
  if (
    check.getUTCFullYear() !== w.year ||
    check.getUTCMonth() !== w.month - 1 ||
    check.getUTCDate() !== w.day ||
    check.getUTCHours() !== w.hour ||
    check.getUTCMinutes() !== w.minute ||
    check.getUTCSeconds() !== w.second
  ) {
    throw new RangeError(`${w.year}-${w.month}-${w.day} ${w.hour}:${w.minute}:${w.second} is not a valid date and time`);
  }
  // Transitions are rare, so the offsets a day before and a day after are the only candidates.
  // One is right when the instant it gives really has that offset; both are right in an overlap
  // (take the earlier instant), neither in a gap (read the time with the earlier offset).
  const day = 24 * 3600 * 1000;
  const candidates = [offsetAt(guess - day, timeZone), offsetAt(guess + day, timeZone)];
  const fits = candidates.filter((o) => offsetAt(guess - o, timeZone) === o);
  const offset = fits.length ? Math.max(...fits) : candidates[0]!;
  return new Date(guess - offset);
}
