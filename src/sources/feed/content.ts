// Text constructs: what a title, summary or content element means depends on its declared type
// (text, escaped HTML, inline XHTML), Atom 0.3's mode (xml, escaped, base64) and whether the
// publisher put raw markup inside it anyway. The result is always a string plus its MIME type,
// with relative URLs inside HTML resolved against the element's base.
import type { FeedContent } from './model.js';
import { attr, hasElementChild, innerText, innerXml, textOf, xhtmlDivWrapper } from './tree.js';
import { resolveHtmlUrls, resolveUrl } from './urls.js';
import type { XmlElement } from './xml.js';

const TYPES = new Map([
  ['text', 'text/plain'],
  ['html', 'text/html'],
  ['xhtml', 'application/xhtml+xml'],
]);

export function isHtmlType(type: string): boolean {
  return type === 'text/html' || type === 'application/xhtml+xml' || type.endsWith('+xml') || type.endsWith('/xml');
}

function decodeBase64(s: string): string {
  const clean = s.replace(/\s+/g, '');
  return /^[A-Za-z0-9+/=_-]*$/.test(clean) ? Buffer.from(clean, 'base64').toString('utf8') : s;
}

function finish(el: XmlElement, value: string, type: string): FeedContent {
  const v = isHtmlType(type) ? resolveHtmlUrls(value, el.base) : value;
  const c: FeedContent = { value: v, type };
  if (el.lang) c.language = el.lang;
  if (el.base) c.base = el.base;
  return c;
}

/** An Atom (0.3 or 1.0) text construct or content element. */
export function atomText(el: XmlElement): FeedContent {
  const declared = (attr(el, 'type') ?? '').trim().toLowerCase();
  const type = TYPES.get(declared) ?? (declared || 'text/plain');
  const mode = attr(el, 'mode')?.toLowerCase();
  let value: string;
  // Atom 1.0: content of any other non-text, non-XML media type is base64 (RFC 4287 §4.1.3.3).
  if (mode === 'base64' || (type.includes('/') && !type.startsWith('text/') && !isHtmlType(type))) {
    value = decodeBase64(innerText(el)).trim();
  } else if (hasElementChild(el)) {
    const div = xhtmlDivWrapper(el);
    if (div && declared === 'xhtml') value = innerXml(div).trim();
    else if (div && type === 'text/html' && !hasElementChild(div)) value = innerText(div).trim();
    else value = innerXml(el).trim();
  } else {
    value = textOf(el);
  }
  const content = finish(el, value, type);
  const src = attr(el, 'src');
  if (src !== undefined) content.src = resolveUrl(el.base, src);
  return content;
}

/** An RSS description or content:encoded: HTML, whether escaped, in CDATA or written raw. */
export function rssHtml(el: XmlElement): FeedContent {
  return finish(el, textOf(el), 'text/html');
}

/** xhtml:body inside an RSS item: inline XHTML. */
export function xhtmlBody(el: XmlElement): FeedContent {
  return finish(el, innerXml(el).trim(), 'application/xhtml+xml');
}
