// Calendar dates as each language writes them, in the newsletter's time zone.
import { resolveLang } from './lang.js';

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** "24 November 2026" / "2026年11月24日": the calendar date of `date` in `timeZone`. */
export function formatDate(date: Date, lang: string, timeZone: string): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('formatDate: invalid date');
  const code = resolveLang(lang);
  const cacheKey = `${code}|${timeZone}`;
  let format = dateFormats.get(cacheKey);
  if (!format) {
    try {
      // en-GB gives day-month-year without a comma, the form readers outside the US expect.
      format = new Intl.DateTimeFormat(code === 'zh' ? 'zh-CN' : 'en-GB', {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone,
      });
    } catch (err) {
      throw new RangeError(`formatDate: unknown time zone "${timeZone}" (${(err as Error).message})`);
    }
    dateFormats.set(cacheKey, format);
  }
  return format.format(date);
}
