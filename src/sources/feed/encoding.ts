// Bytes → text for feeds, plus the one judgement charset.ts does not make: whether the charset
// the document declared (or XML's default, UTF-8) was the one that actually worked. When it was
// not, the feed is still read, but flagged as malformed, as a strict XML parser would refuse it.
import { charsetFromContentType, decodeBody, normalizeCharset } from '../charset.js';

export interface DecodedFeed {
  text: string;
  encoding: string;
  /** Why the declared encoding was overridden, when it was. */
  error?: string;
}

const PROLOG = /^\uFEFF?\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']+)["']/;

/** UTF-16 and UTF-32 labels name a family; the byte order is settled by the BOM or the bytes. */
function family(label: string): string {
  const l = label.toLowerCase().replace(/[_\s]/g, '-');
  const m = /^(?:utf-?|u|ucs-?)(16|32|2|4)/.exec(l);
  if (!m) return normalizeCharset(label) ?? l;
  return m[1] === '16' || m[1] === '2' ? 'utf-16' : 'utf-32';
}

function sameEncoding(declared: string, used: string): boolean {
  const d = family(declared);
  return d === used || (d.startsWith('utf-') && used.startsWith(d)) || normalizeCharset(used) === d;
}

export function decodeFeedBytes(body: Buffer, contentType?: string): DecodedFeed {
  const { text, encoding, source } = decodeBody(body, contentType);
  const declared = charsetFromContentType(contentType) ?? PROLOG.exec(text.slice(0, 512))?.[1];
  if (declared === undefined) {
    // XML without a declaration must be UTF-8 or UTF-16; anything else is a guess.
    if (source === 'bom' || encoding === 'utf-8' || encoding.startsWith('utf-')) return { text, encoding };
    return { text, encoding, error: `no encoding declared and the bytes are not UTF-8; decoded as ${encoding}` };
  }
  if (source === 'bom' || sameEncoding(declared, encoding)) return { text, encoding };
  return { text, encoding, error: `document declared as ${declared} but could only be decoded as ${encoding}` };
}
