// Main-content extraction for one article page: metadata first (Readability rewrites the
// document), then Readability over a linkedom DOM, then our own clean-up and text rendering.
import { Readability } from '@mozilla/readability';
import { createRequire } from 'node:module';
import type { parseHTML as ParseHTML } from 'linkedom';
import { cleanArticle } from './clean.js';
import { CHINA_OFFSET, findPageDates } from './dates.js';
import { type NavLink, findNavigation } from './links.js';
import { type JsonObject, jsonLdArticles, readJsonLd, readMeta, resolveUrl } from './meta.js';
import { blockText } from './text.js';

// linkedom (~25 MB once loaded) only when a web page is actually read: feed-only and text-dump
// runs never pay for it.
const require = createRequire(import.meta.url);
let parseHTML: typeof ParseHTML | undefined;
const domParser = (): typeof ParseHTML => (parseHTML ??= (require('linkedom') as { parseHTML: typeof ParseHTML }).parseHTML);

export interface ExtractedArticle {
  title: string;
  contentHtml: string;
  text: string;
  published?: Date;
  updated?: Date;
  image?: string;
  author?: string;
  lang?: string;
  /** The page's own summary (og:description / meta description). */
  description?: string;
  next?: NavLink;
  previous?: NavLink;
}

/** Parses HTML into a linkedom document whose baseURI is the page's real base URL. */
export function parseDocument(html: string, url: string): { doc: Document; base: string } {
  const source = /<html[\s>]/i.test(html) ? html : `<!doctype html><html><head></head><body>${html}</body></html>`;
  const { document } = domParser()(source) as unknown as { document: Document };
  const base = resolveUrl(document.querySelector('base[href]')?.getAttribute('href'), url) ?? url;
  // Readability resolves links against these; linkedom leaves them unset.
  Object.defineProperty(document, 'baseURI', { value: base, configurable: true });
  Object.defineProperty(document, 'documentURI', { value: url, configurable: true });
  return { doc: document, base };
}

const NOT_LEAD_IMAGE = /logo|icon|avatar|sprite|pixel|spacer|blank|placeholder|badge|button|gravatar|\.svg(\?|$)|\.gif(\?|$)/i;

/** First image in the article that looks like a photo rather than an icon or a tracker. */
function firstContentImage(root: Element, base: string): string | undefined {
  for (const img of root.querySelectorAll('img')) {
    const src = img.getAttribute('src') ?? img.getAttribute('data-src') ?? '';
    const width = Number(img.getAttribute('width') ?? 0);
    const height = Number(img.getAttribute('height') ?? 0);
    if (!src || NOT_LEAD_IMAGE.test(src) || (width && width < 200) || (height && height < 120)) continue;
    const url = resolveUrl(src, base);
    if (url) return url;
  }
  return undefined;
}

function paragraphsToHtml(text: string, doc: Document): string {
  const div = doc.createElement('div');
  for (const line of text.split(/\n+/)) {
    if (!line.trim()) continue;
    const p = doc.createElement('p');
    p.textContent = line.trim();
    div.appendChild(p);
  }
  return div.innerHTML;
}

/** Text of an HTML fragment, or of HTML that was entity-escaped once more ("&lt;p&gt;…"). */
function htmlToText(html: string): string {
  let text = html;
  for (let round = 0; round < 2 && /[<&]/.test(text); round++) {
    const { doc } = parseDocument(`<html><body>${text}</body></html>`, 'about:blank');
    text = doc.body ? blockText(doc.body) : '';
  }
  return text;
}

/** JSON-LD `articleBody` as plain text, when there is one of a useful length. */
function jsonLdBody(articles: JsonObject[]): string | undefined {
  for (const a of articles) {
    const body = a['articleBody'];
    if (typeof body === 'string' && body.trim().length >= 200) return htmlToText(body).trim();
  }
  return undefined;
}

/**
 * When Readability finds nothing (tiny or unusual pages), the text of the most specific content
 * container, with the page chrome taken out, is still better than an empty article.
 */
function fallbackRoot(html: string, url: string): Element | undefined {
  const { doc } = parseDocument(html, url);
  for (const el of [...doc.querySelectorAll('script, style, noscript, template, nav, header, footer, aside, form')]) {
    el.parentNode?.removeChild(el);
  }
  return doc.querySelector('[itemprop="articleBody"], article, main, [role="main"]') ?? doc.body ?? undefined;
}

/** Extracts the article of one page. Never throws on odd HTML: fields it cannot find are omitted. */
export function extractArticle(html: string, url: string): ExtractedArticle {
  const { doc, base } = parseDocument(html, url);
  const jsonLd = readJsonLd(doc);
  const articles = jsonLdArticles(jsonLd);
  const meta = readMeta(doc, base, articles);
  const chinese = /^zh/i.test(meta.lang ?? '') || /[\u4e00-\u9fff]{8}/.test(meta.title ?? '');
  const dates = findPageDates(doc, [...articles, ...jsonLd], { defaultOffset: chinese ? CHINA_OFFSET : 0 });
  const nav = findNavigation(doc, base, url);
  const ldBody = jsonLdBody(articles);

  let root: Element | undefined;
  let byline: string | undefined;
  try {
    const result = new Readability<Element>(doc, { keepClasses: true, serializer: (el) => el as Element }).parse();
    root = result?.content ?? undefined;
    byline = result?.byline?.trim() || undefined;
  } catch {
    root = undefined;
  }
  if (!root || !blockText(root).trim()) root = fallbackRoot(html, url);
  let text = '';
  let contentHtml = '';
  if (root) {
    cleanArticle(root, { title: meta.title, url, byline });
    text = blockText(root);
    for (const el of root.querySelectorAll('[class]')) el.removeAttribute('class');
    contentHtml = root.innerHTML;
  }
  // Readability wins whenever it found the article (its text keeps structure, links, images); the
  // publisher's own articleBody is the fallback when it found much less than that body.
  if (ldBody && text.length < ldBody.length * 0.5) {
    text = ldBody;
    contentHtml = paragraphsToHtml(ldBody, doc);
  }
  return {
    title: meta.title ?? '',
    contentHtml,
    text,
    published: dates.published,
    updated: dates.updated,
    image: meta.image ?? (root ? firstContentImage(root, base) : undefined),
    author: meta.author ?? (byline && byline.length <= 100 ? byline.replace(/^by\s+/i, '') : undefined),
    lang: meta.lang,
    description: meta.description,
    next: nav.next,
    previous: nav.previous,
  };
}
