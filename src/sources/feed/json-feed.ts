// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1). Every field is optional in practice
// and typed loosely by publishers (numeric ids, author vs authors), so values are read
// defensively and anything of the wrong type is ignored rather than trusted.
import { dateText } from './common.js';
import { type FeedEntry, type FeedInfo, emptyEntry } from './model.js';
import { resolveUrl } from './urls.js';

type Json = Record<string, unknown>;

export interface JsonFeedResult {
  version?: string;
  feed: FeedInfo;
  entries: FeedEntry[];
  /** Why the document is not a JSON Feed, when it is not. */
  error?: string;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** 1.1's `authors` array, or 1.0's single `author`, as one display string. */
function authorOf(obj: Json): string | undefined {
  const list = Array.isArray(obj.authors) ? obj.authors : isObject(obj.author) ? [obj.author] : [];
  const names = list
    .filter(isObject)
    .map((a) => str(a.name) ?? str(a.url))
    .filter((n): n is string => !!n);
  return names.length ? names.join(', ') : undefined;
}

function readItem(item: Json, base: string | undefined, lang: string | undefined): FeedEntry {
  const entry = emptyEntry();
  const url = str(item.url);
  entry.id = str(item.id) ?? url;
  if (entry.id) entry.guid = entry.id;
  entry.title = str(item.title);
  if (url) {
    entry.link = resolveUrl(base, url);
    entry.links.push({ rel: 'alternate', type: 'text/html', href: entry.link });
  }
  const external = str(item.external_url);
  if (external) entry.links.push({ rel: 'related', type: 'text/html', href: resolveUrl(base, external) });
  const language = str(item.language) ?? lang;
  if (language) entry.lang = language;
  const summary = str(item.summary);
  if (summary) entry.summary = { value: summary, type: 'text/plain' };
  const html = str(item.content_html);
  if (html) entry.content.push({ value: html, type: 'text/html', ...(language ? { language } : {}) });
  const text = str(item.content_text);
  if (text) entry.content.push({ value: text, type: 'text/plain', ...(language ? { language } : {}) });
  const published = str(item.date_published);
  if (published) entry.published = dateText(published);
  const modified = str(item.date_modified);
  if (modified) entry.updated = dateText(modified);
  entry.author = authorOf(item);
  if (Array.isArray(item.tags)) for (const t of item.tags) if (str(t)) entry.tags.push({ term: str(t)! });
  const image = str(item.image) ?? str(item.banner_image);
  if (image) entry.thumbnail = resolveUrl(base, image);
  if (Array.isArray(item.attachments)) {
    for (const a of item.attachments) {
      const href = isObject(a) ? str(a.url) : undefined;
      if (!isObject(a) || !href) continue;
      const enc: FeedEntry['enclosures'][number] = { href: resolveUrl(base, href) };
      const type = str(a.mime_type);
      const size = str(a.size_in_bytes);
      if (type) enc.type = type;
      if (size) enc.length = size;
      entry.enclosures.push(enc);
    }
  }
  return entry;
}

export function readJsonFeed(text: string, documentUrl: string | undefined): JsonFeedResult {
  const feed: FeedInfo = { links: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { feed, entries: [], error: `not valid JSON: ${(err as Error).message}` };
  }
  if (!isObject(doc)) return { feed, entries: [], error: 'JSON document is not an object, so not a JSON Feed' };
  const version = str(doc.version);
  const v = version && /^https?:\/\/jsonfeed\.org\/version\/(\d+(?:\.\d+)?)\/?$/.exec(version)?.[1];
  if (!v && !Array.isArray(doc.items)) return { feed, entries: [], error: 'JSON document has neither a jsonfeed.org version nor items, so not a JSON Feed' };
  const base = str(doc.feed_url) ?? documentUrl;
  feed.title = str(doc.title);
  const home = str(doc.home_page_url);
  if (home) {
    feed.link = resolveUrl(base, home);
    feed.links.push({ rel: 'alternate', type: 'text/html', href: feed.link });
  }
  const self = str(doc.feed_url);
  if (self) feed.links.push({ rel: 'self', type: 'application/feed+json', href: resolveUrl(documentUrl, self) });
  feed.subtitle = str(doc.description);
  feed.language = str(doc.language);
  feed.author = authorOf(doc);
  const icon = str(doc.icon) ?? str(doc.favicon);
  if (icon) feed.image = { href: resolveUrl(base, icon) };
  const items = Array.isArray(doc.items) ? doc.items.filter(isObject) : [];
  const entries = items.map((item) => readItem(item, base, feed.language));
  const versionName = v === '1' ? 'json10' : v === '1.1' ? 'json11' : `json${(v ?? '').replace('.', '')}`;
  return { version: versionName, feed, entries };
}
