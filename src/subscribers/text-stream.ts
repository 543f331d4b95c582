// Bytes of an uploaded spreadsheet → text, chunk by chunk. A file says nothing about its
// encoding (Excel on a Chinese system saves "CSV" in GBK), so the first 64 KB decide, by the
// same sniffing as fetched documents (sources/charset.ts): a BOM, else UTF-8, else GB18030 for
// GB-shaped bytes, else windows-1252.
import iconv from 'iconv-lite';
import { type SniffedCharset, sniffCharset } from '../sources/charset.js';
import { CsvError } from './csv.js';

const SNIFF_BYTES = 64 * 1024;

/** The encoding decodeText chose for a file. */
export type TextEncodingName = SniffedCharset;

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
  const start = (partial: boolean) => {
    const head = Buffer.concat(held);
    const { charset } = sniffCharset(head, partial);
    onEncoding?.(charset);
    decoder = decoderFor(charset);
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
    if (heldBytes >= SNIFF_BYTES) yield start(true);
  }
  if (!decoder) yield start(false);
  yield decoder!.end();
}
