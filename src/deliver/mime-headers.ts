// Header values for outgoing mail. Every value here comes from a setting, a newsletter or a
// stranger's sign-up form, so each one is either validated against a strict grammar (addresses,
// URLs, ids) or flattened to one line and encoded (names, subjects): nothing can end a header
// line early and start a new one (Bcc injection), and every line stays far below 998 octets.
import { capText, plainLine } from '../digest/personalize.js';
import { isMailAddress } from '../subscribers/address.js';

/** A header field a message cannot be built with; the delivery fails permanently. */
export class InvalidHeaderError extends Error {
  override readonly name = 'InvalidHeaderError';
}

export { isMailAddress } from '../subscribers/address.js';

export function mailAddress(s: string, what: string): string {
  if (!isMailAddress(s)) throw new InvalidHeaderError(`${what} is not a plain email address: ${JSON.stringify(s.slice(0, 100))}`);
  return s;
}

const NAME_MAX = 100;
// An encoded-word is at most 75 characters: `=?UTF-8?B?` + 60 base64 characters + `?=` carries
// 45 octets, never splitting a UTF-8 sequence.
const WORD_OCTETS = 45;

/** RFC 2047 B-encoded words for `s`, space-separated on one line. */
export function encodedWords(s: string): string {
  const words: string[] = [];
  let chunk = '';
  let octets = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (octets + n > WORD_OCTETS) {
      words.push(`=?UTF-8?B?${Buffer.from(chunk).toString('base64')}?=`);
      chunk = '';
      octets = 0;
    }
    chunk += ch;
    octets += n;
  }
  if (chunk) words.push(`=?UTF-8?B?${Buffer.from(chunk).toString('base64')}?=`);
  return words.join(' ');
}

// Printable ASCII that cannot be mistaken for an encoded-word; anything else is encoded.
const needsEncoding = (s: string): boolean => /[^\x20-\x7e]/.test(s) || s.includes('=?');

/** Unstructured text (Subject): one line, capped, encoded when not plain ASCII. */
export function unstructured(text: string, max: number): string {
  const line = capText(plainLine(text), max);
  return needsEncoding(line) ? encodedWords(line) : line;
}

/** A display name as an RFC 5322 phrase: a quoted string, or encoded words. Empty when blank. */
export function phrase(name: string | null | undefined): string {
  const line = capText(plainLine(name ?? ''), NAME_MAX);
  if (!line) return '';
  return needsEncoding(line) ? encodedWords(line) : `"${line.replace(/["\\]/g, '\\$&')}"`;
}

/** `"Name" <address>`, or `<address>` without a name. */
export function mailbox(name: string | null | undefined, address: string, what: string): string {
  const p = phrase(name);
  const addr = mailAddress(address, what);
  return p ? `${p} <${addr}>` : `<${addr}>`;
}

const URI_MAX = 400;
// What a URL's serialization may hold inside <…>: printable ASCII without spaces or brackets.
const URI_SAFE = /^[\x21-\x3b\x3d\x3f-\x7e]+$/;

/** An http(s) URL as the URL parser serializes it (which strips tabs and newlines and escapes <, > and spaces). */
export function headerUrl(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidHeaderError(`${what} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidHeaderError(`${what} must be http(s), got ${url.protocol}`);
  if (!URI_SAFE.test(url.href) || url.href.length > URI_MAX) throw new InvalidHeaderError(`${what} cannot go into a header`);
  return url.href;
}

/** A `mailto:` URI for List-Unsubscribe: an address and an optional query, nothing else. */
export function mailtoUri(raw: string): string {
  const m = /^mailto:([^?]+)(\?[\x21-\x7e]*)?$/i.exec(raw);
  if (!m || !isMailAddress(m[1]!) || !URI_SAFE.test(raw) || raw.length > URI_MAX) {
    throw new InvalidHeaderError('the unsubscribe mailto: is not a plain mailto:address[?query]');
  }
  return `mailto:${m[1]}${m[2] ?? ''}`;
}

const ID_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;

/** `<left@right>` from an id given with or without its angle brackets. */
export function messageIdHeader(raw: string): string {
  const id = raw.startsWith('<') && raw.endsWith('>') ? raw.slice(1, -1) : raw;
  const at = id.lastIndexOf('@');
  const right = id.slice(at + 1);
  // The right side may also be a domain literal, e.g. @[::1] when the public URL is an IPv6 address.
  const ok = at > 0 && id.length <= 250 && ID_PART.test(id.slice(0, at)) && (ID_PART.test(right) || /^\[[\x21-\x5a\x5e-\x7e]+\]$/.test(right));
  if (!ok) throw new InvalidHeaderError(`the Message-ID is not of the form left@right: ${JSON.stringify(raw.slice(0, 100))}`);
  return `<${id}>`;
}

/** `Phrase <list-id>` (RFC 2919), or `<list-id>` when it has no phrase. */
export function listIdHeader(raw: string): string {
  const m = /^(.*?)\s*<([^<>]*)>\s*$/s.exec(raw);
  const id = m ? m[2]! : raw.trim();
  if (!/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)+$/.test(id) || id.length > 255) {
    throw new InvalidHeaderError(`the List-Id is not of the form name <list.id.example.org>: ${JSON.stringify(raw.slice(0, 100))}`);
  }
  const p = phrase(m?.[1]);
  return p ? `${p} <${id}>` : `<${id}>`;
}

const DATES = { second: -1, value: '' };

/** RFC 5322 date in UTC, e.g. `Tue, 24 Nov 2026 07:00:00 +0000` (memoized per second). */
export function rfc5322Date(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== DATES.second) {
    DATES.second = second;
    DATES.value = date.toUTCString().replace(/GMT$/, '+0000');
  }
  return DATES.value;
}
