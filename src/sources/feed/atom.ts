// Atom 1.0 and its predecessor 0.3 (tagline, copyright, modified, issued, mode="base64").
// Elements are recognized by namespace; an Atom document without a namespace is read the same.
import { addEntryLink, addTag, atomLink, dateOf, entryExtension, feedExtension, isHtmlLink, person } from './common.js';
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

function readEntry(entryEl: XmlElement): FeedEntry {
  const entry = emptyEntry();
  if (entryEl.lang !== undefined) entry.lang = entryEl.lang;
  for (const el of entryEl.children) {
    if (typeof el === 'string') continue;
    switch (atomKey(el)) {
      case 'id':
        entry.id ??= readId(el);
        break;
      case 'title':
        entry.title ??= atomText(el).value;
        break;
      case 'link':
        addEntryLink(entry, el);
        break;
      case 'summary':
        if (!entry.summary) entry.summary = atomText(el);
        break;
      case 'content':
        entry.content.push(atomText(el));
        break;
      case 'published':
      case 'issued':
        entry.published ??= dateOf(el);
        break;
      case 'updated':
      case 'modified':
        entry.updated ??= dateOf(el);
        break;
      case 'created':
        // The last one wins (feedparser's rule, which its suite checks).
        entry.created = dateOf(el);
        break;
      case 'author':
        entry.author ??= person(el);
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
    if (typeof el === 'string') continue;
    switch (atomKey(el)) {
      case 'entry':
        entries.push(readEntry(el));
        break;
      case 'title':
        feed.title ??= atomText(el).value;
        break;
      case 'subtitle':
      case 'tagline':
        feed.subtitle ??= atomText(el).value;
        break;
      case 'rights':
      case 'copyright':
        feed.rights ??= atomText(el).value;
        break;
      case 'id':
        feed.id ??= readId(el);
        break;
      case 'link': {
        const link = atomLink(el);
        feed.links.push(link);
        if (isHtmlLink(link)) feed.link ??= link.href;
        break;
      }
      case 'updated':
      case 'modified':
        feed.updated ??= dateOf(el);
        break;
      case 'published':
      case 'issued':
        feed.published ??= dateOf(el);
        break;
      case 'author':
        feed.author ??= person(el);
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
