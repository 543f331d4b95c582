// Canonical URLs: one spelling per article, so the same story linked from a newsletter
// (utm_source=…), a share button (fbclid=…) and the feed itself is recognized as one.
//
// Only parameters that are tracking everywhere are dropped globally. Parameters that are
// tracking on one site but content elsewhere ("from", "scene") are dropped only on the site
// where they are known to be tracking (WeChat articles), or only with their known tracking
// values ("from=timeline"): a wrong drop would merge two different articles.

const GLOBAL_TRACKING = new Set([
  'fbclid',
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'igshid',
  'twclid',
  'ttclid',
  'li_fat_id',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  '__hstc',
  '__hssc',
  '__hsfp',
  'hsctatracking',
  'mkt_tok',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  'vero_conv',
  '_ga',
  '_gl',
  'ref_src',
  'ref_url',
  's_cid',
  'wt.mc_id',
  'wt_mc_id',
  'cmpid',
  'soc_src',
  'soc_trk',
  // Chinese platforms: Alibaba's spm/scm, Bilibili's share parameters, WeChat's share marker.
  'spm',
  'scm',
  'spm_id_from',
  'share_source',
  'share_medium',
  'share_plat',
  'share_tag',
  'share_session_id',
  'share_from',
  'share_token',
  'unique_k',
  'vd_source',
  'isappinstalled',
]);

/** Tracking only with these values: "from" is an ordinary parameter on many sites. */
const TRACKING_VALUES: Record<string, Set<string>> = {
  from: new Set(['singlemessage', 'groupmessage', 'timeline', 'message', 'share', 'wechat', 'weixin', 'qq', 'weibo']),
};

/** Per-host extras: everything WeChat appends to an article link besides its identity. */
const HOST_TRACKING: Record<string, Set<string>> = {
  'mp.weixin.qq.com': new Set([
    'chksm',
    'scene',
    'subscene',
    'sessionid',
    'clicktime',
    'enterid',
    'ascene',
    'devicetype',
    'version',
    'nettype',
    'lang',
    'exportkey',
    'pass_ticket',
    'wx_header',
    'key',
    'uin',
    'from',
    'sharer_sharetime',
    'sharer_shareid',
    'sharer_shareinfo',
    'sharer_shareinfo_first',
    'realreporttime',
    'poc_token',
  ]),
};

export function isTrackingParam(name: string, value: string, host: string): boolean {
  const key = name.toLowerCase();
  if (key.startsWith('utm_') || GLOBAL_TRACKING.has(key)) return true;
  if (TRACKING_VALUES[key]?.has(value.toLowerCase())) return true;
  return HOST_TRACKING[host]?.has(key) ?? false;
}

/**
 * An absolute http(s) URL for `raw` (resolved against `base`), or null for anything else:
 * other schemes (javascript:, data:, file:), unparsable input, nothing at all.
 * A protocol-relative "//host/path" against a non-http base becomes https.
 */
export function resolveHttpUrl(raw: string | undefined | null, base?: string): string | null {
  const input = raw?.trim();
  if (!input) return null;
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    if (!input.startsWith('//')) return null;
    try {
      url = new URL(`https:${input}`);
    } catch {
      return null;
    }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    if (!input.startsWith('//')) return null;
    url = new URL(`https:${input}`);
  }
  return url.href;
}

function paramName(pair: string): string {
  const eq = pair.indexOf('=');
  const name = eq < 0 ? pair : pair.slice(0, eq);
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

function paramValue(pair: string): string {
  const eq = pair.indexOf('=');
  if (eq < 0) return '';
  const value = pair.slice(eq + 1);
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/**
 * The canonical form of an http(s) URL, or null when it is not one: lower-case scheme and host
 * (IDN → punycode), no default port, no user info, no fragment, no tracking parameters, the
 * remaining parameters sorted (their original encoding kept), no empty "?".
 */
export function canonicalUrl(raw: string | undefined | null, base?: string): string | null {
  const href = resolveHttpUrl(raw, base);
  if (!href) return null;
  const url = new URL(href);
  url.hash = '';
  url.username = '';
  url.password = '';
  const host = url.hostname.replace(/\.$/, '');
  url.hostname = host;
  // Pairs are filtered and sorted as written, so "%20" vs "+" and valueless keys survive as-is.
  const pairs = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !isTrackingParam(paramName(pair), paramValue(pair), host));
  pairs.sort((a, b) => {
    const na = paramName(a);
    const nb = paramName(b);
    if (na !== nb) return na < nb ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  url.search = pairs.length ? `?${pairs.join('&')}` : '';
  return url.href;
}
