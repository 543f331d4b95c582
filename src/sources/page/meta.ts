// Page metadata that does not depend on finding the article body: title, lead image, author,
// language, site name. Read before Readability runs, because Readability rewrites the document.

export type JsonObject = Record<string, unknown>;

/** `<meta property|name|itemprop=key content>` for the first key present, in the order given. */
export function metaContent(doc: Document, keys: string[]): string | undefined {
  const found = new Map<string, string>();
  for (const el of doc.querySelectorAll('meta[content]')) {
    const key = (el.getAttribute('property') ?? el.getAttribute('name') ?? el.getAttribute('itemprop') ?? '').trim().toLowerCase();
    const value = el.getAttribute('content')?.trim();
    if (key && value && !found.has(key)) found.set(key, value);
  }
  for (const key of keys) {
    const value = found.get(key);
    if (value) return value;
  }
  return undefined;
}

/** Parses JSON-LD leniently: raw newlines and tabs inside strings are common and invalid JSON. */
function parseJsonLd(source: string): unknown {
  const text = source
    .trim()
    .replace(/^<!--|-->$/g, '')
    .replace(/^\s*\/\/\s*<!\[CDATA\[|\/\/\s*\]\]>\s*$/g, '');
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(text.replace(/[\u0000-\u001f]+/g, ' '));
    } catch {
      return undefined;
    }
  }
}

/** Every JSON-LD object of the page, flattened out of arrays and `@graph` containers. */
export function readJsonLd(doc: Document): JsonObject[] {
  const out: JsonObject[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 4 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v, depth + 1);
      return;
    }
    const obj = value as JsonObject;
    out.push(obj);
    if (obj['@graph']) visit(obj['@graph'], depth + 1);
  };
  for (const script of doc.querySelectorAll('script[type="application/ld+json" i]')) {
    visit(parseJsonLd(script.textContent ?? ''), 0);
  }
  return out;
}

const ARTICLE_TYPES = /article|posting|report|blog|news/i;

function typesOf(obj: JsonObject): string[] {
  const t = obj['@type'];
  return (Array.isArray(t) ? t : [t]).filter((x): x is string => typeof x === 'string');
}

/** The JSON-LD objects that describe an article, most specific first. */
export function jsonLdArticles(objects: JsonObject[]): JsonObject[] {
  return objects.filter((o) => typesOf(o).some((t) => ARTICLE_TYPES.test(t)));
}

/** A JSON-LD value that may be a string, an object with url/name, or an array of either. */
export function jsonLdString(value: unknown, field: 'url' | 'name'): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const s = jsonLdString(v, field);
      if (s) return s;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    const v = (value as JsonObject)[field] ?? (field === 'url' ? (value as JsonObject)['contentUrl'] : undefined);
    return typeof v === 'string' ? v.trim() || undefined : undefined;
  }
  return undefined;
}

export function resolveUrl(href: string | undefined | null, base: string): string | undefined {
  if (!href) return undefined;
  const trimmed = href.trim();
  if (!trimmed || /^(javascript|data|mailto|tel|vbscript):/i.test(trimmed)) return undefined;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return undefined;
  }
}

/** Separators between a headline and a site name, as sites write them. */
const SUFFIX_SEP = /^(.*\S)\s*(?:\s[|\-–—:·»]{1,2}\s|[|｜_]|\s::\s)\s*([^|｜_]+)$/;
const PREFIX_SEP = /^([^|｜]+?)\s*[|｜]\s*(.+)$/;

/**
 * Removes a site name from a <title> or og:title: "Title | Site", "Title - Site", "标题_网站",
 * and "Site | Title". The site part must be the shorter one, so a dash inside a real headline
 * ("A - B headline") survives.
 */
export function stripSiteName(title: string, siteName?: string): string {
  let t = title.replace(/\s+/g, ' ').trim();
  if (siteName) {
    const escaped = siteName.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    t = t.replace(new RegExp(`\\s*[-|–—_:·»｜]+\\s*${escaped}\\s*$`, 'i'), '').trim() || t;
  }
  const suffix = SUFFIX_SEP.exec(t);
  if (suffix && suffix[2]!.trim().length < suffix[1]!.trim().length) return suffix[1]!.trim();
  const prefix = PREFIX_SEP.exec(t);
  if (prefix && prefix[1]!.trim().length < prefix[2]!.trim().length * 0.5) return prefix[2]!.trim();
  return t;
}

export interface PageMeta {
  title?: string;
  siteName?: string;
  image?: string;
  author?: string;
  lang?: string;
  description?: string;
}

function headingTitle(doc: Document): string | undefined {
  const h1s = [...doc.querySelectorAll('h1')].map((h) => (h.textContent ?? '').replace(/\s+/g, ' ').trim());
  return h1s.find((t) => t.length >= 4 && t.length <= 300);
}

export function readMeta(doc: Document, baseUrl: string, articles: JsonObject[]): PageMeta {
  const ld = articles[0];
  const siteName = metaContent(doc, ['og:site_name', 'application-name', 'twitter:site']);
  const ldTitle = typeof ld?.['headline'] === 'string' ? ld['headline'] : undefined;
  const docTitle = (doc.querySelector('title')?.textContent ?? '').trim();
  const rawTitle = metaContent(doc, ['og:title', 'twitter:title', 'dc.title', 'sailthru.title']) ?? ldTitle ?? headingTitle(doc) ?? (docTitle || undefined);
  const title = rawTitle ? stripSiteName(rawTitle, siteName) : undefined;

  const image = resolveUrl(
    metaContent(doc, ['og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image', 'twitter:image:src']) ??
      jsonLdString(ld?.['image'], 'url') ??
      doc.querySelector('link[rel="image_src"]')?.getAttribute('href'),
    baseUrl,
  );
  const author =
    metaContent(doc, ['author', 'article:author', 'dc.creator', 'sailthru.author', 'parsely-author', 'byl']) ?? jsonLdString(ld?.['author'], 'name');
  const lang = doc.documentElement?.getAttribute('lang')?.trim() || metaContent(doc, ['og:locale', 'content-language', 'language', 'dc.language']) || undefined;
  const description = metaContent(doc, ['og:description', 'description', 'twitter:description']);
  return {
    title: title || undefined,
    siteName,
    image,
    author: author && !/^https?:\/\//.test(author) ? author : undefined,
    lang: lang?.replace('_', '-'),
    description,
  };
}
