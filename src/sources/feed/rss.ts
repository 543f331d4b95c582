// RSS 0.9x, 1.0 (RDF), 2.0 and Microsoft CDF: one reader, because the dialects share element
// names and real feeds mix them freely. Items may sit inside <channel> (RSS 2.0) or beside it
// (RSS 1.0 / 0.90), and CDF puts everything in attributes of <CHANNEL> and <ITEM>.
import { addAtomLink, addEntryLink, addTag, dateOf, dateText, entryExtension, feedExtension } from './common.js';
import { rssHtml, xhtmlBody } from './content.js';
import { type FieldRule, fieldTable, fillFromTable, nonEmptyText } from './fields.js';
import { type FeedEntry, type FeedImage, type FeedInfo, emptyEntry } from './model.js';
import { NS } from './namespaces.js';
import { attr, attrNs, textOf } from './tree.js';
import { isAbsoluteUrl, resolveUrl } from './urls.js';
import type { XmlElement } from './xml.js';

function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

function readImage(el: XmlElement): FeedImage {
  const image: FeedImage = {};
  for (const c of elements(el)) {
    const v = textOf(c);
    if (c.key === 'url') image.url = image.href = resolveUrl(c.base, v);
    else if (c.key === 'title') image.title = v;
    else if (c.key === 'link') image.link = resolveUrl(c.base, v);
    else if (c.key === 'width' && /^\d+$/.test(v)) image.width = Number(v);
    else if (c.key === 'height' && /^\d+$/.test(v)) image.height = Number(v);
  }
  return image;
}

function addLink(target: { link?: string; links: FeedInfo['links'] }, el: XmlElement, href: string): void {
  if (!href) return;
  const resolved = resolveUrl(el.base, href);
  target.link ??= resolved;
  target.links.push({ rel: 'alternate', type: 'text/html', href: resolved });
}

/** CDF keeps the link and the modification date in attributes of <CHANNEL> and <ITEM>. */
function readCdfAttributes(target: FeedInfo | FeedEntry, el: XmlElement): void {
  const href = attr(el, 'href');
  if (href) addLink(target, el, href);
  const lastmod = attr(el, 'lastmod');
  if (lastmod) target.updated = dateText(lastmod.trim());
}

/** Elements that only fill a field; the channel and an item share the first two. */
const SHARED_FIELDS: Record<string, FieldRule<FeedInfo | FeedEntry>> = {
  title: ['title', textOf],
  pubdate: ['published', dateOf],
};

const CHANNEL_FIELDS = fieldTable<FeedInfo>({
  ...SHARED_FIELDS,
  language: ['language', nonEmptyText],
  copyright: ['rights', textOf],
  managingeditor: ['author', nonEmptyText],
  generator: ['generator', textOf],
  lastbuilddate: ['updated', dateOf],
});

const ITEM_FIELDS = fieldTable<FeedEntry>({
  ...SHARED_FIELDS,
  'dc:title': ['title', textOf],
  author: ['author', nonEmptyText],
});

function readChannel(channel: XmlElement, feed: FeedInfo): void {
  let description: string | undefined;
  let itunesSubtitle: string | undefined;
  readCdfAttributes(feed, channel);
  for (const el of elements(channel)) {
    if (fillFromTable(CHANNEL_FIELDS, feed, el)) continue;
    switch (el.key) {
      case 'link':
        addLink(feed, el, textOf(el));
        break;
      case 'description':
      case 'abstract':
        description ??= rssHtml(el).value;
        break;
      case 'itunes:summary':
      case 'itunes:subtitle':
        itunesSubtitle ??= textOf(el);
        break;
      case 'image':
        feed.image = { ...feed.image, ...readImage(el) };
        break;
      case 'atom:link':
        addAtomLink(feed, el);
        break;
      default:
        feedExtension(feed, el);
    }
  }
  feed.subtitle ??= description ?? itunesSubtitle;
}

function readItem(item: XmlElement): FeedEntry {
  const entry = emptyEntry();
  if (item.lang !== undefined) entry.lang = item.lang;
  let mediaTitle: string | undefined;
  let permalink: string | undefined;
  readCdfAttributes(entry, item);
  for (const el of elements(item)) {
    if (fillFromTable(ITEM_FIELDS, entry, el)) continue;
    switch (el.key) {
      case 'link':
        addLink(entry, el, textOf(el));
        break;
      case 'media:title':
        mediaTitle ??= textOf(el);
        break;
      case 'guid': {
        const guid = textOf(el);
        entry.guid ??= guid;
        entry.id ??= guid;
        // A permalink guid doubles as the link only when it really is a URL.
        if (attr(el, 'ispermalink')?.trim().toLowerCase() !== 'false' && isAbsoluteUrl(guid)) permalink ??= guid;
        break;
      }
      case 'description':
      case 'dc:description':
      case 'summary':
      case 'abstract':
      case 'itunes:summary':
        // The second of description/summary is the fuller text (feedparser's rule).
        if (!entry.summary) entry.summary = rssHtml(el);
        else if (entry.content.length === 0) entry.content.push(rssHtml(el));
        break;
      case 'content:encoded':
      case 'fullitem':
        entry.content.push(rssHtml(el));
        break;
      case 'xhtml:body':
        entry.content.push(xhtmlBody(el));
        break;
      case 'category':
        addTag(entry, textOf(el), attr(el, 'domain'));
        break;
      case 'tags':
        for (const t of textOf(el).split(',')) addTag(entry, t);
        break;
      case 'enclosure':
        addEnclosure(entry, el);
        break;
      case 'atom:link':
        addEntryLink(entry, el);
        break;
      default:
        entryExtension(entry, el);
    }
  }
  entry.title ??= mediaTitle;
  if (permalink && !entry.link) {
    entry.link = permalink;
    entry.links.push({ rel: 'alternate', type: 'text/html', href: permalink });
  }
  entry.id ??= attrNs(item, NS.rdf, 'about');
  return entry;
}

function addEnclosure(entry: FeedEntry, el: XmlElement): void {
  const url = attr(el, 'url');
  if (!url) return;
  const href = resolveUrl(el.base, url);
  const enc: FeedEntry['enclosures'][number] = { href };
  const length = attr(el, 'length');
  const type = attr(el, 'type');
  if (length) enc.length = length;
  if (type) enc.type = type;
  entry.enclosures.push(enc);
  entry.links.push({ rel: 'enclosure', ...enc });
}

/** Reads an RSS/RDF/CDF document rooted at `root`. */
export function readRss(root: XmlElement): { feed: FeedInfo; entries: FeedEntry[] } {
  const feed: FeedInfo = { links: [] };
  const entries: FeedEntry[] = [];
  const isCdf = root.key === 'channel';
  const channel = isCdf ? root : elements(root).find((c) => c.key === 'channel');
  if (channel) readChannel(channel, feed);
  if (root.lang) feed.language ??= root.lang;
  const containers = channel && channel !== root ? [channel, root] : [root];
  for (const container of containers) {
    for (const el of elements(container)) {
      if (el.key === 'item') entries.push(readItem(el));
      else if (el.key === 'image' && container === root && !isCdf) feed.image = { ...feed.image, ...readImage(el) };
    }
  }
  return { feed, entries };
}
