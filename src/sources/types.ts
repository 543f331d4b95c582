// The contracts between fetching, reading and ingesting. Readers turn a source into ParsedItems;
// ingest normalizes and stores them. Everything here is plain data so it can be printed as JSON
// by `tidings sources test --json`.
import type { Logger } from 'pino';

export type SourceKind = 'feed' | 'page' | 'textdump';

export interface Enclosure {
  url: string;
  type?: string;
  length?: number;
}

/** One entry as a reader saw it: nothing normalized yet, HTML not yet sanitized. */
export interface ParsedItem {
  id?: string;
  title?: string;
  link?: string;
  published?: Date;
  updated?: Date;
  author?: string;
  summary?: string;
  contentHtml?: string;
  contentText?: string;
  categories: string[];
  enclosures: Enclosure[];
  image?: string;
  lang?: string;
  /** Text dumps and paged articles: titles of the neighbouring articles (navigation, not body). */
  navigation?: { previous?: string; next?: string };
}

export interface ParsedFeedMeta {
  title?: string;
  link?: string;
  id?: string;
  language?: string;
  subtitle?: string;
  rights?: string;
  published?: Date;
  updated?: Date;
  author?: string;
  image?: string;
}

export interface ParsedFeed {
  kind: SourceKind;
  /** rss090 | rss091 | rss092 | rss093 | rss094 | rss20 | rss10 | atom03 | atom10 | json10 | json11 | page | textdump */
  format?: string;
  /** Charset the document was decoded from (lower-case WHATWG/IANA name, e.g. "utf-8", "gb18030"). */
  encoding: string;
  /** True when the input was malformed but recovered (feedparser's term). */
  bozo: boolean;
  bozoReason?: string;
  feed: ParsedFeedMeta;
  items: ParsedItem[];
}

// ---- fetching -------------------------------------------------------------------------------

export interface FetchRequest {
  etag?: string | null;
  lastModified?: string | null;
  /** Accept header; the fetcher has a sensible default. */
  accept?: string;
  signal?: AbortSignal;
}

export type FetchResult =
  | {
      status: 'ok';
      /** Final URL after redirects. */
      url: string;
      httpStatus: number;
      contentType?: string;
      /** Decompressed body, never larger than the configured cap. */
      body: Buffer;
      etag?: string;
      lastModified?: string;
    }
  | { status: 'not-modified'; url: string; etag?: string; lastModified?: string };

export type FetchErrorCode = 'bad-url' | 'bad-scheme' | 'blocked-address' | 'too-many-redirects' | 'timeout' | 'too-large' | 'http-status' | 'network';

/** The remote side (or our guard against it) failed a fetch. `message` is safe to show users. */
export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    readonly code: FetchErrorCode,
    message: string,
    readonly url: string,
    readonly httpStatus?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface Fetcher {
  fetch(url: string, req?: FetchRequest): Promise<FetchResult>;
  close(): Promise<void>;
}

export interface FetcherOptions {
  userAgent: string;
  /** Whole-request deadline (connect + headers + body). */
  timeoutMs: number;
  /** Longest silence between two chunks of a response. */
  idleTimeoutMs: number;
  /** Body cap, applied after decompression. */
  maxBytes: number;
  maxRedirects: number;
  perHostConcurrency: number;
  /** Hostnames, IPs or CIDR ranges that may be reached even though they are private/loopback. */
  allow: string[];
  /** Test hook: resolve hostnames differently (e.g. map example.test to 127.0.0.1). */
  lookup?: (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;
}

// ---- readers --------------------------------------------------------------------------------

export interface SourceOptions {
  /** page: CSS selector for article links on the listing page. */
  linkSelector?: string;
  /** page: how many next/previous-article hops to follow from each article. */
  followDepth?: number;
  /** page: at most this many articles per listing. */
  maxItems?: number;
  /** Ranking weight for digests (later issues); 1 by default. */
  weight?: number;
  /** Category given to every article of this source when it has none. */
  category?: string;
  /** Force a language instead of detecting it. */
  lang?: string;
  /** textdump: IANA time zone of the crawler's timestamps (default Asia/Shanghai). */
  timeZone?: string;
}

/** The part of a stored source a reader needs. */
export interface SourceRef {
  id: number;
  kind: SourceKind;
  /** http(s) URL for feeds and pages; a folder path for text dumps. */
  url: string;
  name: string;
  etag: string | null;
  lastModified: string | null;
  options: SourceOptions;
}

export interface ReadContext {
  fetcher: Fetcher;
  log: Logger;
  now: () => Date;
}

export type ReadResult =
  | { status: 'not-modified'; etag?: string; lastModified?: string }
  | {
      status: 'ok';
      feed: ParsedFeed;
      /** Document URL the items' relative links were resolved against. */
      url: string;
      etag?: string;
      lastModified?: string;
    };

export interface Reader {
  readonly kind: SourceKind;
  read(source: SourceRef, ctx: ReadContext): Promise<ReadResult>;
}
