// Feed dates as they are really written: RFC 822 with any zone name, every ISO 8601 / W3C-DTF
// shape, asctime, Perforce, and a few localized formats (Korean, Greek, Hungarian). Anything not
// understood is undefined: never an Invalid Date, never a throw. A date without a zone is UTC.

const MONTH_NAMES: [string, number][] = [
  ['jan', 1],
  ['feb', 2],
  ['mar', 3],
  ['apr', 4],
  ['may', 5],
  ['jun', 6],
  ['jul', 7],
  ['aug', 8],
  ['sep', 9],
  ['oct', 10],
  ['nov', 11],
  ['dec', 12],
  // Greek abbreviations (with and without accents), as Greek blogs write them.
  ['ιαν', 1],
  ['φεβ', 2],
  ['μάώ', 3],
  ['μαώ', 3],
  ['μάρ', 3],
  ['μαρ', 3],
  ['απρ', 4],
  ['μάι', 5],
  ['μαϊ', 5],
  ['μαι', 5],
  ['ιούν', 6],
  ['ιον', 6],
  ['ιουν', 6],
  ['ιούλ', 7],
  ['ιολ', 7],
  ['ιουλ', 7],
  ['αύγ', 8],
  ['αυγ', 8],
  ['σεπ', 9],
  ['οκτ', 10],
  ['νοέ', 11],
  ['νοε', 11],
  ['δεκ', 12],
];
const MONTHS = new Map(MONTH_NAMES);

const HUNGARIAN = new Map<string, number>([
  ['január', 1],
  ['február', 2],
  ['március', 3],
  ['április', 4],
  ['május', 5],
  ['június', 6],
  ['július', 7],
  ['augusztus', 8],
  ['szeptember', 9],
  ['október', 10],
  ['november', 11],
  ['december', 12],
]);

/** Zone abbreviations → minutes east of UTC. The US one-letter-less forms (ET, PT…) are common in old feeds. */
const ZONES = new Map<string, number>([
  ['ut', 0],
  ['utc', 0],
  ['gmt', 0],
  ['z', 0],
  ['etc/gmt', 0],
  ['etc/utc', 0],
  ['wet', 0],
  ['est', -300],
  ['edt', -240],
  ['cst', -360],
  ['cdt', -300],
  ['mst', -420],
  ['mdt', -360],
  ['pst', -480],
  ['pdt', -420],
  ['et', -300],
  ['ct', -360],
  ['mt', -420],
  ['pt', -480],
  ['at', -240],
  ['ast', -240],
  ['adt', -180],
  ['akst', -540],
  ['akdt', -480],
  ['hst', -600],
  ['nst', -210],
  ['ndt', -150],
  ['bst', 60],
  ['west', 60],
  ['cet', 60],
  ['met', 60],
  ['mez', 60],
  ['cest', 120],
  ['mest', 120],
  ['mesz', 120],
  ['eet', 120],
  ['eest', 180],
  ['msk', 180],
  ['ist', 330],
  ['sgt', 480],
  ['hkt', 480],
  ['awst', 480],
  ['jst', 540],
  ['kst', 540],
  ['acst', 570],
  ['aest', 600],
  ['aedt', 660],
  ['nzst', 720],
  ['nzdt', 780],
]);

function monthNumber(name: string): number | undefined {
  const lower = name.toLowerCase();
  return MONTHS.get(lower) ?? HUNGARIAN.get(lower) ?? (/^[a-z]{3,9}$/.test(lower) ? MONTHS.get(lower.slice(0, 3)) : undefined);
}

/** Minutes east of UTC for a zone designator; undefined when it is not one. */
function zoneOffset(raw: string): number | undefined {
  const s = raw.replace(/\s*\([^)]*\)\s*$/, '').trim();
  if (s === '') return 0;
  const m = /^(?:(?:GMT|UTC)\s*)?([+-])(\d\d):?(\d\d)?$/i.exec(s);
  if (m) {
    const h = Number(m[2]);
    const min = m[3] ? Number(m[3]) : 0;
    if (h > 23 || min > 59) return undefined;
    return (m[1] === '-' ? -1 : 1) * (h * 60 + min);
  }
  return ZONES.get(s.toLowerCase());
}

function twoDigitYear(y: string): number {
  const n = Number(y);
  return y.length === 2 ? (n < 70 ? 2000 + n : 1900 + n) : n;
}

/** Builds the instant, checking every field; undefined when any is out of range. */
function build(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, offset = 0): Date | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return undefined;
  const result = new Date(ms - offset * 60_000);
  return Number.isNaN(result.getTime()) ? undefined : result;
}

const ISO_DATE: [RegExp, 'ymd' | 'yo' | 'ym' | 'y'][] = [
  [/^(\d{4})-(0?\d\d)-(\d\d?)/, 'ymd'],
  [/^(\d{4})(\d\d)(\d\d)(?=T|\s|$)/, 'ymd'],
  [/^(\d{4})-?(\d{3})(?=T|\s|$)/, 'yo'],
  [/^(\d{4})-(\d\d)(?=T|\s|$)/, 'ym'],
  [/^(\d{4})(?=T|\s|$)/, 'y'],
  [/^(\d\d)-(\d\d)-(\d\d)(?=T|\s|$)/, 'ymd'],
  [/^(\d\d)(\d{3})$/, 'yo'],
];
const ISO_TIME = /^(?:(?:T|\s+)(\d{1,2})(?::?(\d\d))?(?::?(\d\d)(?:[.,]\d+)?)?)?\s*(.*)$/;

function parseIso(s: string): Date | undefined {
  for (const [re, kind] of ISO_DATE) {
    const m = re.exec(s);
    if (!m) continue;
    const y = twoDigitYear(m[1]!);
    let mo = 1;
    let d = 1;
    if (kind === 'ymd' || kind === 'ym') mo = Number(m[2]);
    if (kind === 'ymd') d = Number(m[3]);
    if (kind === 'yo') {
      const day = Number(m[2]);
      const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
      if (day < 1 || day > (leap ? 366 : 365)) return undefined;
      const date = new Date(Date.UTC(y, 0, day));
      mo = date.getUTCMonth() + 1;
      d = date.getUTCDate();
    }
    const t = ISO_TIME.exec(s.slice(m[0].length));
    if (!t) return undefined;
    const offset = zoneOffset(t[4]!);
    if (offset === undefined) return undefined;
    return build(y, mo, d, Number(t[1] ?? 0), Number(t[2] ?? 0), Number(t[3] ?? 0), offset);
  }
  return undefined;
}

const RFC822 = /^(?:[^\s,\d]+\.?\s*,?\s*)?(\d{1,2})[\s-]+([^\s\d,.-]+)\.?,?[\s-]+(\d{4}|\d{2})(?:\s+(\d{1,2}):(\d\d)(?::(\d\d))?)?\s*(.*)$/;
const ASCTIME = /^[^\s\d]+\s+([A-Za-z]{3,9})\s+(\d{1,2})\s+(\d{1,2}):(\d\d)(?::(\d\d))?(?:\s+([+-]\d{4}|[A-Za-z]{1,5}))?\s+(\d{4})$/;
const PERFORCE = /^(?:[^\s\d]+,?\s*)?(\d{4})\/(\d{1,2})\/(\d{1,2})\s+(\d{1,2}):(\d\d)(?::(\d\d))?\s*(.*)$/;
const KOREAN_ONBLOG = /^(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일\s*(\d{1,2}):(\d\d)(?::(\d\d))?$/;
const KOREAN_NATE = /^(\d{4})-(\d\d)-(\d\d)\s+(오전|오후)\s+(\d{1,2}):(\d\d)(?::(\d\d))?$/;
const HUNGARIAN_DATE = /^(\d{4})-([^\d\s-]+)-(\d{1,2})(.*)$/;

const num = (s: string | undefined) => (s === undefined ? 0 : Number(s));

function parseOther(s: string): Date | undefined {
  let m = RFC822.exec(s);
  if (m) {
    const mo = monthNumber(m[2]!);
    const offset = zoneOffset(m[7]!);
    if (mo === undefined || offset === undefined) return undefined;
    return build(twoDigitYear(m[3]!), mo, Number(m[1]), num(m[4]), num(m[5]), num(m[6]), offset);
  }
  m = ASCTIME.exec(s);
  if (m) {
    const mo = monthNumber(m[1]!);
    const offset = zoneOffset(m[6] ?? '');
    if (mo === undefined || offset === undefined) return undefined;
    return build(Number(m[7]), mo, Number(m[2]), Number(m[3]), Number(m[4]), num(m[5]), offset);
  }
  m = PERFORCE.exec(s);
  if (m) {
    const offset = zoneOffset(m[7]!);
    if (offset === undefined) return undefined;
    return build(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), num(m[6]), offset);
  }
  m = KOREAN_ONBLOG.exec(s);
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), num(m[6]), 540);
  m = KOREAN_NATE.exec(s);
  if (m) {
    let h = Number(m[5]);
    if (m[4] === '오후' && h < 12) h += 12;
    if (m[4] === '오전' && h === 12) h = 0;
    return build(Number(m[1]), Number(m[2]), Number(m[3]), h, Number(m[6]), num(m[7]), 540);
  }
  m = HUNGARIAN_DATE.exec(s);
  if (m) {
    const mo = HUNGARIAN.get(m[2]!.toLowerCase());
    if (mo !== undefined) return parseIso(`${m[1]}-${String(mo).padStart(2, '0')}-${m[3]!.padStart(2, '0')}${m[4]}`);
  }
  return undefined;
}

/** Parses a feed date; undefined when the text is not a date we understand. */
export function parseDate(input: string | undefined | null): Date | undefined {
  if (!input) return undefined;
  const s = input.trim();
  if (!s || s.length > 100) return undefined;
  const c = s.charCodeAt(0);
  const iso = c >= 48 && c <= 57 ? parseIso(s) : undefined;
  return iso ?? parseOther(s);
}
