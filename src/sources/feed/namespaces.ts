// Feeds are read by namespace URI, never by the prefix an author happened to choose: `r:title`
// in the RSS 2 namespace is a title, `szf:description` in someone's private namespace is not.
// Each known URI maps to one canonical prefix; the format's own namespace maps to ''.

export const NS = {
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  atom10: 'http://www.w3.org/2005/Atom',
  atom03: 'http://purl.org/atom/ns#',
  rss10: 'http://purl.org/rss/1.0/',
  rss090: 'http://my.netscape.com/rdf/simple/0.9/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  xhtml: 'http://www.w3.org/1999/xhtml',
} as const;

/** The namespace URIs each canonical prefix stands for, historical and misspelled ones included. */
const URIS_BY_PREFIX: Record<string, readonly string[]> = {
  '': [
    '',
    'http://backend.userland.com/rss',
    'http://backend.userland.com/rss2',
    'http://blogs.law.harvard.edu/tech/rss',
    NS.rss10,
    NS.rss090,
    'http://channel.netscape.com/rdf/simple/0.9/',
    'http://purl.org/net/rss1.1#',
  ],
  atom: [
    NS.atom10,
    NS.atom03,
    'http://purl.org/echo/',
    'http://purl.org/pie/',
    'http://example.com/newformat#',
    'http://necho.org/ns/',
    'uri/of/echo/namespace#',
  ],
  dc: ['http://purl.org/dc/elements/1.1/', 'http://purl.org/dc/elements/1.0/'],
  dcterms: ['http://purl.org/dc/terms/'],
  content: ['http://purl.org/rss/1.0/modules/content/'],
  media: ['http://search.yahoo.com/mrss/', 'http://search.yahoo.com/mrss'],
  itunes: ['http://www.itunes.com/dtds/podcast-1.0.dtd', 'http://example.com/dtds/podcast-1.0.dtd'],
  xhtml: [NS.xhtml],
  rdf: [NS.rdf],
  sy: ['http://purl.org/rss/1.0/modules/syndication/'],
  admin: ['http://webns.net/mvcb/'],
  xml: [NS.xml],
};

const CANONICAL = new Map<string, string>(Object.entries(URIS_BY_PREFIX).flatMap(([prefix, uris]) => uris.map((uri): [string, string] => [uri, prefix])));

/** Canonical prefix for a namespace URI; an unknown URI is its own prefix, so it never clashes. */
export function canonicalPrefix(uri: string): string {
  const p = CANONICAL.get(uri);
  if (p !== undefined) return p;
  // Podcast feeds write the iTunes URI in any case.
  return CANONICAL.get(uri.toLowerCase()) ?? `{${uri}}`;
}

export function isAtomNamespace(uri: string): boolean {
  return canonicalPrefix(uri) === 'atom';
}

/** Namespaces of the prefixes feeds commonly use without declaring them (dc:creator, media:content). */
const CONVENTIONAL = new Map<string, string>([
  ['dc', 'http://purl.org/dc/elements/1.1/'],
  ['dcterms', 'http://purl.org/dc/terms/'],
  ['content', 'http://purl.org/rss/1.0/modules/content/'],
  ['media', 'http://search.yahoo.com/mrss/'],
  ['itunes', 'http://www.itunes.com/dtds/podcast-1.0.dtd'],
  ['atom', NS.atom10],
  ['rdf', NS.rdf],
  ['xhtml', NS.xhtml],
]);

/** Best guess for an undeclared prefix: its conventional namespace, else a private one. */
export function undeclaredPrefixUri(prefix: string): string {
  return CONVENTIONAL.get(prefix.toLowerCase()) ?? `urn:undeclared:${prefix}`;
}
