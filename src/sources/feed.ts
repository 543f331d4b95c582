// The Reader for kind 'feed': a conditional GET through the guarded fetcher, then the parser
// (in the worker pool when the process has one: parsing is CPU work, with a deadline there).
// A 304 is passed through untouched (nothing to parse); a document that is not a feed at all is
// an error for the source, while a malformed-but-recovered feed is read with a warning.
import { readFile } from 'node:fs/promises';
import { type ParseFeedOptions, parseFeed } from './feed/parse.js';
import type { ParsedFeed, Reader } from './types.js';
import { inProcess, type Work } from '../work/tasks.js';

export const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

/** Throws when the parser found no feed at all (an HTML page, an error page, random JSON). */
export function assertFeed(feed: ParsedFeed, where: string): ParsedFeed {
  if (feed.format) return feed;
  throw new Error(`${where} is not a feed (${feed.bozoReason ?? 'unrecognized document'}); check the URL, or add it as a "page" source`);
}

/** Parses a feed file from disk (for `tidings sources test <file>`), exactly as if it had been fetched. */
export async function parseFeedFile(path: string, opts: ParseFeedOptions = {}): Promise<ParsedFeed> {
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch (err) {
    throw new Error(`cannot read feed file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseFeed(body, opts);
}

export function feedReader(work: Work = inProcess): Reader {
  return {
    kind: 'feed',
    async read(source, ctx) {
      const res = await ctx.fetcher.fetch(source.url, { etag: source.etag, lastModified: source.lastModified, accept: FEED_ACCEPT });
      if (res.status === 'not-modified') {
        const out: { status: 'not-modified'; etag?: string; lastModified?: string } = { status: 'not-modified' };
        if (res.etag) out.etag = res.etag;
        if (res.lastModified) out.lastModified = res.lastModified;
        return out;
      }
      const parsed = await work.run('parseFeed', { body: res.body, url: res.url, ...(res.contentType ? { contentType: res.contentType } : {}) });
      const feed = assertFeed(parsed, res.url);
      if (feed.bozo) ctx.log.warn({ source: source.id, url: res.url, reason: feed.bozoReason }, 'feed is malformed; read what could be recovered');
      return {
        status: 'ok',
        feed,
        url: res.url,
        ...(res.etag ? { etag: res.etag } : {}),
        ...(res.lastModified ? { lastModified: res.lastModified } : {}),
      };
    },
  };
}
