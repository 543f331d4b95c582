// Atom 1.0 and its predecessor 0.3 (tagline, copyright, modified, issued, mode="base64").
// Elements are recognized by namespace; an Atom document without a namespace is read the same.
import { addAtomLink, addEntryLink, addTag, dateOf, entryExtension, feedExtension, person } from './common.js';
import { atomText } from './content.js';
import { type FieldRule, fieldTable, fillFromTable } from './fields.js';
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

function atomTextValue(el: XmlElement): string {
  return atomText(el).value;
}

/** Elements that only fill a field; 0.3 names (issued, modified, tagline, copyright) included. */
const SHARED_FIELDS: Record<string, FieldRule<FeedInfo | FeedEntry>> = {
  id: ['id', readId],
  title: ['title', atomTextValue],
  published: ['published', dateOf],
  issued: ['published', dateOf],
  updated: ['updated', dateOf],
  modified: ['updated', dateOf],
  author: ['author', person],
};

const ENTRY_FIELDS = fieldTable<FeedEntry>(SHARED_FIELDS);

const FEED_FIELDS = fieldTable<FeedInfo>({
  ...SHARED_FIELDS,
  subtitle: ['subtitle', atomTextValue],
  tagline: ['subtitle', atomTextValue],
  rights: ['rights', atomTextValue],
  copyright: ['rights', atomTextValue],
  generator: ['generator', textOf],
});

function readEntry(entryEl: XmlElement): FeedEntry {
  const entry = emptyEntry();
  if (entryEl.lang !== undefined) entry.lang = entryEl.lang;
  for (const el of entryEl.children) {
    if (typeof el === 'string') continue;
    const key = atomKey(el);
    if (fillFromTable(ENTRY_FIELDS, entry, el, key)) continue;
    switch (key) {
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
    if (typeof el === 'string') continue;
    const key = atomKey(el);
    if (fillFromTable(FEED_FIELDS, feed, el, key)) continue;
    switch (key) {
      case 'entry':
        entries.push(readEntry(el));
        break;
      case 'link':
        addAtomLink(feed, el);
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
