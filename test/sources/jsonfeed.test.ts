// JSON Feed 1.0 / 1.1: the official examples (../shared/eval/feeds/jsonfeed) and our own edge cases.
import { hasEval } from '../support/eval.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/sources/feed/parse.js';

const dir = fileURLToPath(new URL('../../../shared/eval/feeds/jsonfeed/', import.meta.url));

interface JsonItem {
  id: string | number;
  url?: string;
  title?: string;
  content_html?: string;
  content_text?: string;
  attachments?: { url: string; mime_type: string }[];
}

describe.skipIf(!hasEval(dir))('JSON Feed examples (../shared/eval/feeds/jsonfeed)', () => {
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];

  it('finds the six examples', () => {
    expect(files).toHaveLength(6);
  });

  it.each(files)('%s parses with all its items', (file) => {
    const raw = readFileSync(dir + file);
    const json = JSON.parse(raw.toString('utf8')) as { version: string; title: string; home_page_url: string; items: JsonItem[] };
    const feed = parseFeed(raw);
    expect(feed.bozo, feed.bozoReason).toBe(false);
    expect(feed.format).toBe(json.version.endsWith('/1.1') ? 'json11' : 'json10');
    expect(feed.feed.title).toBe(json.title);
    expect(feed.feed.link).toBe(json.home_page_url);
    expect(feed.items).toHaveLength(json.items.length);
    json.items.forEach((src, i) => {
      const item = feed.items[i]!;
      expect(item.id).toBe(String(src.id));
      expect(item.link).toBe(src.url);
      if (src.title) expect(item.title).toBe(src.title);
      if (src.content_html) expect(item.contentHtml).toBe(src.content_html.trim());
      if (src.content_text) expect(item.contentText).toBe(src.content_text.trim());
      expect(item.enclosures.map((e) => e.url)).toEqual((src.attachments ?? []).map((a) => a.url));
    });
  });
});

describe('JSON Feed edge cases', () => {
  it('reads loosely typed fields, 1.0 authors and relative URLs', () => {
    const doc = {
      version: 'https://jsonfeed.org/version/1',
      title: 'T',
      author: { name: 'Ann' },
      items: [
        { id: 42, url: '/posts/1', content_html: '<p>x</p>', date_published: '2024-05-06T07:08:09+02:00', tags: ['a', 7, 'b'], image: 'img.png' },
        { id: 'two', title: 5, summary: 'short', date_modified: 'not a date' },
      ],
    };
    const feed = parseFeed(JSON.stringify(doc), { url: 'https://ex.test/feed.json' });
    expect(feed.format).toBe('json10');
    expect(feed.feed.author).toBe('Ann');
    const [a, b] = feed.items;
    expect(a).toMatchObject({
      id: '42',
      link: 'https://ex.test/posts/1',
      contentHtml: '<p>x</p>',
      categories: ['a', '7', 'b'],
      image: 'https://ex.test/img.png',
    });
    expect(a!.published?.toISOString()).toBe('2024-05-06T05:08:09.000Z');
    expect(b).toMatchObject({ id: 'two', summary: 'short' });
    expect(b!.title).toBe('5');
    expect(b!.updated).toBeUndefined();
  });

  it('recognizes JSON by content type even after leading whitespace', () => {
    const feed = parseFeed(Buffer.from('\n  {"version":"https://jsonfeed.org/version/1.1","items":[]}'), { contentType: 'application/feed+json' });
    expect(feed).toMatchObject({ format: 'json11', bozo: false, items: [] });
  });

  it('reports broken JSON and JSON that is not a feed, without throwing', () => {
    const broken = parseFeed('{"version": "https://jsonfeed.org/version/1", "items": [');
    expect(broken.bozo).toBe(true);
    expect(broken.format).toBeUndefined();
    expect(broken.bozoReason).toMatch(/not valid JSON/);
    const other = parseFeed('{"hello": "world"}');
    expect(other).toMatchObject({ bozo: true, items: [] });
    expect(other.format).toBeUndefined();
    expect(other.bozoReason).toMatch(/not a JSON Feed/);
  });
});
