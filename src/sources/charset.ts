// Bytes → text, for fetched documents and uploaded spreadsheets alike. Chinese sites often label
// GBK/GB2312 late (a <meta> far down the head), wrongly, or not at all, and Excel on a Chinese
// system saves "CSV" in GBK without a word; GB18030 is a superset of both, so every GB label and
// every GB-shaped file is decoded as GB18030 and nothing is lost to U+FFFD.
import iconv from 'iconv-lite';

export type CharsetSource = 'bom' | 'header' | 'prolog' | 'meta' | 'sniff' | 'default';

export interface Decoded {
  text: string;
  /** Lower-case name of the charset actually used, e.g. "utf-8", "gb18030", "windows-1252". */
  encoding: string;
  source: CharsetSource;
}

/** How far into a document a <meta charset> or XML prolog is looked for. */
const SNIFF_BYTES = 64 * 1024;

const ALIASES: Record<string, string> = {
  gb2312: 'gb18030',
  gbk: 'gb18030',
  'x-gbk': 'gb18030',
  cp936: 'gb18030',
  'windows-936': 'gb18030',
  'euc-cn': 'gb18030',
  'iso-ir-58': 'gb18030',
  csgb2312: 'gb18030',
  chinese: 'gb18030',
  'iso-8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  'x-sjis': 'shift_jis',
  sjis: 'shift_jis',
  big5hkscs: 'big5-hkscs',
};

/** Normalizes a charset label to a name iconv-lite knows, or undefined when unknown. */
export function normalizeCharset(label: string | undefined | null): string | undefined {
  if (!label) return undefined;
  const name = label
    .trim()
    .replace(/^["']|["']$/g, '')
    .toLowerCase();
  if (!name) return undefined;
  const mapped = ALIASES[name] ?? name;
  return iconv.encodingExists(mapped) ? mapped : undefined;
}

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = contentType ? /charset\s*=\s*("?)([^";,\s]+)\1/i.exec(contentType) : null;
  return m ? m[2] : undefined;
}

/** What bytes alone can tell: a byte-order mark, else UTF-8, GB18030 or windows-1252. */
export type SniffedCharset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be' | 'gb18030' | 'windows-1252';

function bomCharset(body: Buffer): { charset: SniffedCharset; length: number } | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return { charset: 'utf-8', length: 3 };
  if (body[0] === 0x00 && body[1] === 0x00 && body[2] === 0xfe && body[3] === 0xff) return { charset: 'utf-32be', length: 4 };
  if (body[0] === 0xff && body[1] === 0xfe && body[2] === 0x00 && body[3] === 0x00) return { charset: 'utf-32le', length: 4 };
  if (body[0] === 0xfe && body[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  if (body[0] === 0xff && body[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  return undefined;
}

/**
 * UTF-16/32 without a BOM, recognized by how "<?" is laid out in bytes (XML 1.0 Appendix F).
 * No label can be trusted over this: read as ASCII, such a document is not even "<?xml".
 */
function xmlWideCharset(body: Buffer): string | undefined {
  const [a, b, c, d] = [body[0], body[1], body[2], body[3]];
  if (a === 0x3c && b === 0x00 && c === 0x00 && d === 0x00) return 'utf-32le';
  if (a === 0x00 && b === 0x00 && c === 0x00 && d === 0x3c) return 'utf-32be';
  if (a === 0x3c && b === 0x00 && c === 0x3f && d === 0x00) return 'utf-16le';
  if (a === 0x00 && b === 0x3c && c === 0x00 && d === 0x3f) return 'utf-16be';
  return undefined;
}

/** The encoding in `<?xml version="1.0" encoding="…"?>`, which must open the document. */
function prologCharset(head: string): string | undefined {
  const m = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']+)["']/i.exec(head);
  return m ? m[1] : undefined;
}

/** `<meta charset>` or `<meta http-equiv content="…charset=…">`, anywhere in the first part. */
function metaCharset(head: string): string | undefined {
  const re = /<meta\b[^>]*>/gi;
  for (let m = re.exec(head); m; m = re.exec(head)) {
    const tag = m[0];
    const direct = /\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(tag);
    if (direct) return direct[1];
  }
  return undefined;
}

/**
 * Strict UTF-8 validity, so valid UTF-8 is never re-decoded as something else. `partial`: the
 * bytes are the start of a longer file, so a character cut at their end is not an error.
 */
export function isValidUtf8(body: Buffer, partial = false): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body, { stream: partial });
    return true;
  } catch {
    return false;
  }
}

/** Share of bytes ≥ 0x80 that pair up as GB18030 double-byte characters. */
function looksLikeGb(body: Buffer): boolean {
  let pairs = 0;
  let high = 0;
  const end = Math.min(body.length, SNIFF_BYTES);
  for (let i = 0; i < end; i++) {
    const b = body[i]!;
    if (b < 0x80) continue;
    high++;
    const next = body[i + 1];
    if (b >= 0x81 && b <= 0xfe && next !== undefined && next >= 0x40 && next <= 0xfe && next !== 0x7f) {
      pairs++;
      high++;
      i++;
    }
  }
  return high > 0 && (pairs * 2) / high > 0.9;
}

/** Unlabelled bytes without a BOM: valid UTF-8 stays UTF-8, GB-shaped bytes are GB18030, the rest windows-1252. */
function guess(body: Buffer, utf8: boolean): { charset: SniffedCharset; source: CharsetSource } {
  if (utf8) return { charset: 'utf-8', source: 'sniff' };
  if (looksLikeGb(body)) return { charset: 'gb18030', source: 'sniff' };
  return { charset: 'windows-1252', source: 'default' };
}

/**
 * The charset of a file that carries no label (an uploaded CSV), from its first bytes: BOM,
 * then the guess above. `partial`: `head` is only the start of the file.
 */
export function sniffCharset(head: Buffer, partial = false): { charset: SniffedCharset; source: CharsetSource } {
  const bom = bomCharset(head);
  return bom ? { charset: bom.charset, source: 'bom' } : guess(head, isValidUtf8(head, partial));
}

function decodeWith(body: Buffer, charset: string, source: CharsetSource, skip = 0): Decoded {
  const bytes = skip ? body.subarray(skip) : body;
  // Node's TextDecoder is faster than iconv-lite for UTF-8 and strips nothing we need.
  const text = charset === 'utf-8' ? bytes.toString('utf8') : iconv.decode(bytes, charset, { stripBOM: true });
  return { text, encoding: charset, source };
}

/**
 * Decodes a document. Order: BOM (or the UTF-16/32 byte pattern of "<?xml"), Content-Type
 * header, XML prolog, <meta> (first 64 KiB), then sniffing (valid UTF-8 stays UTF-8; GB-shaped bytes become GB18030), then windows-1252.
 * A declared charset that cannot be right (UTF-8 declared but the bytes are not) falls through
 * to sniffing instead of producing U+FFFD.
 */
export function decodeBody(body: Buffer, contentType?: string): Decoded {
  const bom = bomCharset(body);
  if (bom) return decodeWith(body, bom.charset, 'bom', bom.length);
  const wide = xmlWideCharset(body);
  if (wide) return decodeWith(body, wide, 'sniff');

  const head = body.subarray(0, SNIFF_BYTES).toString('latin1');
  const candidates: [string | undefined, CharsetSource][] = [
    [charsetFromContentType(contentType), 'header'],
    [prologCharset(head), 'prolog'],
    [metaCharset(head), 'meta'],
  ];
  const utf8 = isValidUtf8(body);
  for (const [label, source] of candidates) {
    const charset = normalizeCharset(label);
    if (!charset) continue;
    if (charset === 'utf-8' && !utf8) continue;
    // A page labelled GBK or latin-1 whose bytes are valid multi-byte UTF-8 is mislabelled: text
    // of any length in those charsets practically never forms valid UTF-8 sequences.
    if (charset !== 'utf-8' && !charset.startsWith('utf-') && utf8 && /[^\x00-\x7f]/.test(head)) return decodeWith(body, 'utf-8', 'sniff');
    return decodeWith(body, charset, source);
  }
  const guessed = guess(body, utf8);
  return decodeWith(body, guessed.charset, guessed.source);
}
