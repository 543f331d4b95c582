// Relative references in feeds (links, enclosures, href/src inside HTML content) resolved against
// xml:base or the document URL. Done on strings per RFC 3986 §5.2 rather than with WHATWG URL,
// which would rewrite what authors wrote (punycode hosts, percent-encode IRIs, lower-case hosts)
// and throw on the odd malformed URL that real feeds contain.

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const PARTS = /^([a-zA-Z][a-zA-Z0-9+.-]*:)(\/\/[^/?#]*)?([^?#]*)(\?[^#]*)?/;

export function isAbsoluteUrl(ref: string): boolean {
  return SCHEME.test(ref);
}

function removeDots(path: string): string {
  if (!path.includes('.')) return path;
  const input = path.split('/');
  const out: string[] = [];
  for (let i = 0; i < input.length; i++) {
    const seg = input[i]!;
    if (seg === '.' || seg === '..') {
      if (seg === '..' && out.length > 1) out.pop();
      if (i === input.length - 1) out.push('');
    } else {
      out.push(seg);
    }
  }
  return out.join('/');
}

/** Resolves `ref` against `base`; returns `ref` (trimmed) when it is absolute or there is no usable base. */
export function resolveUrl(base: string | undefined, ref: string): string {
  const r = ref.trim();
  if (!base || SCHEME.test(r)) return r;
  const b = PARTS.exec(base.trim());
  if (!b) return r;
  const scheme = b[1]!;
  const authority = b[2] ?? '';
  const path = b[3] ?? '';
  const query = b[4] ?? '';
  if (r.startsWith('//')) {
    const m = /^(\/\/[^/?#]*)([^?#]*)(.*)$/.exec(r)!;
    return scheme + m[1] + removeDots(m[2]!) + m[3];
  }
  if (r === '') return scheme + authority + path + query;
  const first = r.charCodeAt(0);
  if (first === 35 /* # */) return scheme + authority + path + query + r;
  if (first === 63 /* ? */) return scheme + authority + path + r;
  const cut = r.search(/[?#]/);
  const refPath = cut < 0 ? r : r.slice(0, cut);
  const rest = cut < 0 ? '' : r.slice(cut);
  if (first === 47 /* / */) return scheme + authority + removeDots(refPath) + rest;
  const dir = authority && !path ? '/' : path.slice(0, path.lastIndexOf('/') + 1);
  return scheme + authority + removeDots(dir + refPath) + rest;
}

const URL_ATTRS = 'href|src|cite|poster|background|longdesc|action|usemap|codebase|data|profile';
/** Only tags carrying a URL attribute reach the callback; most content has none worth touching. */
const TAG_WITH_URL = new RegExp(`<[a-zA-Z][^>]*?\\s(?:${URL_ATTRS})\\s*=[^>]*>`, 'gi');
const URL_ATTR = new RegExp(`(\\s)(${URL_ATTRS})(\\s*=\\s*)(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'gi');

/** Rewrites relative href/src/… inside HTML to absolute URLs; everything else is left byte for byte. */
export function resolveHtmlUrls(html: string, base: string | undefined): string {
  if (!base || !html.includes('=')) return html;
  return html.replace(TAG_WITH_URL, (tag) =>
    tag.replace(URL_ATTR, (whole, space: string, name: string, eq: string, dq?: string, sq?: string, bare?: string) => {
      const value = dq ?? sq ?? bare ?? '';
      const trimmed = value.trim();
      if (SCHEME.test(trimmed) && trimmed === value) return whole;
      const quote = sq !== undefined ? "'" : '"';
      return `${space}${name}${eq}${quote}${resolveUrl(base, value)}${quote}`;
    }),
  );
}
