// The detailed FeedDocument flattened into the shared ParsedFeed contract that ingest consumes.
import type { Enclosure, ParsedFeed, ParsedItem } from '../types.js';
import type { FeedContent, FeedDocument, FeedEntry } from './model.js';

/** Contract names: the Userland/Netscape split of RSS 0.91 does not matter downstream. */
function formatName(version: string | undefined): string | undefined {
  return version === 'rss091u' || version === 'rss091n' ? 'rss091' : version;
}

function isImage(type: string | undefined, medium?: string): boolean {
  return medium === 'image' || (type?.startsWith('image/') ?? false);
}

function enclosuresOf(entry: FeedEntry): Enclosure[] {
  const out: Enclosure[] = [];
  const seen = new Set<string>();
  const add = (url: string, type?: string, length?: string) => {
    if (!url || seen.has(url)) return;
    seen.add(url);
    const e: Enclosure = { url };
    if (type) e.type = type;
    const n = length ? Number(length) : Number.NaN;
    if (Number.isFinite(n) && n >= 0) e.length = n;
    out.push(e);
  };
  for (const e of entry.enclosures) add(e.href, e.type, e.length);
  for (const m of entry.media) add(m.url, m.type);
  return out;
}

function imageOf(entry: FeedEntry): string | undefined {
  return entry.thumbnail ?? entry.media.find((m) => isImage(m.type, m.medium))?.url ?? entry.enclosures.find((e) => isImage(e.type))?.href;
}

const isHtml = (c: FeedContent) => c.type !== 'text/plain';

function toItem(entry: FeedEntry, feedLanguage: string | undefined): ParsedItem {
  const item: ParsedItem = { categories: entry.tags.map((t) => t.term), enclosures: enclosuresOf(entry) };
  if (entry.id) item.id = entry.id;
  if (entry.title) item.title = entry.title;
  if (entry.link) item.link = entry.link;
  // The first date an entry carries is when it appeared; RSS 1.0 feeds only have dc:date.
  const published = entry.published?.date ?? entry.created?.date ?? entry.updated?.date;
  if (published) item.published = published;
  if (entry.updated?.date) item.updated = entry.updated.date;
  if (entry.author) item.author = entry.author;
  if (entry.summary?.value) item.summary = entry.summary.value;
  const html = entry.content.find((c) => isHtml(c) && c.value);
  const text = entry.content.find((c) => !isHtml(c) && c.value);
  if (html) item.contentHtml = html.value;
  if (text) item.contentText = text.value;
  const image = imageOf(entry);
  if (image) item.image = image;
  const lang = (html ?? text)?.language || entry.lang || feedLanguage;
  if (lang) item.lang = lang;
  return item;
}

export function toParsedFeed(doc: FeedDocument): ParsedFeed {
  const f = doc.feed;
  const feed: ParsedFeed['feed'] = {};
  if (f.title) feed.title = f.title;
  if (f.link) feed.link = f.link;
  if (f.id) feed.id = f.id;
  if (f.language) feed.language = f.language;
  if (f.subtitle) feed.subtitle = f.subtitle;
  if (f.rights) feed.rights = f.rights;
  if (f.published?.date) feed.published = f.published.date;
  if (f.updated?.date) feed.updated = f.updated.date;
  if (f.author) feed.author = f.author;
  const image = f.image?.href ?? f.image?.url;
  if (image) feed.image = image;
  const parsed: ParsedFeed = {
    kind: 'feed',
    encoding: doc.encoding,
    bozo: doc.bozo,
    feed,
    items: doc.entries.map((e) => toItem(e, f.language)),
  };
  const format = formatName(doc.version);
  if (format) parsed.format = format;
  if (doc.bozoReason) parsed.bozoReason = doc.bozoReason;
  return parsed;
}
