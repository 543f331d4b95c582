// Character and entity references in feed text. Real feeds use HTML entities they never declare
// (&nbsp;, &hearts;) and bare ampersands in URLs; both are recovered but reported, because a
// strict XML parser would reject them. Entities declared in a DOCTYPE are never expanded: that is
// how billion-laughs and external-entity (file:///etc/passwd) attacks work.
import { decodeHTMLStrict } from 'entities';

export interface EntityContext {
  /** Names declared in the DOCTYPE's internal subset: well-formed to reference, never expanded. */
  declared: Set<string> | undefined;
  /** The DOCTYPE names an external DTD, so an undeclared name may legitimately be defined there. */
  externalDtd: boolean;
  /** Reports a malformation at a position in the document text. */
  error(message: string, pos: number): void;
  /** There is no "&" in [ampFrom, ampAt): a memo of the last search (-1 before any). */
  ampFrom: number;
  ampAt: number;
}

/**
 * The next "&" at or after `from`, or text.length. indexOf cannot stop at the end of a value, so
 * without the memo every attribute and text run searched on to the document's next "&": one tag
 * with 100,000 attributes, or a big feed with no "&", took seconds.
 */
function nextAmp(text: string, from: number, ctx: EntityContext): number {
  if (ctx.ampFrom >= 0 && ctx.ampFrom <= from && from <= ctx.ampAt) return ctx.ampAt;
  const at = text.indexOf('&', from);
  ctx.ampFrom = from;
  ctx.ampAt = at < 0 ? text.length : at;
  return ctx.ampAt;
}

/** Windows-1252 meanings of the C1 range: feeds written on Windows put these where Unicode belongs. */
/** Index = code point − 0x80; the five undefined positions map to themselves. */
const CP1252 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

export function cp1252CodePoint(cp: number): number {
  return cp >= 0x80 && cp <= 0x9f ? CP1252.charCodeAt(cp - 0x80) : cp;
}

const C1 = /[\x80-\x9f]/;
const C1_ALL = /[\x80-\x9f]/g;

/** Replaces C1 control characters by what the author meant (their Windows-1252 characters). */
export function demoronize(text: string): string {
  return C1.test(text) ? text.replace(C1_ALL, (c) => String.fromCharCode(cp1252CodePoint(c.charCodeAt(0)))) : text;
}

/** Longest entity name we look for; HTML's longest is 31 characters. */
const MAX_NAME = 40;

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;
}

function predefined(text: string, start: number, len: number): string | undefined {
  const c0 = text.charCodeAt(start);
  if (len === 2 && text.charCodeAt(start + 1) === 116) {
    if (c0 === 108) return '<';
    if (c0 === 103) return '>';
  } else if (len === 3 && c0 === 97 && text.startsWith('amp', start)) return '&';
  else if (len === 4) {
    if (text.startsWith('quot', start)) return '"';
    if (text.startsWith('apos', start)) return "'";
  }
  return undefined;
}

function isXmlChar(cp: number): boolean {
  return cp === 9 || cp === 10 || cp === 13 || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Decodes `&#…;`/`&#x…;` whose digits span [start, end); undefined when not a valid reference. */
function numericRef(text: string, start: number, end: number): string | undefined {
  const hex = text.charCodeAt(start) === 120 || text.charCodeAt(start) === 88;
  const digits = text.slice(hex ? start + 1 : start, end);
  if (!digits || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits) || digits.length > 8) return undefined;
  const cp = Number.parseInt(digits, hex ? 16 : 10);
  if (!isXmlChar(cp)) return undefined;
  return String.fromCodePoint(cp1252CodePoint(cp));
}

/**
 * Decodes the references in text[start, end). Never throws; every recovery is reported through
 * ctx.error. A bare `&` (as in `a=1&b=2`) stays a literal ampersand.
 */
export function decodeEntities(text: string, start: number, end: number, ctx: EntityContext): string {
  let amp = nextAmp(text, start, ctx);
  if (amp >= end) return text.slice(start, end);
  let out = '';
  let last = start;
  while (amp < end) {
    out += text.slice(last, amp);
    let j = amp + 1;
    const numeric = text.charCodeAt(j) === 35;
    if (numeric) j++;
    const nameStart = j;
    const limit = Math.min(end, nameStart + MAX_NAME);
    while (j < limit && isNameChar(text.charCodeAt(j))) j++;
    if (j === nameStart || j >= end || text.charCodeAt(j) !== 59) {
      ctx.error('an "&" that does not start an entity reference (write &amp;)', amp);
      out += '&';
      last = amp + 1;
    } else {
      out += resolveRef(text, nameStart, j, numeric, amp, ctx);
      last = j + 1;
    }
    amp = nextAmp(text, last, ctx);
  }
  return out + text.slice(last, end);
}

function resolveRef(text: string, start: number, end: number, numeric: boolean, amp: number, ctx: EntityContext): string {
  if (numeric) {
    const ch = numericRef(text, start, end);
    if (ch === undefined) ctx.error(`invalid character reference &#${text.slice(start, end)};`, amp);
    return ch ?? '';
  }
  const known = predefined(text, start, end - start);
  if (known !== undefined) return known;
  const name = text.slice(start, end);
  // Declared in the DOCTYPE: legal XML, but expanding it is exactly what an attacker wants.
  if (ctx.declared?.has(name)) return '';
  if (!ctx.externalDtd) ctx.error(`undeclared entity &${name};`, amp);
  // Feeds using &lang;/&rang; were written against HTML 4, where they are U+2329/U+232A.
  if (name === 'lang' || name === 'rang') return name === 'lang' ? '\u2329' : '\u232a';
  const ref = `&${name};`;
  const html = decodeHTMLStrict(ref);
  return html === ref ? (ctx.externalDtd ? '' : ref) : html;
}
