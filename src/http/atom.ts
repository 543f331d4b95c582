// The Atom 1.0 feed of a newsletter's digests (RFC 4287). Readers resolve nothing relative here:
// every link is absolute, built from the configured public URL. Entry ids are the digest pages'
// URLs, which never change because a ready digest never changes.

export interface AtomEntry {
  url: string;
  title: string;
  /** When the digest was completed (its slot when unknown). */
  updated: Date;
  published: Date;
  /** The complete HTML of the digest, carried as escaped text (content type="html"). */
  html: string;
}

export interface AtomFeed {
  /** The archive page of the newsletter; also the feed id. */
  archiveUrl: string;
  selfUrl: string;
  title: string;
  language: string;
  author: string;
  entries: AtomEntry[];
  /** The feed's updated time when it has no entry yet. */
  now: Date;
}

// XML 1.0 forbids most C0 controls, lone surrogates and U+FFFE/U+FFFF even as references;
// one of them in a stored title would make the whole feed unparseable.
const NOT_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text for XML content or a quoted attribute. */
export function escapeXml(s: string): string {
  return s.replace(NOT_XML, '\ufffd').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

const el = (name: string, text: string) => `<${name}>${escapeXml(text)}</${name}>`;
const link = (rel: string, type: string, href: string) => `<link rel="${rel}" type="${type}" href="${escapeXml(href)}"/>`;

function entryXml(e: AtomEntry): string {
  return (
    '<entry>' +
    el('id', e.url) +
    `<title type="text">${escapeXml(e.title)}</title>` +
    el('updated', e.updated.toISOString()) +
    el('published', e.published.toISOString()) +
    link('alternate', 'text/html', e.url) +
    `<content type="html">${escapeXml(e.html)}</content>` +
    '</entry>'
  );
}

export function renderAtomFeed(feed: AtomFeed): string {
  const updated = feed.entries.length ? new Date(Math.max(...feed.entries.map((e) => e.updated.getTime()))) : feed.now;
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeXml(feed.language)}">` +
    el('id', feed.archiveUrl) +
    `<title type="text">${escapeXml(feed.title)}</title>` +
    el('updated', updated.toISOString()) +
    // Atom requires an author on the feed when entries have none of their own.
    `<author>${el('name', feed.author)}</author>` +
    link('self', 'application/atom+xml', feed.selfUrl) +
    link('alternate', 'text/html', feed.archiveUrl) +
    el('generator', 'Tidings') +
    feed.entries.map(entryXml).join('') +
    '</feed>\n'
  );
}
