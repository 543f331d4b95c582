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
const NON_ASCII = /[^\x00-\x7f]/;

/** One source line (no line break in it) as QP, soft-broken to lines of at most 76 characters. */
export function qpLine(line: string): string {
  if (line.length <= MAX && PLAIN.test(line)) return line;
  // One character per octet: UTF-8 read as latin1 (every non-ASCII octet gets encoded anyway), so
  // runs of literal characters are copied as slices, not one by one.
  const src = NON_ASCII.test(line) ? Buffer.from(line, 'utf8').toString('latin1') : line;
  const n = src.length;
  let out = '';
  let col = 0;
  // Where the literal characters not yet copied to `out` begin.
  let run = 0;
  let lastSpace = false;
  for (let i = 0; i < n; i++) {
    const b = src.charCodeAt(i);
    const literal =
      b === 0x20
        ? // A literal space only between non-spaces: never at a line end, never doubled.
          !(i === n - 1 || (col > 0 && lastSpace) || col + 1 >= MAX)
        : // (A dot that would start a line, after a soft break too, is encoded instead.)
          b > 0x20 && b < 0x7f && b !== 0x3d && !(b === 0x2e && (col === 0 || col + 1 > MAX));
    if (literal) {
      if (col + 1 > MAX) {
        out += `${src.slice(run, i)}=\r\n`;
        run = i;
        col = 0;
      }
      col++;
      lastSpace = b === 0x20;
      continue;
    }
    out += src.slice(run, i);
    if (col + 3 > MAX) {
      out += '=\r\n';
      col = 0;
    }
    out += HEX[b]!;
    col += 3;
    run = i + 1;
    lastSpace = false;
  }
  return out + src.slice(run);
}

/** A whole text as QP lines joined by CRLF (CR before LF is dropped; a lone CR is encoded). */
export function qpText(s: string): string {
  return s
    .split('\n')
    .map((l) => qpLine(l.endsWith('\r') ? l.slice(0, -1) : l))
    .join('\r\n');
}

/** A stretch of encoded body every recipient of a digest shares: its text, and its bytes made once. */
export interface SharedText {
  text: string;
  bytes: Buffer;
}

/** The body of one message as stretches: shared ones, and strings made for this recipient. */
export type BodyPiece = string | SharedText;

export const sharedText = (text: string): SharedText => ({ text, bytes: Buffer.from(text, 'latin1') });

type SlotLine = (string | { slot: keyof PlaceholderValues })[];

/** A part precompiled from personalize()'s pieces: encoded blocks, and the lines holding placeholders. */
export interface QpTemplate {
  /** Joined by CRLF: strings are encoded already; arrays are one source line of literals and slots. */
  lines: (string | SlotLine)[];
  /** The encoded blocks as bytes, each with the CRLF that joins it to the line before (null: a slot line). */
  shared: (SharedText | null)[];
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
  return { lines, shared: lines.map((l, i) => (typeof l === 'string' ? sharedText(i ? `\r\n${l}` : l) : null)) };
}

function slotLine(line: SlotLine, values: PlaceholderValues): string {
  let source = '';
  for (const p of line) source += typeof p === 'string' ? p : values[p.slot];
  // A value never holds a line break (names are one line, URLs are serialized), but if one
  // ever did it must become a real line break, not a bare LF inside a QP line.
  return source.includes('\n') ? qpText(source) : qpLine(source.replace(/\r$/, ''));
}

/** The part for one recipient: the precompiled blocks and their own lines, encoded. */
export function fillQp(t: QpTemplate, values: PlaceholderValues): string {
  let out = '';
  for (let i = 0; i < t.lines.length; i++) {
    const line = t.lines[i]!;
    if (i) out += '\r\n';
    out += typeof line === 'string' ? line : slotLine(line, values);
  }
  return out;
}

/** fillQp as pieces appended to `out`: the shared blocks by reference, only the slot lines made anew. */
export function fillQpPieces(t: QpTemplate, values: PlaceholderValues, out: BodyPiece[]): void {
  for (let i = 0; i < t.lines.length; i++) {
    const line = t.lines[i]!;
    const shared = t.shared[i];
    if (shared) out.push(shared);
    else if (typeof line !== 'string') out.push(i ? `\r\n${slotLine(line, values)}` : slotLine(line, values));
  }
}

/** Rough encoded sizes, to choose QP or base64 for a part: QP is ~1 octet per ASCII character, 9 per CJK one. */
export function qpCheaper(s: string): boolean {
  const utf8 = Buffer.byteLength(s);
  const nonAscii = utf8 - s.replace(/[^\x00-\x7f]+/g, '').length;
  const equals = s.length - s.replaceAll('=', '').length;
  const qp = utf8 + 2 * (nonAscii + equals);
  return qp <= (utf8 * 4) / 3;
}
