// Atom 1.0 and its predecessor 0.3 (tagline, copyright, modified, issued, mode="base64").
// Elements are recognized by namespace; an Atom document without a namespace is read the same.
import { addAtomLink, addEntryLink, addTag, dateOf, entryExtension, feedExtension, person } from './common.js';
import { atomText } from './content.js';
import { type FeedEntry, type FeedInfo, emptyEntry } from './model.js';
import { attr, textOf } from './tree.js';
import { isAbsoluteUrl, resolveUrl } from './urls.js';
import type { XmlElement } from './xml.js';

/** "atom:title" and a namespace-less "title" both mean the Atom element. */
function atomKey(el: XmlElement): string {
  const k = el.key;
  return k.startsWith('atom:') ? k.slice(5) : k;
}

/** Atom ids are IRIs compared as strings; only a relative one is resolved (against xml:base). */
function readId(el: XmlElement): string {
  const id = textOf(el);
  return id && !isAbsoluteUrl(id) && el.base ? resolveUrl(el.base, id) : id;
}

/** Reads an element that means the same on the feed and on an entry; false for any other. */
function readShared(target: FeedInfo | FeedEntry, el: XmlElement): boolean {
  switch (atomKey(el)) {
    case 'id':
      target.id ??= readId(el);
      return true;
    case 'title':
      target.title ??= atomText(el).value;
      return true;
    case 'published':
    case 'issued':
      target.published ??= dateOf(el);
      return true;
    case 'updated':
    case 'modified':
      target.updated ??= dateOf(el);
      return true;
    case 'author':
      target.author ??= person(el);
      return true;
    default:
      return false;
  }
}

function readEntry(entryEl: XmlElement): FeedEntry {
  const entry = emptyEntry();
  if (entryEl.lang !== undefined) entry.lang = entryEl.lang;
  for (const el of entryEl.children) {
    if (typeof el === 'string' || readShared(entry, el)) continue;
    switch (atomKey(el)) {
      case 'link':
        addEntryLink(entry, el);
        break;
      case 'summary':
        if (!entry.summary) entry.summary = atomText(el);
        break;
      case 'content':
        entry.content.push(atomText(el));
        break;
      case 'created':
        // The last one wins (feedparser's rule, which its suite checks).
        entry.created = dateOf(el);
        break;
      case 'category':
        addTag(entry, attr(el, 'term') ?? textOf(el), attr(el, 'scheme'), attr(el, 'label'));
        break;
      default:
        entryExtension(entry, el);
    }
  }
  if (entry.id !== undefined) entry.guid = entry.id;
  return entry;
}

/** Reads an Atom document rooted at <feed>. */
export function readAtom(root: XmlElement): { feed: FeedInfo; entries: FeedEntry[] } {
  const feed: FeedInfo = { links: [] };
  const entries: FeedEntry[] = [];
  if (root.lang) feed.language = root.lang.replace(/_/g, '-');
  for (const el of root.children) {
    if (typeof el === 'string' || readShared(feed, el)) continue;
    switch (atomKey(el)) {
      case 'entry':
        entries.push(readEntry(el));
        break;
      case 'subtitle':
      case 'tagline':
        feed.subtitle ??= atomText(el).value;
        break;
      case 'rights':
      case 'copyright':
        feed.rights ??= atomText(el).value;
        break;
      case 'link':
        addAtomLink(feed, el);
        break;
      case 'generator':
        feed.generator ??= textOf(el);
        break;
      case 'logo':
        feed.image = { ...feed.image, href: resolveUrl(el.base, textOf(el)) };
        break;
      case 'icon':
        if (!feed.image?.href) feed.image = { ...feed.image, href: resolveUrl(el.base, textOf(el)) };
        break;
      default:
        feedExtension(feed, el);
    }
  }
  return { feed, entries };
}
