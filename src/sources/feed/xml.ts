// A forgiving single-pass XML reader that builds a small element tree. Feeds are often broken
// (unclosed tags, HTML entities, stray ampersands, junk after the root), so every malformation is
// recovered from and the first one is recorded: callers report it as `bozo` exactly when a strict
// parser would have refused the document. DOCTYPEs are skipped, never interpreted.
import { type Scan, skipDoctype } from './doctype.js';
import { decodeEntities, type EntityContext } from './entities.js';
import { canonicalPrefix, undeclaredPrefixUri } from './namespaces.js';
import { checkAttrPrefixes, isSpace, scanStartTag } from './start-tag.js';
import { resolveUrl } from './urls.js';

/** Prefix → namespace URI; child scopes inherit through the prototype chain. */
export type NsScope = Record<string, string>;

export interface XmlElement {
  /** Qualified name as written, e.g. "content:encoded". */
  name: string;
  /** Canonical key: lower-cased local name, prefixed by the canonical prefix of its namespace ("dc:creator"). */
  key: string;
  /** Namespace URI, '' when none. */
  ns: string;
  /** Flat [qname, value, qname, value, …] with references decoded; undefined when there are none. */
  attrs: string[] | undefined;
  children: XmlNode[];
  scope: NsScope;
  /** Effective xml:base (already resolved against the enclosing base and the document URL). */
  base: string | undefined;
  /** Effective xml:lang; '' when explicitly reset. */
  lang: string | undefined;
}

export type XmlNode = XmlElement | string;

export interface XmlDocument {
  root: XmlElement | undefined;
  /** First well-formedness error (with its line), undefined for a well-formed document. */
  error: string | undefined;
  /** Text of the DOCTYPE declaration up to its internal subset, when there is one. */
  doctype: string | undefined;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

function rootScope(): NsScope {
  const scope: NsScope = Object.create(null);
  scope.xml = XML_NS;
  return scope;
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || c >= 0x80;
}

/** Deeper nesting is an attack (or garbage), never a feed; it would also overflow recursive readers. */
const MAX_DEPTH = 256;

const NON_SPACE = /[^ \t\r\n]/;
const BAD_CHARS = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;
const BAD_CHARS_ALL = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g;

type Fail = (message: string, pos: number) => void;

export function parseXml(input: string, opts: { base?: string } = {}): XmlDocument {
  let error: string | undefined;
  let errorPos = 0;
  let text = input;
  const fail: Fail = (message, pos) => {
    if (error === undefined) {
      error = message;
      errorPos = pos;
    }
  };
  if (BAD_CHARS.test(text)) {
    fail('control characters are not allowed in XML', text.search(BAD_CHARS));
    text = text.replace(BAD_CHARS_ALL, '');
  }
  const n = text.length;
  const ctx: EntityContext = { declared: undefined, externalDtd: false, error: fail, ampFrom: -1, ampAt: -1 };
  const scan: Scan = { text, fail, entities: ctx };
  const stack: XmlElement[] = [];
  let cur: XmlElement | undefined;
  let root: XmlElement | undefined;
  let rootClosed = false;
  let doctype: string | undefined;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const start = i;

  const addText = (s: string) => {
    const kids = cur!.children;
    const last = kids.length - 1;
    if (last >= 0 && typeof kids[last] === 'string') kids[last] = (kids[last] as string) + s;
    else kids.push(s);
  };

  const textRun = (from: number, to: number) => {
    if (!cur) {
      if (NON_SPACE.test(text.slice(from, to))) fail(rootClosed ? 'text after the root element' : 'text before the root element', from);
      return;
    }
    addText(decodeEntities(text, from, to, ctx));
  };

  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) textRun(i, end);
    if (lt < 0) break;
    i = lt;
    const c = text.charCodeAt(i + 1);
    if (c === 47 /* / */) {
      i = endTag(i);
    } else if (c === 33 /* ! */) {
      i = markupDecl(i);
    } else if (c === 63 /* ? */) {
      const close = text.indexOf('?>', i + 2);
      if (text.startsWith('<?xml', i) && isSpace(text.charCodeAt(i + 5)) && i !== start) fail('XML declaration not at the start of the document', i);
      if (close < 0) fail('unterminated processing instruction', i);
      i = close < 0 ? n : close + 2;
    } else if (isNameStart(c)) {
      const tag = scanStartTag(scan, i);
      open(tag.name, tag.attrs, tag.selfClosing, i);
      i = tag.end;
    } else {
      fail('"<" that does not start a tag (write &lt;)', i);
      if (cur) addText('<');
      i++;
    }
  }
  if (stack.length) fail(`unclosed element <${stack[stack.length - 1]!.name}>`, n);
  if (!root) fail('no root element', n);
  const line = error === undefined ? 0 : countLines(text, errorPos);
  return { root, error: error === undefined ? undefined : `${error} (line ${line})`, doctype };

  function endTag(at: number): number {
    const close = text.indexOf('>', at + 2);
    if (close < 0) {
      fail('unterminated end tag', at);
      return n;
    }
    const name = text.slice(at + 2, close).trim();
    if (cur && cur.name === name) {
      pop();
    } else {
      let k = stack.length - 1;
      while (k >= 0 && stack[k]!.name !== name) k--;
      if (k < 0) {
        fail(`end tag </${name}> without a matching start tag`, at);
      } else {
        fail(`<${stack[stack.length - 1]!.name}> closed by </${name}>`, at);
        while (stack.length > k) pop();
      }
    }
    return close + 1;
  }

  function pop(): void {
    stack.pop();
    cur = stack[stack.length - 1];
    if (!cur) rootClosed = true;
  }

  function markupDecl(at: number): number {
    if (text.startsWith('<!--', at)) {
      const close = text.indexOf('-->', at + 4);
      if (close < 0) {
        fail('unterminated comment', at);
        return n;
      }
      return close + 3;
    }
    if (text.startsWith('<![CDATA[', at)) {
      const close = text.indexOf(']]>', at + 9);
      const stop = close < 0 ? n : close;
      if (close < 0) fail('unterminated CDATA section', at);
      if (cur) addText(text.slice(at + 9, stop));
      else fail('CDATA outside the root element', at);
      return close < 0 ? n : close + 3;
    }
    if (text.startsWith('<!DOCTYPE', at)) {
      if (root || doctype !== undefined) fail('misplaced DOCTYPE', at);
      const { end, head } = skipDoctype(scan, at);
      doctype = head;
      return end;
    }
    fail('unknown markup declaration', at);
    const close = text.indexOf('>', at);
    return close < 0 ? n : close + 1;
  }

  function open(name: string, attrs: string[] | undefined, selfClosing: boolean, at: number): void {
    if (rootClosed || (!cur && root)) {
      fail(`element <${name}> after the root element`, at);
      return;
    }
    if (stack.length >= MAX_DEPTH) {
      // Its text still lands in the deepest element kept; only the nesting is dropped.
      fail(`elements nested deeper than ${MAX_DEPTH} levels`, at);
      return;
    }
    const parent = cur;
    let scope = parent ? parent.scope : rootScope();
    let base = parent ? parent.base : opts.base;
    let lang = parent?.lang;
    if (attrs) {
      let ownScope = false;
      for (let k = 0; k < attrs.length; k += 2) {
        const a = attrs[k]!;
        if (a.charCodeAt(0) === 120 /* x */) {
          if (a === 'xmlns' || a.startsWith('xmlns:')) {
            if (!ownScope) scope = Object.create(scope) as NsScope;
            ownScope = true;
            scope[a.length === 5 ? '' : a.slice(6)] = attrs[k + 1]!;
          } else if (a === 'xml:base') {
            base = resolveUrl(base, attrs[k + 1]!);
          } else if (a === 'xml:lang') {
            lang = attrs[k + 1]!.trim();
          }
        }
      }
    }
    if (attrs) checkAttrPrefixes(scan, attrs, scope, name, at);
    const colon = name.indexOf(':');
    let ns: string;
    let local: string;
    if (colon > 0) {
      const prefix = name.slice(0, colon);
      local = name.slice(colon + 1);
      const uri = scope[prefix];
      if (uri === undefined) fail(`undeclared namespace prefix "${prefix}" on <${name}>`, at);
      ns = uri ?? undeclaredPrefixUri(prefix);
    } else {
      local = name;
      ns = scope[''] ?? '';
    }
    const prefix = canonicalPrefix(ns);
    const lower = local.toLowerCase();
    const el: XmlElement = { name, key: prefix ? `${prefix}:${lower}` : lower, ns, attrs, children: [], scope, base, lang };
    if (parent) parent.children.push(el);
    else root = el;
    if (selfClosing) {
      if (!parent) rootClosed = true;
      return;
    }
    stack.push(el);
    cur = el;
  }
}

function countLines(text: string, pos: number): number {
  let line = 1;
  for (let k = text.indexOf('\n'); k >= 0 && k < pos; k = text.indexOf('\n', k + 1)) line++;
  return line;
}
