// A digest as Telegram messages (HTML parse mode). Content is laid out as "runs" — plain text
// plus the tags around it — and only turned into HTML per message, so a message can end
// anywhere and still be valid on its own: whatever is open is closed at its end and reopened in
// the next. Every string from the model is untrusted and reaches the HTML only through
// escapeHtml; only http(s) URLs ever become links.
//
// Messages are filled item by item; an item that cannot fit a message alone is cut at the best
// boundary (line, sentence, word, grapheme) by splitRuns in this file's second half.
import { formatDate, t } from '../i18n/index.js';
import type { DigestItem, DigestModel } from './model.js';
import { escapeHtml } from './telegram-html.js';

export type TelegramPart = { kind: 'text'; html: string; disableLinkPreview: boolean } | { kind: 'photo'; photoUrl: string; captionHtml: string };

export interface TelegramRenderOptions {
  /** Per message, in UTF-16 units of visible text (Telegram's limit: 4096). */
  maxLength?: number;
  /** Per photo caption (Telegram's limit: 1024). */
  maxCaption?: number;
  /** Send items that have an image as a photo with the item as its caption. */
  photos?: boolean;
}

/** Tags are compared by identity: one object per element, so two adjacent links stay two links. */
interface Tag {
  name: 'b' | 'i' | 'a';
  href?: string;
}
interface Run {
  text: string;
  tags: readonly Tag[];
}
/** One thing to send: a text block, or a block to caption a photo with. */
interface Unit {
  runs: Run[];
  photoUrl: string | null;
}

const BLANK_LINE: Run = { text: '\n\n', tags: [] };

export function renderTelegram(model: DigestModel, opts: TelegramRenderOptions = {}): TelegramPart[] {
  const maxLength = checkLimit('maxLength', opts.maxLength ?? 4096);
  const maxCaption = checkLimit('maxCaption', opts.maxCaption ?? 1024);
  const lang = model.newsletter.language;
  const date = (d: Date) => (Number.isNaN(d.getTime()) ? '' : formatDate(d, lang, model.timeZone));

  const units: Unit[] = [];
  // Newsletter name and section headings travel with what follows them: never the last line of
  // a message. A photo caption is no place for them, so before a photo they stand alone.
  const name = oneLine(model.newsletter.name) || model.newsletter.slug;
  let pending: Run[] = [{ text: name, tags: [{ name: 'b' }] }, plain(`\n${date(model.slotAt)}`)];
  let count = 0;
  for (const section of model.sections) {
    const heading = section.title === null ? '' : oneLine(section.title);
    if (heading && section.items.length > 0) pending = join(pending, [{ text: heading, tags: [{ name: 'b' }] }]);
    for (const item of section.items) {
      count++;
      const photoUrl = opts.photos ? httpUrl(item.imageUrl) : null;
      const runs = itemRuns(item, lang, date);
      if (photoUrl) {
        if (pending.length) units.push({ runs: pending, photoUrl: null });
        units.push({ runs, photoUrl });
      } else {
        units.push({ runs: join(pending, runs), photoUrl: null });
      }
      pending = [];
    }
  }
  units.push({ runs: join(pending, footerRuns(model, count)), photoUrl: null });
  return packUnits(units, maxLength, maxCaption, lang);
}

function itemRuns(item: DigestItem, lang: string, date: (d: Date) => string): Run[] {
  const bold: Tag = { name: 'b' };
  const href = httpUrl(item.url);
  const title = oneLine(item.title) || '…';
  const runs: Run[] = [{ text: title, tags: href ? [bold, { name: 'a', href }] : [bold] }];
  const byline = [oneLine(item.source.name), date(item.publishedAt)].filter(Boolean).join(' · ');
  if (byline) runs.push(plain(`\n${byline}`));
  const summary = paragraphText(item.summary);
  if (summary) runs.push(plain(`\n${summary}`));
  const others = item.alsoReportedBy.filter((o) => oneLine(o.name));
  if (others.length > 0) {
    const italic: Tag = { name: 'i' };
    runs.push(plain('\n'), { text: t(lang, 'digest.alsoReportedBy') + t(lang, 'digest.colon'), tags: [italic] });
    others.forEach((o, k) => {
      if (k > 0) runs.push({ text: t(lang, 'digest.listSeparator'), tags: [italic] });
      const url = httpUrl(o.url);
      runs.push({ text: oneLine(o.name), tags: url ? [italic, { name: 'a', href: url }] : [italic] });
    });
  }
  return runs;
}

function footerRuns(model: DigestModel, count: number): Run[] {
  const lang = model.newsletter.language;
  const runs: Run[] = [{ text: t(lang, 'digest.storyCount', { count }), tags: [{ name: 'i' }] }];
  const archive = httpUrl(model.archiveUrl);
  if (archive) runs.push(plain(' · '), { text: t(lang, 'digest.viewInBrowser'), tags: [{ name: 'a', href: archive }] });
  return runs;
}

/** Fills messages in order: whole units while they fit, an oversized unit cut into full messages. */
function packUnits(units: Unit[], maxLength: number, maxCaption: number, lang: string): TelegramPart[] {
  const parts: TelegramPart[] = [];
  let current: Run[] = [];
  let currentLength = 0;
  const flush = () => {
    if (current.length) parts.push({ kind: 'text', html: toHtml(current), disableLinkPreview: true });
    current = [];
    currentLength = 0;
  };
  // Pieces of one cut unit each get their own message, except the last, which later units may join.
  const startWith = (pieces: Run[][]) => {
    flush();
    pieces.forEach((p, k) => {
      current = p;
      currentLength = runsLength(p);
      if (k < pieces.length - 1) flush();
    });
  };
  for (const unit of units) {
    const length = runsLength(unit.runs);
    if (length === 0) continue;
    if (unit.photoUrl) {
      flush();
      const [caption, ...rest] = splitRuns(unit.runs, maxCaption, maxLength, lang);
      parts.push({ kind: 'photo', photoUrl: unit.photoUrl, captionHtml: toHtml(caption!) });
      if (rest.length) startWith(rest);
    } else if (current.length && currentLength + BLANK_LINE.text.length + length <= maxLength) {
      current = join(current, unit.runs);
      currentLength += BLANK_LINE.text.length + length;
    } else {
      startWith(splitRuns(unit.runs, maxLength, maxLength, lang));
    }
  }
  flush();
  return parts;
}

function toHtml(runs: Run[]): string {
  let html = '';
  let open: readonly Tag[] = [];
  const close = (from: number) => {
    for (let j = open.length - 1; j >= from; j--) html += `</${open[j]!.name}>`;
  };
  for (const run of runs) {
    if (!run.text) continue;
    let common = 0;
    while (common < open.length && common < run.tags.length && open[common] === run.tags[common]) common++;
    close(common);
    for (const tag of run.tags.slice(common)) html += tag.href === undefined ? `<${tag.name}>` : `<a href="${escapeHtml(tag.href)}">`;
    html += escapeHtml(run.text);
    open = run.tags;
  }
  close(0);
  return html;
}

function checkLimit(name: string, value: number): number {
  // Below 2 units an astral character (one surrogate pair) could never be placed.
  if (!Number.isInteger(value) || value < 2) throw new RangeError(`renderTelegram: ${name} must be an integer ≥ 2, got ${value}`);
  return value;
}

const plain = (text: string): Run => ({ text, tags: [] });
const join = (a: Run[], b: Run[]): Run[] => (a.length && b.length ? [...a, BLANK_LINE, ...b] : [...a, ...b]);
const runsLength = (runs: Run[]) => runs.reduce((n, r) => n + r.text.length, 0);

function httpUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

// Lone surrogates would make the request invalid UTF-8; control characters are invisible noise.
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const cleanText = (s: string) => s.replace(LONE_SURROGATES, '\ufffd').replace(CONTROLS, ' ');
const oneLine = (s: string) => cleanText(s).replace(/\s+/g, ' ').trim();
const paragraphText = (s: string) =>
  cleanText(s)
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n[\s]*/g, '\n')
    .trim();

// ---- Cutting one oversized block -------------------------------------------------------------
// Node 20's Intl.Segmenter costs ~3 µs per segment when iterated and `containing()` is linear in
// the input's length, so boundaries are only looked up around each cut, in a window of one
// message (plus lookahead: whether a position ends a sentence or a cluster depends on what follows).

const LOOKAHEAD = 64;

/**
 * Cuts runs into pieces of at most `firstLimit` (the first) and `restLimit` (the others) visible
 * units, whitespace at the cuts dropped. Never inside a grapheme cluster (ZWJ emoji, flags, a
 * surrogate pair) unless one cluster alone exceeds the limit, and even then between code points.
 */
function splitRuns(runs: Run[], firstLimit: number, restLimit: number, lang: string): Run[][] {
  const text = runs.map((r) => r.text).join('');
  if (text.length <= firstLimit) return [runs];
  const pieces: Run[][] = [];
  const end = trimEnd(text, text.length);
  let start = skipSpace(text, 0);
  let limit = firstLimit;
  while (end - start > limit) {
    const cut = chooseCut(text, start, start + limit, lang);
    pieces.push(sliceRuns(runs, start, trimEnd(text, cut)));
    start = skipSpace(text, cut);
    limit = restLimit;
  }
  if (end > start) pieces.push(sliceRuns(runs, start, end));
  return pieces;
}

/** The best cut in (start, max]: a line end, a sentence end, a word boundary (each only if it fills half the message), a cluster boundary. */
function chooseCut(text: string, start: number, max: number, lang: string): number {
  const half = (max - start) / 2;
  const line = text.lastIndexOf('\n', max);
  if (line - start >= half) return line;
  const window = text.slice(start, max + LOOKAHEAD);
  const at = max - start;
  const sentence = segmenter(lang, 'sentence').segment(window).containing(at)!.index;
  if (sentence >= half) return start + sentence;
  const words = segmenter(lang, 'word').segment(window);
  for (let pos = at; pos >= half; ) {
    const word = words.containing(pos)!;
    if (word.index < half) break;
    // Cutting before punctuation would start the next message with "," or "。".
    if (!/^\p{P}/u.test(word.segment)) return start + word.index;
    pos = word.index - 1;
  }
  const cluster = segmenter(lang, 'grapheme').segment(window).containing(at)!.index;
  if (cluster > 0) return start + cluster;
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

const segmenters = new Map<string, Intl.Segmenter>();
function segmenter(lang: string, granularity: 'grapheme' | 'word' | 'sentence'): Intl.Segmenter {
  const key = `${lang}|${granularity}`;
  let s = segmenters.get(key);
  if (!s) {
    const locale = Intl.Segmenter.supportedLocalesOf([lang]).length ? lang : 'und';
    s = new Intl.Segmenter(locale, { granularity });
    segmenters.set(key, s);
  }
  return s;
}

function sliceRuns(runs: Run[], start: number, end: number): Run[] {
  const out: Run[] = [];
  let offset = 0;
  for (const run of runs) {
    const from = Math.max(start, offset);
    const to = Math.min(end, offset + run.text.length);
    if (from < to) out.push({ text: run.text.slice(from - offset, to - offset), tags: run.tags });
    offset += run.text.length;
  }
  return out;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && /\s/.test(s[i]!)) i++;
  return i;
}

function trimEnd(s: string, i: number): number {
  while (i > 0 && /\s/.test(s[i - 1]!)) i--;
  return i;
}
