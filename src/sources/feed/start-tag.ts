// Scanning a start tag: its name and attributes, recovering from what broken feeds contain
// (unquoted values, attributes without values, "<" inside values, duplicates, a tag cut short).
import type { Scan } from './doctype.js';
import { decodeEntities } from './entities.js';
import type { NsScope } from './xml.js';

export interface StartTag {
  name: string;
  /** Flat [qname, value, …]; undefined when there are none. */
  attrs: string[] | undefined;
  selfClosing: boolean;
  /** Position just after the tag. */
  end: number;
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** Ends a name: space, "=", ">", "/" or "<". */
function isNameEnd(c: number): boolean {
  return isSpace(c) || c === 61 || c === 62 || c === 47 || c === 60;
}

function attrValue(s: Scan, from: number, to: number): string {
  const v = decodeEntities(s.text, from, to, s.entities);
  // XML attribute-value normalization: literal tabs and newlines become spaces.
  return /[\t\n\r]/.test(v) ? v.replace(/\r\n|[\t\n\r]/g, ' ') : v;
}

/** Reads one attribute value starting at `j` (just after "="); returns [value, end]. */
function readValue(s: Scan, j: number, name: string): [string, number] {
  const { text } = s;
  const n = text.length;
  const q = text.charCodeAt(j);
  if (q === 34 || q === 39) {
    const close = text.indexOf(q === 34 ? '"' : "'", j + 1);
    const stop = close < 0 ? n : close;
    if (close < 0) s.fail(`unterminated attribute value in <${name}>`, j);
    // Bounded by the value: searching the whole rest of the document for every attribute of a
    // 100,000-attribute tag made one tag quadratic.
    for (let lt = j + 1; lt < stop; lt++) {
      if (text.charCodeAt(lt) === 60) {
        s.fail(`"<" in an attribute value of <${name}>`, lt);
        break;
      }
    }
    return [attrValue(s, j + 1, stop), close < 0 ? n : close + 1];
  }
  s.fail(`unquoted attribute value in <${name}>`, j);
  let k = j;
  while (k < n && !isSpace(text.charCodeAt(k)) && text.charCodeAt(k) !== 62) k++;
  return [attrValue(s, j, k), k];
}

/**
 * No feed element needs more; a tag with 100,000 attributes is an attack, and keeping them would
 * cost memory and time in every reader that looks at attributes.
 */
export const MAX_ATTRIBUTES = 256;
const SET_FROM = 8;

function hasName(attrs: string[], name: string): boolean {
  for (let k = 0; k < attrs.length; k += 2) if (attrs[k] === name) return true;
  return false;
}

/** Scans the start tag at `at` (text[at] is "<" followed by a name character). */
export function scanStartTag(s: Scan, at: number): StartTag {
  const { text } = s;
  const n = text.length;
  let j = at + 1;
  while (j < n && !isNameEnd(text.charCodeAt(j))) j++;
  const name = text.slice(at + 1, j);
  let attrs: string[] | undefined;
  // Few attributes: scanning the earlier names is cheapest; many: a Set, so a tag stays linear.
  let seen: Set<string> | undefined;
  let capped = false;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (isSpace(c)) {
      j++;
      continue;
    }
    if (c === 62) return { name, attrs, selfClosing: false, end: j + 1 };
    if (c === 47 && text.charCodeAt(j + 1) === 62) return { name, attrs, selfClosing: true, end: j + 2 };
    if (c === 60) {
      s.fail(`unterminated start tag <${name}>`, at);
      return { name, attrs, selfClosing: false, end: j };
    }
    const nameStart = j;
    while (j < n && !isNameEnd(text.charCodeAt(j))) j++;
    if (j === nameStart) {
      s.fail(`stray "${text[j]}" in <${name}>`, j);
      j++;
      continue;
    }
    const attrName = text.slice(nameStart, j);
    while (j < n && isSpace(text.charCodeAt(j))) j++;
    let value = attrName;
    if (text.charCodeAt(j) === 61) {
      j++;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      [value, j] = readValue(s, j, name);
    } else {
      s.fail(`attribute ${attrName} without a value in <${name}>`, nameStart);
    }
    if (!attrs) {
      attrs = [attrName, value];
      continue;
    }
    if (attrs.length >= MAX_ATTRIBUTES * 2) {
      if (!capped) s.fail(`more than ${MAX_ATTRIBUTES} attributes in <${name}>; the rest are ignored`, nameStart);
      capped = true;
      continue;
    }
    if (seen ? seen.has(attrName) : hasName(attrs, attrName)) s.fail(`duplicate attribute ${attrName} in <${name}>`, nameStart);
    attrs.push(attrName, value);
    if (seen) seen.add(attrName);
    else if (attrs.length >= SET_FROM * 2) seen = new Set(attrs.filter((_, k) => k % 2 === 0));
  }
  s.fail(`unterminated start tag <${name}>`, at);
  return { name, attrs, selfClosing: false, end: n };
}

/** Namespace well-formedness of attribute names: every prefix must be declared. */
export function checkAttrPrefixes(s: Scan, attrs: string[], scope: NsScope, name: string, at: number): void {
  for (let k = 0; k < attrs.length; k += 2) {
    const a = attrs[k]!;
    const colon = a.indexOf(':');
    if (colon > 0 && !a.startsWith('xmlns:') && scope[a.slice(0, colon)] === undefined) {
      s.fail(`undeclared namespace prefix on attribute ${a} of <${name}>`, at);
    }
  }
}
