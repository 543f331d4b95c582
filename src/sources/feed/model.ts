// The detailed result of parsing a feed, modelled on what the Universal Feed Parser reports
// (links with rel/type, tags with scheme, typed content with language and base, raw date text).
// `parseFeed` flattens it into the shared ParsedFeed contract; the conformance test reads it
// directly because feedparser's expectations need the detail.

export interface FeedLink {
  rel: string;
  href: string;
  type?: string;
  title?: string;
  hreflang?: string;
  length?: string;
}

export interface FeedTag {
  term: string;
  scheme?: string;
  label?: string;
}

export interface FeedContent {
  value: string;
  /** MIME type: text/plain, text/html or application/xhtml+xml (or whatever the feed said). */
  type: string;
  language?: string;
  base?: string;
  src?: string;
}

/** A date as written, and as understood (undefined when it could not be parsed). */
export interface FeedDate {
  raw: string;
  date?: Date;
}

export interface FeedImage {
  href?: string;
  url?: string;
  title?: string;
  link?: string;
  width?: number;
  height?: number;
}

export interface FeedEnclosure {
  href: string;
  type?: string;
  length?: string;
}

export interface FeedMedia {
  url: string;
  type?: string;
  medium?: string;
}

export interface FeedEntry {
  id?: string;
  guid?: string;
  title?: string;
  link?: string;
  links: FeedLink[];
  summary?: FeedContent;
  content: FeedContent[];
  author?: string;
  published?: FeedDate;
  updated?: FeedDate;
  created?: FeedDate;
  tags: FeedTag[];
  enclosures: FeedEnclosure[];
  media: FeedMedia[];
  thumbnail?: string;
  /** Effective xml:lang of the entry ('' when explicitly blank). */
  lang?: string;
}

export interface FeedInfo {
  title?: string;
  link?: string;
  links: FeedLink[];
  id?: string;
  subtitle?: string;
  rights?: string;
  author?: string;
  generator?: string;
  language?: string;
  published?: FeedDate;
  updated?: FeedDate;
  image?: FeedImage;
}

export interface FeedDocument {
  /** feedparser's version names: rss090, rss091u, rss091n, rss092…, rss20, rss10, rss, atom03, atom10, cdf, json10, json11. */
  version?: string;
  encoding: string;
  bozo: boolean;
  bozoReason?: string;
  feed: FeedInfo;
  entries: FeedEntry[];
}

export function emptyEntry(): FeedEntry {
  return { links: [], content: [], tags: [], enclosures: [], media: [] };
}
