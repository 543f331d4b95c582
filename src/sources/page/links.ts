// Links on pages: article links on a listing page (by CSS selector, or discovered), and the
// "next/previous article" links of an article page.
import { resolveUrl } from './meta.js';

export interface NavLink {
  url: string;
  title?: string;
}

export interface ArticleLink {
  url: string;
  /** Anchor text, a hint for logs and for items whose page has no title. */
  text: string;
}

/** Second-level labels under which sites register (example.co.uk, example.com.cn). */
const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'or', 'ne', 'go', 'mil', 'ltd', 'plc', 'sch', 'nic']);

/** Registrable domain, close enough without a public-suffix list: "news.example.com.cn" → "example.com.cn". */
export function registrableHost(hostname: string): string {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (/^[\d.]+$/.test(host) || host.includes(':')) return host;
  const labels = host.split('.');
  if (labels.length <= 2) return host;
  const tld = labels[labels.length - 1]!;
  const second = labels[labels.length - 2]!;
  const keep = tld.length === 2 && SECOND_LEVEL.has(second) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

/** Containers whose links are navigation, not articles. */
const CHROME_SELECTOR = 'nav, header, footer, aside, menu, [role="navigation"], [role="banner"], [role="contentinfo"], [role="search"]';
const CHROME_CLASS =
  /(?:^|[\s_-])(?:nav|navbar|navigation|menu|menubar|footer|header|breadcrumbs?|pagination|pager|pages|sidebar|tags?|tag-?cloud|categories|category|login|share|social|topbar|masthead|site-header|site-footer|copyright)(?:$|[\s_-])/i;
/** Paths that are never articles. */
const NON_ARTICLE_PATH =
  /\/(?:tags?|categor(?:y|ies)|topics?|authors?|users?|login|log-in|signin|sign-in|logout|register|signup|sign-up|search|page|feed|rss|about|about-us|contact|contact-us|privacy|terms|help|faq|subscribe|account|cart)(?:\/|$|\.|\?)|[?&](?:page|p|s|q|tag|cat)=|\.(?:jpe?g|png|gif|webp|svg|pdf|zip|rar|docx?|xlsx?|pptx?|mp[34]|xml|css|js)(?:$|\?)/i;

function insideChrome(a: Element): boolean {
  if (a.closest(CHROME_SELECTOR)) return true;
  for (let el: Element | null = a.parentElement; el; el = el.parentElement) {
    if (CHROME_CLASS.test(`${el.getAttribute('class') ?? ''} ${el.id ?? ''}`)) return true;
  }
  return false;
}

function anchorText(a: Element): string {
  return (a.textContent ?? '').replace(/\s+/g, ' ').trim() || (a.getAttribute('title') ?? '').trim();
}

/** Headline-like anchor text: several words, or several Chinese/Japanese/Korean characters. */
function looksLikeHeadline(text: string): boolean {
  const cjk = text.match(/[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/g)?.length ?? 0;
  if (cjk >= 6) return true;
  return text.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length >= 3;
}

/** Path shapes of article pages: dates, long numeric ids, .html files, long slugs, depth. */
function looksLikeArticlePath(url: URL): boolean {
  const path = decodeURIComponent(url.pathname);
  const segments = path.split('/').filter(Boolean);
  const last = segments[segments.length - 1] ?? '';
  if (/(?:19|20)\d{2}[/_-]?(?:0?[1-9]|1[0-2])(?:[/_-]?\d{1,2})?/.test(path)) return true;
  if (/\d{4,}/.test(last) || /\.s?html?$|\.php$|\.aspx?$/i.test(last)) return true;
  if ((last.match(/[-_]/g)?.length ?? 0) >= 2) return true;
  return segments.length >= 2 && last.length >= 6;
}

/** Article links of a listing page: by `selector` when given, otherwise discovered. */
export function findArticleLinks(doc: Document, base: string, pageUrl: string, selector?: string): ArticleLink[] {
  if (selector) return collect(selectorAnchors(doc, selector), base, pageUrl, () => true);
  const pageHost = registrableHost(new URL(pageUrl).hostname);
  const articleLike = (a: Element, url: URL): boolean =>
    registrableHost(url.hostname) === pageHost &&
    !NON_ARTICLE_PATH.test(url.pathname + url.search) &&
    looksLikeHeadline(anchorText(a)) &&
    looksLikeArticlePath(url);
  const anchors = [...doc.querySelectorAll('a[href]')];
  const found = collect(anchors, base, pageUrl, (a, url) => articleLike(a, url) && !insideChrome(a));
  // Some templates wrap the whole page in a container named like chrome ("page-header-wrap"):
  // when the chrome filter leaves nothing, the semantic <nav>/<footer> exclusion still holds.
  if (found.length > 0) return found;
  return collect(anchors, base, pageUrl, (a, url) => articleLike(a, url) && !a.closest(CHROME_SELECTOR));
}

function collect(anchors: Element[], base: string, pageUrl: string, keep: (a: Element, url: URL) => boolean): ArticleLink[] {
  const seen = new Set<string>([stripHash(pageUrl)]);
  const out: ArticleLink[] = [];
  for (const a of anchors) {
    const href = resolveUrl(a.getAttribute('href'), base);
    if (!href || !/^https?:/i.test(href)) continue;
    const url = stripHash(href);
    if (seen.has(url) || !keep(a, new URL(url))) continue;
    seen.add(url);
    out.push({ url, text: anchorText(a) });
  }
  return out;
}

/** Anchors matched by `selector`, or the anchors inside the matched elements. */
function selectorAnchors(doc: Document, selector: string): Element[] {
  let matched: Element[];
  try {
    matched = [...doc.querySelectorAll(selector)];
  } catch (err) {
    throw new Error(`linkSelector "${selector}" is not a valid CSS selector (${(err as Error).message}); fix the source's options`);
  }
  return matched.flatMap((el) => (el.tagName === 'A' && el.hasAttribute('href') ? [el] : [...el.querySelectorAll('a[href]')]));
}

function stripHash(url: string): string {
  const i = url.indexOf('#');
  return i === -1 ? url : url.slice(0, i);
}

interface Label {
  /** Anchor text that starts with the label ("下一篇：标题", "Next article"). */
  anchor: RegExp;
  /** Label written just before the anchor ("上一篇：<a>标题</a>", "Previous: <a>…</a>"). */
  before: RegExp;
}

const NEXT: Label = {
  anchor: /^(?:下一篇|下一条|下篇|后一篇|next\s+(?:article|post|story|entry)|newer\s+(?:post|article|entry))\s*[:：>»›]?\s*/i,
  before: /(?:(?:下一篇|下一条|下篇|后一篇)\s*[:：]?|\b(?:next|newer)(?:\s+(?:article|post|story|entry))?\s*[:：])\s*$/i,
};
const PREVIOUS: Label = {
  anchor: /^(?:上一篇|上一条|上篇|前一篇|prev(?:ious)?\s+(?:article|post|story|entry)|older\s+(?:post|article|entry))\s*[:：<«‹]?\s*/i,
  before: /(?:(?:上一篇|上一条|上篇|前一篇)\s*[:：]?|\b(?:prev|previous|older)(?:\s+(?:article|post|story|entry))?\s*[:：])\s*$/i,
};

/** Text written just before the anchor inside its parent, if any. */
function precedingText(a: Element): string {
  let text = '';
  for (let n = a.previousSibling; n && text.length < 40; n = n.previousSibling) text = (n.textContent ?? '') + text;
  return text.replace(/\s+/g, ' ').trim();
}

function labelled(a: Element, label: Label): { title?: string } | undefined {
  const text = anchorText(a);
  if (label.anchor.test(text)) {
    const rest = text.replace(label.anchor, '').trim();
    return { title: rest || a.getAttribute('title')?.trim() || undefined };
  }
  // Only a label that ends right before the anchor counts, so "next week" prose does not.
  if (text && label.before.test(precedingText(a))) return { title: text };
  return undefined;
}

/** "Next/previous article" links of an article page: labelled anchors first, then rel=next/prev. */
export function findNavigation(doc: Document, base: string, pageUrl: string): { next?: NavLink; previous?: NavLink } {
  const self = stripHash(pageUrl);
  const result: { next?: NavLink; previous?: NavLink } = {};
  const accept = (href: string | null, title?: string): NavLink | undefined => {
    const url = resolveUrl(href, base);
    if (!url || !/^https?:/i.test(url) || stripHash(url) === self) return undefined;
    return { url: stripHash(url), ...(title ? { title } : {}) };
  };
  for (const a of doc.querySelectorAll('a[href]')) {
    if (!result.next) {
      const hit = labelled(a, NEXT);
      if (hit) result.next = accept(a.getAttribute('href'), hit.title);
    }
    if (!result.previous) {
      const hit = labelled(a, PREVIOUS);
      if (hit) result.previous = accept(a.getAttribute('href'), hit.title);
    }
  }
  for (const el of doc.querySelectorAll('a[rel][href], link[rel][href]')) {
    const rel = ` ${(el.getAttribute('rel') ?? '').toLowerCase()} `;
    if (!result.next && rel.includes(' next ')) result.next = accept(el.getAttribute('href'));
    if (!result.previous && (rel.includes(' prev ') || rel.includes(' previous '))) {
      result.previous = accept(el.getAttribute('href'));
    }
  }
  return result;
}
