// Reading values out of the element tree: attributes by namespace, text, and inline markup
// (XHTML in Atom content, "naked" HTML in RSS descriptions) serialized back to a string.
import { NS } from './namespaces.js';
import type { XmlElement, XmlNode } from './xml.js';

/** Unprefixed attribute, matched without regard to case (CDF writes HREF, old RSS isPermalink). */
export function attr(el: XmlElement, name: string): string | undefined {
  const a = el.attrs;
  if (!a) return undefined;
  for (let k = 0; k < a.length; k += 2) if (a[k] === name) return a[k + 1];
  for (let k = 0; k < a.length; k += 2) {
    const q = a[k]!;
    if (q.length === name.length && !q.includes(':') && q.toLowerCase() === name) return a[k + 1];
  }
  return undefined;
}

/** Attribute in a namespace (rdf:about, rdf:resource), whatever prefix the document bound to it. */
export function attrNs(el: XmlElement, ns: string, local: string): string | undefined {
  const a = el.attrs;
  if (!a) return undefined;
  for (let k = 0; k < a.length; k += 2) {
    const q = a[k]!;
    const colon = q.indexOf(':');
    if (colon > 0 && q.slice(colon + 1) === local && el.scope[q.slice(0, colon)] === ns) return a[k + 1];
  }
  return undefined;
}

export function hasElementChild(el: XmlElement): boolean {
  for (const c of el.children) if (typeof c !== 'string') return true;
  return false;
}

/** The element's direct text, or its inner markup when it contains elements; trimmed. */
export function textOf(el: XmlElement): string {
  const kids = el.children;
  if (kids.length === 1 && typeof kids[0] === 'string') return kids[0].trim();
  if (kids.length === 0) return '';
  return hasElementChild(el) ? innerXml(el).trim() : kids.join('').trim();
}

/** All descendant text, markup dropped. */
export function innerText(el: XmlElement): string {
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? c : innerText(c);
  return out;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

function escapeText(s: string): string {
  return /[&<>]/.test(s) ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : s;
}

function escapeAttr(s: string): string {
  return /[&<"]/.test(s) ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;') : s;
}

function serialize(node: XmlNode, out: string[]): void {
  if (typeof node === 'string') {
    out.push(escapeText(node));
    return;
  }
  // XHTML is written as plain HTML: readers of the result expect <p>, not <xhtml:p>.
  const colon = node.name.indexOf(':');
  const name = colon > 0 && node.ns === NS.xhtml ? node.name.slice(colon + 1) : node.name;
  out.push('<', name);
  const a = node.attrs;
  if (a) {
    for (let k = 0; k < a.length; k += 2) {
      const q = a[k]!;
      if (q === 'xmlns' || q.startsWith('xmlns:')) continue;
      out.push(' ', q, '="', escapeAttr(a[k + 1]!), '"');
    }
  }
  if (node.children.length === 0 && VOID.has(name.toLowerCase())) {
    out.push(' />');
    return;
  }
  out.push('>');
  for (const c of node.children) serialize(c, out);
  out.push('</', name, '>');
}

/** The element's children as markup. */
export function innerXml(el: XmlElement): string {
  const out: string[] = [];
  for (const c of el.children) serialize(c, out);
  return out.join('');
}

/** The only element child when it is an XHTML <div> (Atom's wrapper for type="xhtml"). */
export function xhtmlDivWrapper(el: XmlElement): XmlElement | undefined {
  let div: XmlElement | undefined;
  for (const c of el.children) {
    if (typeof c === 'string') {
      if (c.trim()) return undefined;
    } else if (div || c.key !== 'xhtml:div') {
      return undefined;
    } else {
      div = c;
    }
  }
  return div;
}
