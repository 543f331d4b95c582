// Bytes of an uploaded spreadsheet → text, chunk by chunk. Excel on a Chinese system saves "CSV"
// in GBK, not UTF-8, and says nothing about it; reading that as UTF-8 would turn every name into
// U+FFFD. So: a BOM decides; otherwise the first 64 KB are tried as UTF-8 and, failing that, the
// file is read as GB18030 (a superset of GBK and GB2312).
import iconv from 'iconv-lite';
import { CsvError } from './csv.js';

const SNIFF_BYTES = 64 * 1024;

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

function bom(head: Buffer): TextEncodingName | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

function isUtf8(head: Buffer): boolean {
  try {
    // stream: a multi-byte character cut at the end of the sample is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** The encoding these first bytes of a file suggest (see the note at the top). */
export function sniffEncoding(head: Buffer): TextEncodingName {
  return bom(head) ?? (isUtf8(head) ? 'utf-8' : 'gb18030');
}

interface Decoder {
  write(b: Buffer): string;
  end(): string;
}

function decoderFor(encoding: TextEncodingName): Decoder {
  if (encoding !== 'utf-8') {
    const d = iconv.getDecoder(encoding);
    return { write: (b) => d.write(b), end: () => d.end() ?? '' };
  }
  // fatal: bytes that are not UTF-8 after a UTF-8 start mean a damaged file, not names to mangle.
  const d = new TextDecoder('utf-8', { fatal: true });
  const wrap = (fn: () => string) => {
    try {
      return fn();
    } catch {
      throw new CsvError('the file is not valid UTF-8 past its first 64 KB; save it again as "CSV UTF-8"');
    }
  };
  return { write: (b) => wrap(() => d.decode(b, { stream: true })), end: () => wrap(() => d.decode()) };
}

/** Decodes a byte stream; `onEncoding` learns which encoding was chosen. */
export async function* decodeText(bytes: AsyncIterable<Buffer | string>, onEncoding?: (e: TextEncodingName) => void): AsyncGenerator<string> {
  const held: Buffer[] = [];
  let heldBytes = 0;
  let decoder: Decoder | undefined;
  const start = () => {
    const head = Buffer.concat(held);
    const encoding = sniffEncoding(head);
    onEncoding?.(encoding);
    decoder = decoderFor(encoding);
    return decoder.write(head);
  };
  for await (const chunk of bytes) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (decoder) {
      yield decoder.write(buf);
      continue;
    }
    held.push(buf);
    heldBytes += buf.length;
    if (heldBytes >= SNIFF_BYTES) yield start();
  }
  if (!decoder) yield start();
  yield decoder!.end();
}
