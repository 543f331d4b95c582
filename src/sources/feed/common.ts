// Elements that appear in both RSS and Atom documents: Atom-style links, people, Dublin Core,
// Media RSS and iTunes extensions. Both format readers hand unknown children to these.
import { parseDate } from './dates.js';
import { type FieldRule, fieldTable, fillFromTable, nonEmptyText } from './fields.js';
import type { FeedDate, FeedEntry, FeedInfo, FeedLink } from './model.js';
import { attr, textOf } from './tree.js';
import { resolveUrl } from './urls.js';
import type { XmlElement } from './xml.js';

export function dateText(raw: string): FeedDate {
  const date = parseDate(raw);
  return date ? { raw, date } : { raw };
}

export function dateOf(el: XmlElement): FeedDate {
  return dateText(textOf(el));
}

/** An Atom <link>: rel defaults to alternate, type to text/html (self links to Atom). */
function atomLink(el: XmlElement): FeedLink {
  const rel = attr(el, 'rel')?.trim() || 'alternate';
  const link: FeedLink = {
    rel,
    type: attr(el, 'type') ?? (rel === 'self' ? 'application/atom+xml' : 'text/html'),
    href: resolveUrl(el.base, attr(el, 'href') ?? ''),
  };
  const title = attr(el, 'title');
  if (title !== undefined) link.title = title;
  const hreflang = attr(el, 'hreflang');
  if (hreflang !== undefined) link.hreflang = hreflang;
  const length = attr(el, 'length');
  if (length !== undefined) link.length = length;
  return link;
}

function isHtmlLink(link: FeedLink): boolean {
  return link.rel === 'alternate' && (link.type === 'text/html' || link.type === 'application/xhtml+xml');
}

/** Adds an Atom link to a feed or an entry: the first HTML alternate is its link. */
export function addAtomLink(target: { link?: string; links: FeedLink[] }, el: XmlElement): FeedLink {
  const link = atomLink(el);
  target.links.push(link);
  if (isHtmlLink(link)) target.link ??= link.href;
  return link;
}

/** Adds an Atom link to an entry, keeping enclosures apart too. */
export function addEntryLink(entry: FeedEntry, el: XmlElement): void {
  const link = addAtomLink(entry, el);
  if (link.rel === 'enclosure' && link.href) {
    const enc: FeedEntry['enclosures'][number] = { href: link.href };
    if (link.type) enc.type = link.type;
    if (link.length) enc.length = link.length;
    entry.enclosures.push(enc);
  }
}

/** An Atom person: "name (email)", or whichever part exists. */
export function person(el: XmlElement): string | undefined {
  let name: string | undefined;
  let email: string | undefined;
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    const local = c.key.slice(c.key.indexOf(':') + 1);
    if (local === 'name') name = textOf(c);
    else if (local === 'email') email = textOf(c);
  }
  if (name === undefined && email === undefined) return textOf(el) || undefined;
  if (name && email) return `${name} (${email})`;
  return name || email;
}

export function addTag(entry: FeedEntry, term: string | undefined, scheme?: string, label?: string): void {
  const t = term?.trim();
  if (!t) return;
  const tag: FeedEntry['tags'][number] = { term: t };
  if (scheme) tag.scheme = scheme;
  if (label) tag.label = label;
  entry.tags.push(tag);
}

function itunesCategories(entry: FeedEntry, el: XmlElement): void {
  addTag(entry, attr(el, 'text'));
  for (const c of el.children) if (typeof c !== 'string' && c.key === 'itunes:category') itunesCategories(entry, c);
}

function mediaContent(entry: FeedEntry, el: XmlElement): void {
  const url = attr(el, 'url');
  if (!url) return;
  const m: FeedEntry['media'][number] = { url: resolveUrl(el.base, url) };
  const type = attr(el, 'type');
  if (type) m.type = type;
  const medium = attr(el, 'medium');
  if (medium) m.medium = medium;
  entry.media.push(m);
  for (const c of el.children) if (typeof c !== 'string' && c.key === 'media:thumbnail') mediaThumbnail(entry, c);
}

function mediaThumbnail(entry: FeedEntry, el: XmlElement): void {
  const url = attr(el, 'url');
  if (url) entry.thumbnail ??= resolveUrl(el.base, url);
}

/** Dublin Core and iTunes elements that mean the same on a feed and on an entry. */
const SHARED_FIELDS: Record<string, FieldRule<FeedInfo | FeedEntry>> = {
  'dc:creator': ['author', nonEmptyText],
  'dc:author': ['author', nonEmptyText],
  'itunes:author': ['author', nonEmptyText],
  'dc:date': ['updated', dateOf],
  'dcterms:modified': ['updated', dateOf],
  'dcterms:issued': ['published', dateOf],
};

const ENTRY_FIELDS = fieldTable<FeedEntry>({ ...SHARED_FIELDS, 'dcterms:created': ['created', dateOf] });

const FEED_FIELDS = fieldTable<FeedInfo>({
  ...SHARED_FIELDS,
  'dc:title': ['title', textOf],
  'dc:language': ['language', nonEmptyText],
  'dc:rights': ['rights', textOf],
});

/** Handles an extension element of an entry; false when the key is not one of ours. */
export function entryExtension(entry: FeedEntry, el: XmlElement): boolean {
  if (fillFromTable(ENTRY_FIELDS, entry, el)) return true;
  switch (el.key) {
    case 'dc:subject':
      addTag(entry, textOf(el));
      return true;
    case 'itunes:category':
      itunesCategories(entry, el);
      return true;
    case 'itunes:keywords':
      for (const k of textOf(el).split(',')) addTag(entry, k);
      return true;
    case 'media:category':
      addTag(entry, textOf(el), attr(el, 'scheme'), attr(el, 'label'));
      return true;
    case 'media:content':
      mediaContent(entry, el);
      return true;
    case 'media:group':
      for (const c of el.children) if (typeof c !== 'string') entryExtension(entry, c);
      return true;
    case 'media:thumbnail':
      mediaThumbnail(entry, el);
      return true;
    case 'itunes:image': {
      const href = attr(el, 'href');
      if (href) entry.thumbnail ??= resolveUrl(el.base, href);
      return true;
    }
    default:
      return false;
  }
}

/** Handles an extension element of the feed itself; false when the key is not one of ours. */
export function feedExtension(feed: FeedInfo, el: XmlElement): boolean {
  if (fillFromTable(FEED_FIELDS, feed, el)) return true;
  switch (el.key) {
    case 'itunes:image':
    case 'itunes:link': {
      const href = attr(el, 'href');
      if (href && (el.key === 'itunes:image' || attr(el, 'rel') === 'image')) {
        feed.image = { ...feed.image, href: resolveUrl(el.base, href) };
      }
      return true;
    }
    default:
      return false;
  }
}
