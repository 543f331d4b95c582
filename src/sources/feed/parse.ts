// Entry point: bytes or text in, a feed out, whatever the format. Never throws. Malformed input
// that could be recovered parses with `bozo: true` and the reason; input that is not a feed at all
// has no format, `bozo: true` and no items, and the reader turns that into an error for the source.
import type { ParsedFeed } from '../types.js';
import { readAtom } from './atom.js';
import { decodeFeedBytes } from './encoding.js';
import { demoronize } from './entities.js';
import { readJsonFeed } from './json-feed.js';
import type { FeedDocument, FeedEntry, FeedInfo } from './model.js';
import { NS } from './namespaces.js';
import { readRss } from './rss.js';
import { toParsedFeed } from './to-parsed.js';
import { attr } from './tree.js';
import { parseXml, type XmlElement } from './xml.js';

export interface ParseFeedOptions {
  /** Document URL: the base for relative links when the feed has no xml:base. */
  url?: string;
  /** Content-Type header, for its charset and to recognize JSON Feed. */
  contentType?: string;
}

const RSS_VERSIONS: Record<string, string> = {
  '0.91': 'rss091u',
  '0.92': 'rss092',
  '0.93': 'rss093',
  '0.94': 'rss094',
};

function rssVersion(root: XmlElement, doctype: string | undefined): string {
  const version = attr(root, 'version')?.trim() ?? '';
  if (version === '0.91' && doctype && /netscape/i.test(doctype)) return 'rss091n';
  if (Object.hasOwn(RSS_VERSIONS, version)) return RSS_VERSIONS[version]!;
  if (version.startsWith('2.')) return 'rss20';
  return 'rss';
}

function rdfVersion(root: XmlElement): string {
  for (const c of root.children) {
    if (typeof c !== 'string' && (c.key === 'channel' || c.key === 'item')) return c.ns === NS.rss090 ? 'rss090' : 'rss10';
  }
  return 'rss10';
}

function atomVersion(root: XmlElement): string {
  if (root.ns === NS.atom10) return 'atom10';
  const v = attr(root, 'version')?.trim();
  if (v && /^0\.[1-3]$/.test(v)) return `atom0${v.slice(2)}`;
  return 'atom';
}

interface Read {
  version?: string;
  feed: FeedInfo;
  entries: FeedEntry[];
  error?: string;
}

function readXml(text: string, url: string | undefined): Read {
  const xml = parseXml(text, url ? { base: url } : {});
  const root = xml.root;
  const withError = (r: Read): Read => (xml.error ? { ...r, error: `malformed XML: ${xml.error}` } : r);
  if (!root) return { feed: { links: [] }, entries: [], error: `not a feed: ${xml.error ?? 'no XML root element'}` };
  switch (root.key) {
    case 'rss':
      return withError({ version: rssVersion(root, xml.doctype), ...readRss(root) });
    case 'rdf:rdf':
      return withError({ version: rdfVersion(root), ...readRss(root) });
    case 'channel':
      return withError({ version: 'cdf', ...readRss(root) });
    case 'atom:feed':
    case 'feed':
      return withError({ version: atomVersion(root), ...readAtom(root) });
    default: {
      const what = root.key === 'html' || root.key === 'xhtml:html' ? 'an HTML page' : `an XML document whose root is <${root.name}>`;
      return { feed: { links: [] }, entries: [], error: `not a feed: ${what}, not RSS, Atom or JSON Feed` };
    }
  }
}

function looksLikeJson(text: string, contentType: string | undefined): boolean {
  const first = /\S/.exec(text)?.[0];
  if (first === '{') return true;
  return first !== '<' && !!contentType && /json/i.test(contentType);
}

/** Parses a feed into the detailed model (links, tags, typed content, raw dates). */
export function parseFeedDocument(input: Buffer | string, opts: ParseFeedOptions = {}): FeedDocument {
  const decoded = typeof input === 'string' ? { text: input, encoding: 'utf-8', error: undefined } : decodeFeedBytes(input, opts.contentType);
  const text = demoronize(decoded.text);
  const read = looksLikeJson(text, opts.contentType) ? readJsonFeed(text, opts.url) : readXml(text, opts.url);
  const reason = read.error ?? decoded.error;
  const doc: FeedDocument = { encoding: decoded.encoding, bozo: reason !== undefined, feed: read.feed, entries: read.entries };
  if (read.version) doc.version = read.version;
  else doc.entries = [];
  if (reason) doc.bozoReason = reason;
  return doc;
}

/**
 * An item's text is cut at this length. No news article is longer, and a 10 MB description
 * would otherwise be copied out of the worker pool, then normalized, sanitized, indexed and
 * stored on the service's main thread, stalling it for garbage collection alone.
 */
export const MAX_ITEM_TEXT_CHARS = 200_000;
const TEXT_FIELDS = ['title', 'summary', 'contentHtml', 'contentText'] as const;

function cut(text: string): string {
  const end = MAX_ITEM_TEXT_CHARS - (/[\ud800-\udbff]/.test(text[MAX_ITEM_TEXT_CHARS - 1]!) ? 1 : 0);
  return text.slice(0, end);
}

function capItemText(feed: ParsedFeed): ParsedFeed {
  let long = false;
  for (const item of feed.items) {
    for (const field of TEXT_FIELDS) {
      const text = item[field];
      if (text !== undefined && text.length > MAX_ITEM_TEXT_CHARS) {
        item[field] = cut(text);
        long = true;
      }
    }
  }
  if (long && !feed.bozo) {
    feed.bozo = true;
    feed.bozoReason = `an item's text is longer than ${MAX_ITEM_TEXT_CHARS.toLocaleString('en')} characters; it was cut there`;
  }
  return feed;
}

/** Parses RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF or JSON Feed 1.0/1.1 into the shared ParsedFeed. */
export function parseFeed(input: Buffer | string, opts: ParseFeedOptions = {}): ParsedFeed {
  return capItemText(toParsedFeed(parseFeedDocument(input, opts)));
}
