// Feed parsing throughput: our parser against rss-parser (`parseString`) on the same generated
// ~300 KB RSS 2.0 and ~300 KB Atom documents, shaped like real news feeds: escaped HTML
// descriptions, CDATA content:encoded, several categories per item.
import Parser from 'rss-parser';
import { parseFeed } from '../src/sources/feed/parse.js';
import { type Bench, timeMedian, withRatio } from './harness.js';

const TARGET_BYTES = 300 * 1024;

/** Deterministic text so every run (and both parsers) sees identical documents. */
function words(seed: number, count: number): string {
  const vocab = [
    'cotton',
    'market',
    'prices',
    'export',
    'textile',
    'quarterly',
    'demand',
    'supply',
    'China',
    'report',
    'growth',
    'industry',
    'mills',
    'yarn',
    'futures',
    'weather',
  ];
  let s = seed;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    out.push(vocab[(s >>> 16) % vocab.length]!);
  }
  return out.join(' ');
}

function paragraphHtml(i: number): string {
  return `<p>${words(i, 40)} &amp; <a href="https://news.example.com/a/${i}?ref=feed&amp;x=1">more</a></p><p>${words(i + 7, 50)}</p><img src="https://img.example.com/${i}.jpg" alt="photo ${i}">`;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function generateRss(targetBytes = TARGET_BYTES): string {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n<title>Industry News</title>\n<link>https://news.example.com/</link>\n<description>Daily industry news</description>\n<language>en-us</language>\n<atom:link href="https://news.example.com/feed.xml" rel="self" type="application/rss+xml"/>\n`;
  const items: string[] = [];
  let size = head.length;
  for (let i = 0; size < targetBytes; i++) {
    const date = new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toUTCString();
    const item = `<item>\n<title>${escapeXml(words(i, 8))} &amp; more</title>\n<link>https://news.example.com/article/${i}</link>\n<guid isPermaLink="false">news-${i}</guid>\n<pubDate>${date}</pubDate>\n<dc:creator>Reporter ${i % 17}</dc:creator>\n<category>Markets</category>\n<category>${words(i, 1)}</category>\n<category>Region ${i % 5}</category>\n<description>${escapeXml(paragraphHtml(i))}</description>\n<content:encoded><![CDATA[${paragraphHtml(i + 1)}${paragraphHtml(i + 2)}]]></content:encoded>\n</item>\n`;
    items.push(item);
    size += item.length;
  }
  return `${head}${items.join('')}</channel>\n</rss>\n`;
}

export function generateAtom(targetBytes = TARGET_BYTES): string {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n<title>Industry News</title>\n<link href="https://news.example.com/"/>\n<link rel="self" href="https://news.example.com/atom.xml"/>\n<id>tag:news.example.com,2024:feed</id>\n<updated>2024-01-01T00:00:00Z</updated>\n`;
  const entries: string[] = [];
  let size = head.length;
  for (let i = 0; size < targetBytes; i++) {
    const date = new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString();
    const entry = `<entry>\n<title type="html">${escapeXml(words(i, 8))} &amp;amp; more</title>\n<link rel="alternate" type="text/html" href="https://news.example.com/article/${i}"/>\n<id>tag:news.example.com,2024:${i}</id>\n<published>${date}</published>\n<updated>${date}</updated>\n<author><name>Reporter ${i % 17}</name></author>\n<category term="Markets"/>\n<category term="${words(i, 1)}"/>\n<summary type="html">${escapeXml(paragraphHtml(i))}</summary>\n<content type="html">${escapeXml(paragraphHtml(i + 1) + paragraphHtml(i + 2))}</content>\n</entry>\n`;
    entries.push(entry);
    size += entry.length;
  }
  return `${head}${entries.join('')}</feed>\n`;
}

const mbPerSecond = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

export const parseBench: Bench = {
  name: 'parse',
  description: 'feed parsing MB/s on ~300 KB RSS 2.0 + ~300 KB Atom, ours vs rss-parser',
  async run() {
    const docs = [generateRss(), generateAtom()];
    const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d), 0);
    const url = 'https://news.example.com/feed.xml';
    const items = docs.map((d) => parseFeed(d, { url }).items.length);
    const ours = await timeMedian(
      () => {
        for (const d of docs) parseFeed(d, { url });
      },
      15,
      5,
    );
    const rssParser = new Parser();
    const theirs = await timeMedian(
      async () => {
        for (const d of docs) await rssParser.parseString(d);
      },
      15,
      5,
    );
    return {
      parse: withRatio({
        value: mbPerSecond(bytes, ours),
        unit: 'MB/s',
        higher_is_better: true,
        baseline: 'rss-parser',
        baseline_value: mbPerSecond(bytes, theirs),
        doc_kb: Math.round(bytes / 1024),
        items: items.join('+'),
      }),
    };
  },
};
