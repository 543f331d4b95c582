// Tracking pixels: images whose only job is to tell a tracker that someone read the article.
// They are dropped from stored HTML so that reading a digest never pings a third party.

/** Hosts that serve nothing but tracking images (suffix match). */
const PIXEL_HOSTS = [
  'pixel.wp.com',
  'stats.wordpress.com',
  'google-analytics.com',
  'doubleclick.net',
  'quantserve.com',
  'scorecardresearch.com',
  'bat.bing.com',
  'pixel.mathtag.com',
  'pixel.tapad.com',
  'analytics.twitter.com',
  'feeds.feedblitz.com',
  'hm.baidu.com',
  'tongji.baidu.com',
  'cnzz.com',
  'beacon.sina.com.cn',
  'pingjs.qq.com',
  'mixpanel.com',
  'list-manage.com',
];
/** Paths that are tracking wherever they are served from (FeedBurner, Matomo, mail openers). */
const PIXEL_PATH = /\/~(?:r|ff)\/|\/(?:piwik|matomo)\.php|\/track\/open|\/wf\/open|facebook\.com\/tr\b/i;

function dimension(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$/i.exec(value);
  return m ? Number(m[1]) : undefined;
}

function styleDimension(style: string | undefined, prop: 'width' | 'height'): number | undefined {
  if (!style) return undefined;
  const m = (prop === 'width' ? /(?:^|;)\s*width\s*:\s*(\d+(?:\.\d+)?)px/i : /(?:^|;)\s*height\s*:\s*(\d+(?:\.\d+)?)px/i).exec(style);
  return m ? Number(m[1]) : undefined;
}

/** A 1×1 (or 0×0, or hidden) image, or one served by a known tracker. `src` is absolute. */
export function isTrackingPixel(attribs: Record<string, string>, src: string): boolean {
  const w = dimension(attribs.width) ?? styleDimension(attribs.style, 'width');
  const h = dimension(attribs.height) ?? styleDimension(attribs.style, 'height');
  // One dimension of at most one pixel is never content, whatever the other says.
  if ((w !== undefined && w <= 1) || (h !== undefined && h <= 1)) return true;
  if (attribs.style && /display\s*:\s*none|visibility\s*:\s*hidden/i.test(attribs.style)) return true;
  let host: string;
  try {
    host = new URL(src).hostname;
  } catch {
    return false;
  }
  if (PIXEL_HOSTS.some((p) => host === p || host.endsWith(`.${p}`))) return true;
  return PIXEL_PATH.test(src);
}
