// Admins (and the bundled examples) may point a feed source at a file on disk instead of a URL.
// Files are read directly — never through the fetcher, whose job is refusing file: URLs — and
// an unchanged file (same size and mtime) is "not modified", like a 304.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ParsedFeed, Reader } from './types.js';

export function isHttpUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** Any other scheme ("file:", "ftp:", "javascript:") is not a local path either. */
export function isLocalPath(s: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(s) || /^[a-z]:[\\/]/i.test(s);
}

export function withLocalFiles(reader: Reader, parse: (body: Buffer, url: string) => ParsedFeed | Promise<ParsedFeed>): Reader {
  return {
    kind: reader.kind,
    async read(source, ctx) {
      if (!isLocalPath(source.url)) return reader.read(source, ctx);
      const file = path.resolve(source.url);
      const info = await stat(file).catch(() => {
        throw new Error(`cannot read ${file}: no such file (give a URL, or a path that exists)`);
      });
      const token = `file:${info.size}:${info.mtimeMs}`;
      if (source.lastModified === token) return { status: 'not-modified' };
      const url = pathToFileURL(file).href;
      return { status: 'ok', feed: await parse(await readFile(file), url), url, lastModified: token };
    },
  };
}
