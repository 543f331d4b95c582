// Reading a response body under a byte cap that applies to the DECODED bytes: a 200 KB gzip of
// zeros inflates to 200 MB, so counting what came over the wire protects nothing. Decoding is
// streamed and stops (destroying the socket) the moment the cap is passed, so memory stays at
// roughly the cap however large the body claims or turns out to be.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { FetchError } from './types.js';

export const ACCEPT_ENCODING = 'gzip, deflate, br';

type Decoder = (first: Buffer | undefined) => NodeJS.ReadWriteStream;

const DECODERS: Record<string, Decoder> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  br: () => zlib.createBrotliDecompress(),
  // "deflate" should be zlib-wrapped (RFC 9110) but some servers send raw deflate; the zlib
  // header is recognizable: CM=8 in the low nibble and a header checksum divisible by 31.
  deflate: (first) => {
    const zlibWrapped = !first || first.length < 2 || ((first[0]! & 0x0f) === 8 && ((first[0]! << 8) | first[1]!) % 31 === 0);
    return zlibWrapped ? zlib.createInflate() : zlib.createInflateRaw();
  },
};

/** Content-Encoding values in the order they must be undone (last applied first). */
export function decodingOrder(contentEncoding: string | undefined, url: string): string[] {
  const codings = (contentEncoding ?? '')
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c && c !== 'identity')
    .reverse();
  for (const c of codings) {
    if (!DECODERS[c]) {
      throw new FetchError('network', `the server sent an unsupported Content-Encoding "${c}" (we accept ${ACCEPT_ENCODING})`, url);
    }
  }
  return codings;
}

/** Resolves with the first chunk (put back into the stream), or undefined at end of stream. */
function peek(stream: Readable): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      stream.off('readable', onReadable).off('end', onEnd).off('error', onError);
      fn();
    };
    const onReadable = () => {
      const chunk: Buffer | null = stream.read();
      if (chunk === null) return;
      stream.unshift(chunk);
      done(() => resolve(chunk));
    };
    const onEnd = () => done(() => resolve(undefined));
    const onError = (err: Error) => done(() => reject(err));
    stream.on('readable', onReadable).once('end', onEnd).once('error', onError);
  });
}

/** zlib reports Z_DATA_ERROR, Z_BUF_ERROR…; brotli ERR__ERROR_FORMAT_… or ERR_BROTLI_…. */
function isDecompressionError(err: unknown): err is Error {
  const code = err instanceof Error && 'code' in err ? err.code : undefined;
  return typeof code === 'string' && /^(Z_|ERR__ERROR|ERR_BROTLI)/.test(code);
}

function tooLarge(maxBytes: number, url: string): FetchError {
  return new FetchError(
    'too-large',
    `the response is larger than the ${maxBytes}-byte limit (counted after decompression); raise FETCH_MAX_BYTES if this source is legitimately that big`,
    url,
  );
}

export interface ReadBodyOptions {
  contentEncoding?: string;
  contentLength?: number;
  maxBytes: number;
  url: string;
}

/** Reads and decodes `body` into one Buffer of at most `maxBytes`, or throws `too-large`. */
export async function readBody(body: Readable, opts: ReadBodyOptions): Promise<Buffer> {
  const { maxBytes, url } = opts;
  try {
    const codings = decodingOrder(opts.contentEncoding, url);
    // Unencoded and announced as too big: refuse without reading a byte.
    if (codings.length === 0 && opts.contentLength !== undefined && opts.contentLength > maxBytes) throw tooLarge(maxBytes, url);
    let source: Readable = body;
    if (codings.length > 0) {
      const first = codings[0] === 'deflate' ? await peek(body) : undefined;
      const stages = codings.map((c, i) => DECODERS[c]!(i === 0 ? first : undefined));
      // pipeline destroys every stage (the socket included) when any of them fails or stops.
      source = pipeline([body, ...stages], () => {}) as unknown as Readable;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      total += buf.length;
      if (total > maxBytes) throw tooLarge(maxBytes, url);
      chunks.push(buf);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (isDecompressionError(err)) {
      throw new FetchError('network', `the response body could not be decompressed (${opts.contentEncoding}): ${err.message}`, url);
    }
    throw err;
  } finally {
    // Leaving early must close the connection: a half-read body cannot be reused, and reading
    // the rest of an endless body to keep the socket would never finish.
    if (!body.readableEnded) body.on('error', () => {}).destroy();
  }
}
