// Our own feed parser cases: the mapping onto ParsedFeed, namespaces, relative URLs, recovery
// from malformed feeds (and the bozo flag), encodings, and hostile documents (DTD entities).
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/sources/feed/parse.js';

const rss = (items: string, channel = '', attrs = '') =>
  `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" ${attrs}><channel><title>News</title><link>https://ex.test/</link>${channel}${items}</channel></rss>`;

describe('RSS 2.0', () => {
  const doc = rss(
    `<item>
      <title>Cotton &amp; yarn</title>
      <link>https://ex.test/a/1</link>
      <guid isPermaLink="false">id-1</guid>
      <pubDate>Mon, 06 May 2024 08:00:00 +0800</pubDate>
      <dc:creator>Li Wei</dc:creator>
      <category>Markets</category><category domain="x">Asia</category>
      <description>&lt;p&gt;Short &lt;b&gt;summary&lt;/b&gt;&lt;/p&gt;</description>
      <c:encoded><![CDATA[<p>Full <a href="/a/1/more">text</a></p>]]></c:encoded>
      <enclosure url="https://ex.test/a.mp3" length="1234" type="audio/mpeg"/>
      <media:thumbnail url="/thumbs/1.jpg"/>
    </item>`,
    '<language>zh-cn</language><description>All the news</description><lastBuildDate>Mon, 06 May 2024 09:00:00 GMT</lastBuildDate>',
    'xmlns:c="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"',
  );

  it('maps channel and item onto ParsedFeed, resolving relative URLs against the document URL', () => {
    const feed = parseFeed(Buffer.from(doc), { url: 'https://ex.test/feed.xml' });
    expect(feed).toMatchObject({ kind: 'feed', format: 'rss20', encoding: 'utf-8', bozo: false });
    expect(feed.feed).toMatchObject({ title: 'News', link: 'https://ex.test/', language: 'zh-cn', subtitle: 'All the news' });
    expect(feed.feed.updated?.toISOString()).toBe('2024-05-06T09:00:00.000Z');
    expect(feed.items).toHaveLength(1);
    const item = feed.items[0]!;
    expect(item).toMatchObject({
      id: 'id-1',
      title: 'Cotton & yarn',
      link: 'https://ex.test/a/1',
      author: 'Li Wei',
      categories: ['Markets', 'Asia'],
      summary: '<p>Short <b>summary</b></p>',
      contentHtml: '<p>Full <a href="https://ex.test/a/1/more">text</a></p>',
      enclosures: [{ url: 'https://ex.test/a.mp3', type: 'audio/mpeg', length: 1234 }],
      image: 'https://ex.test/thumbs/1.jpg',
      lang: 'zh-cn',
    });
    expect(item.published?.toISOString()).toBe('2024-05-06T00:00:00.000Z');
  });

  it('reads elements by namespace URI, not by prefix', () => {
    const feed = parseFeed(
      rss('<item><title>t</title><my:description>wrong</my:description><description>right</description></item>', '', 'xmlns:my="http://example.test/mine/"'),
    );
    expect(feed.items[0]!.summary).toBe('right');
    expect(feed.bozo).toBe(false);
  });

  it('takes a permalink guid as the link only when there is no link', () => {
    const feed = parseFeed(rss('<item><guid>https://ex.test/p/9</guid></item><item><guid>not-a-url</guid></item>'));
    expect(feed.items.map((i) => i.link)).toEqual(['https://ex.test/p/9', undefined]);
  });
});

describe('Atom and RDF', () => {
  it('reads Atom 1.0: xhtml content unwrapped, xml:base applied to links and to hrefs inside content', () => {
    const feed = parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://ex.test/blog/" xml:lang="en">
      <title type="html">A &lt;b&gt;bold&lt;/b&gt; blog</title><id>urn:x</id>
      <entry><id>urn:1</id><title>One</title><link href="posts/1"/><link rel="enclosure" href="/f.mp4" type="video/mp4" length="9"/>
        <updated>2024-05-06T07:08:09Z</updated><author><name>Ann</name><email>a@ex.test</email></author>
        <category term="news"/>
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <a href="../about">me</a></p></div></content>
      </entry></feed>`);
    expect(feed).toMatchObject({ format: 'atom10', bozo: false, feed: { title: 'A <b>bold</b> blog', id: 'urn:x', language: 'en' } });
    expect(feed.items[0]).toMatchObject({
      id: 'urn:1',
      title: 'One',
      link: 'https://ex.test/blog/posts/1',
      author: 'Ann (a@ex.test)',
      categories: ['news'],
      contentHtml: '<p>Hi <a href="https://ex.test/about">me</a></p>',
      enclosures: [{ url: 'https://ex.test/f.mp4', type: 'video/mp4', length: 9 }],
      lang: 'en',
    });
    expect(feed.items[0]!.published?.toISOString()).toBe('2024-05-06T07:08:09.000Z');
  });

  it('reads RSS 1.0 (RDF) with items beside the channel and dc:date', () => {
    const feed =
      parseFeed(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="https://ex.test/"><title>R</title><link>https://ex.test/</link></channel>
      <item rdf:about="https://ex.test/1"><title>I</title><link>https://ex.test/1</link><dc:date>2004-01-01T00:00:00Z</dc:date></item>
    </rdf:RDF>`);
    expect(feed).toMatchObject({ format: 'rss10', bozo: false, feed: { title: 'R' } });
    expect(feed.items[0]).toMatchObject({ id: 'https://ex.test/1', title: 'I' });
    expect(feed.items[0]!.published?.toISOString()).toBe('2004-01-01T00:00:00.000Z');
  });
});

describe('malformed feeds are recovered and flagged', () => {
  it('decodes undeclared HTML entities and keeps bare ampersands', () => {
    const feed = parseFeed(rss('<item><title>a&nbsp;b &hearts; &copy</title><link>https://ex.test/?a=1&b=2</link></item>'));
    expect(feed.bozo).toBe(true);
    expect(feed.bozoReason).toMatch(/undeclared entity &nbsp;/);
    expect(feed.items[0]).toMatchObject({ title: 'a\u00a0b \u2665 &copy', link: 'https://ex.test/?a=1&b=2' });
  });

  it('recovers items from unclosed tags and garbage after the root', () => {
    const feed = parseFeed(`<rss version="2.0"><channel><title>T</title>
      <item><title>One</title><description><p>para<br></description></item>
      <item><title>Two</title></item></channel></rss> trailing junk <oops>`);
    expect(feed.bozo).toBe(true);
    expect(feed.items.map((i) => i.title)).toEqual(['One', 'Two']);
    expect(feed.items[0]!.summary).toBe('<p>para<br /></p>');
  });

  it('reads undeclared conventional prefixes (dc:creator) by their usual namespace', () => {
    const feed = parseFeed('<rss version="2.0"><channel><item><title>t</title><dc:creator>Ann</dc:creator></item></channel></rss>');
    expect(feed.bozo).toBe(true);
    expect(feed.bozoReason).toMatch(/undeclared namespace prefix "dc"/);
    expect(feed.items[0]!.author).toBe('Ann');
  });

  it('survives absurdly deep nesting', () => {
    const deep = rss(`<item><title>deep</title><description>${'<b>'.repeat(100_000)}x</description></item>`);
    const feed = parseFeed(deep);
    expect(feed.bozo).toBe(true);
    expect(feed.bozoReason).toMatch(/nested deeper/);
    expect(feed.items[0]!.title).toBe('deep');
  });

  it('treats an unparsable date as absent', () => {
    const feed = parseFeed(rss('<item><title>x</title><pubDate>sometime soon</pubDate></item>'));
    expect(feed.bozo).toBe(false);
    expect(feed.items[0]!.published).toBeUndefined();
  });

  it('says what is not a feed and returns no items', () => {
    for (const input of ['<!doctype html><html><head><title>x</title></head><body><p>hi</body></html>', '', 'just text', '\u0000\u0001binary', '<a><b></a>']) {
      const feed = parseFeed(input);
      expect(feed.bozo, input).toBe(true);
      expect(feed.format, input).toBeUndefined();
      expect(feed.items, input).toEqual([]);
      expect(feed.bozoReason, input).toMatch(/not a feed|not valid JSON/);
    }
  });

  it('never throws on truncated or mangled input', () => {
    const base = rss('<item><title>a &amp; b</title><description><![CDATA[<p>x</p>]]></description><!-- c --></item>'.repeat(3));
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 300; k++) {
      const at = rand(base.length);
      const junk = ['<', '&', ']]>', '<!--', '"', '</item>', '<![CDATA[', '\uFFFF', '<!DOCTYPE x ['][rand(9)]!;
      const variant = k % 2 ? base.slice(0, at) : base.slice(0, at) + junk + base.slice(at + rand(5));
      const feed = parseFeed(variant);
      expect(typeof feed.bozo).toBe('boolean');
    }
  });
});

describe('encodings', () => {
  it('decodes a GB2312-labelled feed as GB18030 and a BOM-less UTF-16 feed', () => {
    const gb = iconv.encode(`<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel><title>棉花价格</title></channel></rss>`, 'gb18030');
    expect(parseFeed(gb)).toMatchObject({ encoding: 'gb18030', bozo: false, feed: { title: '棉花价格' } });
    const u16 = iconv.encode(`<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Ünïcode</title></channel></rss>`, 'utf-16le');
    expect(parseFeed(u16)).toMatchObject({ encoding: 'utf-16le', bozo: false, feed: { title: 'Ünïcode' } });
  });

  it('flags a feed whose declared encoding is wrong, and still reads it', () => {
    const latin = Buffer.from(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>caf\xe9</title></channel></rss>`, 'latin1');
    const feed = parseFeed(latin);
    expect(feed.bozo).toBe(true);
    expect(feed.bozoReason).toMatch(/declared as utf-8/);
    expect(feed.feed.title).toBe('café');
  });
});

describe('DTD entities are never expanded', () => {
  function timed(input: string) {
    const heap = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const feed = parseFeed(Buffer.from(input));
    const ms = performance.now() - t0;
    return { feed, ms, heapMb: (process.memoryUsage().heapUsed - heap) / 2 ** 20, json: JSON.stringify(feed) };
  }

  it('billion laughs', () => {
    const levels = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i < 10; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    const { feed, ms, heapMb, json } = timed(`<?xml version="1.0"?><!DOCTYPE rss [${levels.join('\n')}]>${rss('<item><title>x&lol9;y</title></item>')}`);
    expect(ms).toBeLessThan(2000);
    expect(heapMb).toBeLessThan(100);
    expect(feed.items[0]!.title).toBe('xy');
    expect(json).not.toContain('lol');
  });

  it('external entity (file:///etc/passwd)', () => {
    const { feed, json } = timed(
      `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${rss('<item><title>&xxe;</title><description>a&xxe;b</description></item>')}`,
    );
    expect(feed.items).toHaveLength(1);
    expect(json).not.toContain('root:');
    expect(json).not.toContain('passwd');
  });

  it('a 5 MB entity referenced many times', () => {
    const big = 'A'.repeat(5 * 1024 * 1024);
    const { feed, ms, heapMb, json } = timed(
      `<!DOCTYPE rss [<!ENTITY big "${big}">]>${rss(`<item><title>t</title><description>${'&big;'.repeat(1000)}</description></item>`)}`,
    );
    expect(ms).toBeLessThan(2000);
    expect(heapMb).toBeLessThan(100);
    expect(feed.items[0]!.title).toBe('t');
    expect(json).not.toContain('AAAA');
  });
});

describe('oversized tags and text (issue 11)', () => {
  const attrs = (count: number, name = (i: number) => `a${i}`) => Array.from({ length: count }, (_, i) => ` ${name(i)}="v${i}"`).join('');

  it('keeps the first 256 of 100,000 attributes and says so', () => {
    const feed = parseFeed(
      rss('<item><title>x</title><link>https://ex.test/1</link></item>').replace('<title>News</title>', `<title${attrs(100_000)}>News</title>`),
    );
    expect(feed.bozoReason).toMatch(/more than 256 attributes in <title>; the rest are ignored/);
    expect(feed.feed.title).toBe('News');
    expect(feed.items).toHaveLength(1);
  });

  it('still finds a duplicate among many attributes (past the point where a Set takes over)', () => {
    const feed = parseFeed(rss(`<item><title>x</title><guid${attrs(40)} a17="again">g</guid></item>`));
    expect(feed.bozoReason).toMatch(/duplicate attribute a17 in <guid>/);
    expect(feed.items[0]!.id).toBe('g');
  });

  it('decodes 200,000 character references in one description', () => {
    const feed = parseFeed(rss(`<item><title>x</title><description>${'&#65;'.repeat(200_000)}</description></item>`));
    expect(feed.bozo).toBe(false);
    expect(feed.items[0]!.summary).toBe('A'.repeat(200_000));
  });

  it('reads "&" and "<" right where a long run without them ends', () => {
    const filler = '<category>plain</category>'.repeat(2000);
    const feed = parseFeed(rss(`<item><title>a &amp; b</title>${filler}<description>c &lt; d</description><link href="x" rel="y&amp;z"/></item>`));
    expect(feed.items[0]!.title).toBe('a & b');
    expect(feed.items[0]!.summary).toBe('c < d');
  });
});

describe('item text cap', () => {
  it('cuts an item’s text at 200,000 characters, never inside a surrogate pair, and says so', () => {
    const long = `${'A'.repeat(199_999)}😀${'B'.repeat(100)}`;
    const feed = parseFeed(rss(`<item><title>x</title><description>${long}</description></item>`));
    expect(feed.items[0]!.summary).toBe('A'.repeat(199_999));
    expect(feed.bozoReason).toBe("an item's text is longer than 200,000 characters; it was cut there");
  });

  it('leaves an earlier malformation as the reason', () => {
    const feed = parseFeed(rss(`<item><title>x &nbsp;</title><description>${'A'.repeat(200_001)}</description></item>`));
    expect(feed.items[0]!.summary).toHaveLength(200_000);
    expect(feed.bozoReason).toMatch(/undeclared entity &nbsp;/);
  });
});
