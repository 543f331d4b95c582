// Dates as pages write them: ISO 8601 in metadata, English prose ("Nov. 20, 2019 5:52 AM EST",
// "19 November 2019") and Chinese ("2023年7月23日 19:35", "2023-07-23 19:35") in visible text.
// A date without a zone is read in the page's zone when it can be inferred: Chinese-language
// pages (and the 年月日 form) are UTC+8, since mainland China, Hong Kong, Taiwan and Singapore all
// are; anything else without a zone is taken as UTC.

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** Offsets in minutes for the zone abbreviations news sites print. */
const ZONES: Record<string, number> = {
  utc: 0,
  gmt: 0,
  z: 0,
  bst: 60,
  cet: 60,
  cest: 120,
  eet: 120,
  eest: 180,
  msk: 180,
  ist: 330,
  sgt: 480,
  hkt: 480,
  awst: 480,
  jst: 540,
  kst: 540,
  aest: 600,
  aedt: 660,
  nzst: 720,
  nzdt: 780,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  akst: -540,
  akdt: -480,
  hst: -600,
  et: -300,
  pt: -480,
};

export interface DateContext {
  /** Offset in minutes applied to dates that carry no zone. */
  defaultOffset: number;
}

export const CHINA_OFFSET = 480;

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, offset: number): Date | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  if (y < 1990 || y > 2200) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - offset * 60_000;
  const date = new Date(ms);
  // Reject 31 February and friends instead of letting Date roll them over.
  return new Date(Date.UTC(y, mo - 1, d)).getUTCDate() === d ? date : undefined;
}

function zoneOffset(zone: string | undefined, fallback: number): number {
  if (!zone) return fallback;
  const numeric = /^(?:gmt|utc)?\s*([+-])(\d{1,2}):?(\d{2})?$/i.exec(zone.trim());
  if (numeric) {
    const sign = numeric[1] === '-' ? -1 : 1;
    return sign * (Number(numeric[2]) * 60 + Number(numeric[3] ?? 0));
  }
  return ZONES[zone.trim().toLowerCase()] ?? fallback;
}

function hour12(h: number, ampm: string | undefined): number {
  if (!ampm) return h;
  const pm = /^p/i.test(ampm);
  if (h === 12) return pm ? 12 : 0;
  return pm ? h + 12 : h;
}

const ZONE_RE = String.raw`(Z|[+-]\d{2}:?\d{2}|(?:GMT|UTC)[+-]\d{1,2}(?::?\d{2})?|\b[A-Z]{1,4}T\b|\bUTC\b|\bGMT\b)`;
const TIME_RE = String.raw`(?:[T\s,]+(?:at\s+)?(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?(?:\.\d+)?\s*([ap]\.?m\.?)?)?\s*${ZONE_RE}?`;
const MONTH_RE = String.raw`(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?`;

const PATTERNS: { re: RegExp; order: 'ymd' | 'mdy' | 'dmy' | 'cn' }[] = [
  { re: new RegExp(String.raw`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?${TIME_RE}`, 'i'), order: 'cn' },
  { re: new RegExp(String.raw`\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)${TIME_RE}`, 'i'), order: 'ymd' },
  { re: new RegExp(String.raw`\b${MONTH_RE}\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})${TIME_RE}`, 'i'), order: 'mdy' },
  { re: new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?\s+${MONTH_RE},?\s+(\d{4})${TIME_RE}`, 'i'), order: 'dmy' },
];

/** The first date written in `text`, in any of the supported forms, or undefined. */
export function findDateInText(text: string, ctx: DateContext = { defaultOffset: 0 }): Date | undefined {
  let best: { index: number; date: Date } | undefined;
  for (const { re, order } of PATTERNS) {
    const m = re.exec(text);
    if (!m || (best && best.index <= m.index)) continue;
    const g = m.slice(1);
    let y: number;
    let mo: number;
    let d: number;
    if (order === 'ymd' || order === 'cn') [y, mo, d] = [Number(g[0]), Number(g[1]), Number(g[2])];
    else if (order === 'mdy') [y, mo, d] = [Number(g[2]), MONTHS[g[0]!.slice(0, 3).toLowerCase()] ?? 0, Number(g[1])];
    else [y, mo, d] = [Number(g[2]), MONTHS[g[1]!.slice(0, 3).toLowerCase()] ?? 0, Number(g[0])];
    const h = g[3] ? hour12(Number(g[3]), g[6]) : 0;
    const fallback = order === 'cn' ? CHINA_OFFSET : ctx.defaultOffset;
    const date = build(y, mo, d, h, Number(g[4] ?? 0), Number(g[5] ?? 0), zoneOffset(g[7], fallback));
    if (date) best = { index: m.index, date };
  }
  return best?.date;
}

/** A machine-written date (meta content, JSON-LD, `<time datetime>`): ISO, RFC 2822 or epoch. */
export function parseDateValue(value: string, ctx: DateContext = { defaultOffset: 0 }): Date | undefined {
  const v = value.trim();
  if (!v) return undefined;
  if (/^\d{10}(\d{3})?$/.test(v)) {
    const n = Number(v);
    const date = new Date(v.length === 10 ? n * 1000 : n);
    return date.getUTCFullYear() >= 1990 ? date : undefined;
  }
  const iso = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2}))?(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(v);
  if (iso) {
    const g = iso.slice(1).map((x) => (x === undefined ? undefined : x));
    const offset = zoneOffset(g[6]?.length === 3 ? `${g[6]}:00` : g[6], ctx.defaultOffset);
    return build(Number(g[0]), Number(g[1]), Number(g[2]), Number(g[3] ?? 0), Number(g[4] ?? 0), Number(g[5] ?? 0), offset);
  }
  // RFC 2822 and other forms that carry an explicit zone are safe to hand to Date.parse; forms
  // without one would be read in this machine's time zone, so they go through our own parser.
  if (/(?:[+-]\d{4}|\bGMT|\bUTC|\bZ)\s*$/.test(v)) {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms) && new Date(ms).getUTCFullYear() >= 1990) return new Date(ms);
  }
  return findDateInText(v, ctx);
}

const PUBLISHED_META = [
  'article:published_time',
  'og:article:published_time',
  'og:published_time',
  'datepublished',
  'article.published',
  'dc.date.issued',
  'dcterms.issued',
  'dc.date',
  'dcterms.date',
  'dc.date.created',
  'dcterms.created',
  'pubdate',
  'publishdate',
  'publish-date',
  'publish_date',
  'publication_date',
  'sailthru.date',
  'parsely-pub-date',
  'article:published',
  'citation_publication_date',
  'cxenseparse:recs:publishtime',
  'date',
  'datecreated',
];
const MODIFIED_META = ['article:modified_time', 'og:updated_time', 'datemodified', 'dc.date.modified', 'dcterms.modified', 'lastmod'];

/** Classes and ids of the elements that usually print the publication date. */
const DATE_HOLDER = /date|time|publish|posted|byline|meta|info|source|pubtime|发布/i;

function metaValues(doc: Document, keys: string[]): string[] {
  const byKey = new Map<string, string>();
  for (const el of doc.querySelectorAll('meta[content]')) {
    const key = (el.getAttribute('property') ?? el.getAttribute('name') ?? el.getAttribute('itemprop') ?? '').toLowerCase();
    if (key && !byKey.has(key)) byKey.set(key, el.getAttribute('content') ?? '');
  }
  return keys.map((k) => byKey.get(k)).filter((v): v is string => !!v);
}

export interface PageDates {
  published?: Date;
  updated?: Date;
}

/**
 * Publication (and modification) date of an article page, from the most to the least reliable
 * source: metadata, JSON-LD, `<time datetime>`, then a date printed near the headline or in an
 * element whose class says it holds one, and last the first date in the page text.
 */
export function findPageDates(doc: Document, jsonLd: Record<string, unknown>[], ctx: DateContext): PageDates {
  const first = (values: unknown[]): Date | undefined => {
    for (const v of values) {
      const date = typeof v === 'string' ? parseDateValue(v, ctx) : undefined;
      if (date) return date;
    }
    return undefined;
  };
  const updated = first([...metaValues(doc, MODIFIED_META), ...jsonLd.map((o) => o['dateModified'])]);
  const fromMeta = first(metaValues(doc, PUBLISHED_META));
  if (fromMeta) return { published: fromMeta, updated };
  const fromLd = first(jsonLd.flatMap((o) => [o['datePublished'], o['dateCreated'], o['uploadDate']]));
  if (fromLd) return { published: fromLd, updated };

  const times = [...doc.querySelectorAll('time[datetime], [itemprop="datePublished"]')];
  const preferred = times.find((t) => t.hasAttribute('pubdate') || t.getAttribute('itemprop') === 'datePublished');
  for (const t of preferred ? [preferred, ...times] : times) {
    const date = first([t.getAttribute('datetime'), t.getAttribute('content'), t.textContent]);
    if (date) return { published: date, updated };
  }

  const h1 = doc.querySelector('h1');
  const near = h1?.parentElement ? (h1.parentElement.textContent ?? '').slice(0, 2000) : '';
  const holders = [...doc.querySelectorAll('[class], [id]')]
    .filter((el) => DATE_HOLDER.test(`${el.getAttribute('class') ?? ''} ${el.id}`))
    .slice(0, 200)
    .map((el) => (el.textContent ?? '').slice(0, 300));
  for (const text of [near, ...holders]) {
    const date = findDateInText(text, ctx);
    if (date) return { published: date, updated };
  }
  const body = (doc.body?.textContent ?? '').slice(0, 20_000);
  return { published: findDateInText(body, ctx), updated };
}
