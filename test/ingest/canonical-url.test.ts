import { describe, expect, it } from 'vitest';
import { canonicalUrl, isTrackingParam, resolveHttpUrl } from '../../src/ingest/canonical-url.js';

describe('canonicalUrl', () => {
  it.each([
    ['lower-cases scheme and host, keeps path case', 'HTTPS://News.Example.COM/Story/A', 'https://news.example.com/Story/A'],
    ['drops default ports', 'http://news.example.com:80/a', 'http://news.example.com/a'],
    ['drops the https default port', 'https://news.example.com:443/a', 'https://news.example.com/a'],
    ['keeps other ports', 'https://news.example.com:8443/a', 'https://news.example.com:8443/a'],
    ['drops fragments', 'https://news.example.com/a#comments', 'https://news.example.com/a'],
    ['drops utm_* parameters', 'https://news.example.com/a?utm_source=rss&utm_medium=feed&UTM_Campaign=x', 'https://news.example.com/a'],
    [
      'drops click ids and mail trackers',
      'https://news.example.com/a?fbclid=1&gclid=2&dclid=3&msclkid=4&mc_cid=5&mc_eid=6&yclid=7&igshid=8&_hsenc=9&_hsmi=10&id=42',
      'https://news.example.com/a?id=42',
    ],
    [
      'drops spm (Alibaba) and Bilibili share parameters',
      'https://item.example.cn/p.htm?spm=a1z10.1&id=9&share_source=copy_web',
      'https://item.example.cn/p.htm?id=9',
    ],
    ['sorts the remaining parameters', 'https://news.example.com/list?page=2&cat=cotton&b=1', 'https://news.example.com/list?b=1&cat=cotton&page=2'],
    ['sorts repeated keys by value', 'https://news.example.com/s?tag=b&tag=a', 'https://news.example.com/s?tag=a&tag=b'],
    ['keeps parameter encoding as written', 'https://news.example.com/s?q=cotton+yarn&z=%E6%A3%89', 'https://news.example.com/s?q=cotton+yarn&z=%E6%A3%89'],
    ['removes an empty ?', 'https://news.example.com/a?', 'https://news.example.com/a'],
    ['removes a ? left empty by tracking', 'https://news.example.com/a?utm_source=x#top', 'https://news.example.com/a'],
    ['converts IDN hosts to punycode', 'https://Bücher.example/ä', 'https://xn--bcher-kva.example/%C3%A4'],
    ['converts Chinese IDN hosts', 'http://新闻.中国/棉花', 'http://xn--efvy88h.xn--fiqs8s/%E6%A3%89%E8%8A%B1'],
    ['drops user info', 'https://user:secret@news.example.com/a', 'https://news.example.com/a'],
    ['drops a trailing dot on the host', 'https://news.example.com./a', 'https://news.example.com/a'],
    ['normalizes dot segments', 'https://news.example.com/a/./b/../c', 'https://news.example.com/a/c'],
    ['keeps "from" when it is content', 'https://news.example.com/a?from=2020', 'https://news.example.com/a?from=2020'],
    ['drops WeChat share markers anywhere', 'https://news.example.com/a?from=timeline&isappinstalled=0', 'https://news.example.com/a'],
    [
      'reduces a WeChat article to its identity',
      'https://mp.weixin.qq.com/s?__biz=MzA5&mid=2650&idx=1&sn=abc&chksm=84&scene=21&from=groupmessage&sessionid=1&key=k&uin=u&pass_ticket=p#wechat_redirect',
      'https://mp.weixin.qq.com/s?__biz=MzA5&idx=1&mid=2650&sn=abc',
    ],
  ])('%s', (_name, input, expected) => {
    expect(canonicalUrl(input)).toBe(expected);
  });

  it('resolves relative links against the document URL first', () => {
    expect(canonicalUrl('../b?utm_source=x&id=1', 'https://news.example.com/a/feed.xml')).toBe('https://news.example.com/b?id=1');
    expect(canonicalUrl('//cdn.example.com/x', 'https://news.example.com/')).toBe('https://cdn.example.com/x');
  });

  it('is idempotent', () => {
    const once = canonicalUrl('HTTP://Example.com:80/p?z=1&a=2&utm_term=x#f');
    expect(once).toBe('http://example.com/p?a=2&z=1');
    expect(canonicalUrl(once)).toBe(once);
  });

  it.each([
    ['javascript:alert(1)'],
    ['data:text/html,x'],
    ['file:///etc/passwd'],
    ['ftp://files.example.com/a'],
    ['mailto:desk@example.com'],
    ['not a url'],
    [''],
    ['   '],
  ])('refuses %j', (input) => {
    expect(canonicalUrl(input)).toBeNull();
  });

  it('refuses nothing at all', () => {
    expect(canonicalUrl(undefined)).toBeNull();
    expect(canonicalUrl(null)).toBeNull();
  });
});

describe('resolveHttpUrl', () => {
  it('resolves, keeps tracking parameters and fragments (that is canonicalUrl’s job)', () => {
    expect(resolveHttpUrl('x?utm_source=a#f', 'https://n.example/d/')).toBe('https://n.example/d/x?utm_source=a#f');
  });

  it('refuses relative links against a non-web base, but gives protocol-relative ones https', () => {
    expect(resolveHttpUrl('a.html', 'file:///srv/feed.xml')).toBeNull();
    expect(resolveHttpUrl('//cdn.example.com/i.png', 'file:///srv/feed.xml')).toBe('https://cdn.example.com/i.png');
    expect(resolveHttpUrl('a.html')).toBeNull();
  });

  it('sees through whitespace and control characters hiding a scheme', () => {
    expect(resolveHttpUrl('java\tscript:alert(1)', 'https://n.example/')).toBeNull();
    expect(resolveHttpUrl(' \njavascript:alert(1)', 'https://n.example/')).toBeNull();
  });
});

describe('isTrackingParam', () => {
  it('separates tracking from content parameters', () => {
    expect(isTrackingParam('utm_content', 'x', 'a.example')).toBe(true);
    expect(isTrackingParam('FBCLID', 'x', 'a.example')).toBe(true);
    expect(isTrackingParam('from', 'singlemessage', 'a.example')).toBe(true);
    expect(isTrackingParam('from', 'home', 'a.example')).toBe(false);
    expect(isTrackingParam('from', 'home', 'mp.weixin.qq.com')).toBe(true);
    expect(isTrackingParam('scene', '1', 'a.example')).toBe(false);
    expect(isTrackingParam('id', '1', 'a.example')).toBe(false);
    expect(isTrackingParam('page', '2', 'a.example')).toBe(false);
  });
});
