// Quoted-printable (RFC 2045 6.7) for mail parts, encoded once per digest. QP is line-local: a
// line's encoding depends on nothing but that line, so a digest's lines without placeholders are
// encoded once and a recipient costs only the few lines that hold their values (2 of ~1,400 in
// the bundled template). Output lines carry no trailing or repeated spaces and no tabs, which
// makes the part already DKIM relaxed-canonical, and a leading "." is encoded, so SMTP
// dot-stuffing never has to touch it.
import type { Pieces, PlaceholderValues } from '../digest/personalize.js';

const MAX = 75;
const HEX = Array.from({ length: 256 }, (_, b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`);
// Lines that need nothing done: printable ASCII without "=", no double or trailing space, no leading ".".
const PLAIN = /^(?!\.)(?:[!-<>-~]| (?! |$))*$/;

/** One source line (no line break in it) as QP, soft-broken to lines of at most 76 characters. */
export function qpLine(line: string): string {
  if (line.length <= MAX && PLAIN.test(line)) return line;
  let out = '';
  let col = 0;
  const put = (token: string) => {
    if (col + token.length > MAX) {
      out += '=\r\n';
      col = 0;
    }
    out += token;
    col += token.length;
  };
  const bytes = Buffer.from(line, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x20) {
      // A literal space only between non-spaces: never at a line end, never doubled.
      const last = out.charCodeAt(out.length - 1);
      put(i === bytes.length - 1 || (col > 0 && last === 0x20) || col + 1 >= MAX ? HEX[b]! : ' ');
    } else if (b > 0x20 && b < 0x7f && b !== 0x3d && !(b === 0x2e && (col === 0 || col + 1 > MAX))) {
      // (A dot that would start a line, after a soft break too, is encoded instead.)
      put(String.fromCharCode(b));
    } else {
      put(HEX[b]!);
    }
  }
  return out;
}

/** A whole text as QP lines joined by CRLF (CR before LF is dropped; a lone CR is encoded). */
export function qpText(s: string): string {
  return s.split('\n').map((l) => qpLine(l.endsWith('\r') ? l.slice(0, -1) : l)).join('\r\n');
}

/** A part precompiled from personalize()'s pieces: encoded blocks, and the lines holding placeholders. */
export interface QpTemplate {
  /** Joined by CRLF: strings are encoded already; arrays are one source line of literals and slots. */
  lines: (string | (string | { slot: keyof PlaceholderValues })[])[];
}

export function qpTemplate(pieces: Pieces): QpTemplate {
  const lines: QpTemplate['lines'] = [];
  let current: (string | { slot: keyof PlaceholderValues })[] = [];
  let plain: string[] = [];
  const flushPlain = () => {
    if (plain.length) lines.push(plain.map(qpLine).join('\r\n'));
    plain = [];
  };
  const endLine = () => {
    if (current.some((p) => typeof p !== 'string')) {
      flushPlain();
      lines.push(current);
    } else plain.push(current.join('').replace(/\r$/, ''));
    current = [];
  };
  pieces.literals.forEach((literal, i) => {
    const parts = literal.split('\n');
    parts.forEach((part, k) => {
      if (k > 0) endLine();
      if (part) current.push(part);
    });
    const slot = pieces.slots[i];
    if (slot) current.push({ slot });
  });
  endLine();
  flushPlain();
  return { lines };
}

/** The part for one recipient: the precompiled blocks and their own lines, encoded. */
export function fillQp(t: QpTemplate, values: PlaceholderValues): string {
  let out = '';
  for (let i = 0; i < t.lines.length; i++) {
    const line = t.lines[i]!;
    if (i) out += '\r\n';
    if (typeof line === 'string') out += line;
    else {
      let source = '';
      for (const p of line) source += typeof p === 'string' ? p : values[p.slot];
      // A value never holds a line break (names are one line, URLs are serialized), but if one
      // ever did it must become a real line break, not a bare LF inside a QP line.
      out += source.includes('\n') ? qpText(source) : qpLine(source.replace(/\r$/, ''));
    }
  }
  return out;
}

/** Rough encoded sizes, to choose QP or base64 for a part: QP is ~1 octet per ASCII character, 9 per CJK one. */
export function qpCheaper(s: string): boolean {
  const utf8 = Buffer.byteLength(s);
  const nonAscii = utf8 - s.replace(/[^\x00-\x7f]+/g, '').length;
  const equals = s.length - s.replaceAll('=', '').length;
  const qp = utf8 + 2 * (nonAscii + equals);
  return qp <= (utf8 * 4) / 3;
}
