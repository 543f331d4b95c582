import { describe, expect, it } from 'vitest';
import { escapeXml, renderAtomFeed } from '../../src/http/atom.js';
import { parseFeed } from '../../src/sources/feed/parse.js';

const NOW = new Date('2026-11-24T08:00:00Z');

describe('renderAtomFeed', () => {
  it('stays well-formed when stored text holds characters XML forbids', () => {
    const title = 'Bell\u0007 and \u0000nul, lone \ud800 surrogate, emoji 🌾 & <b>';
    const xml = renderAtomFeed({
      archiveUrl: 'https://news.example.org/n/a',
      selfUrl: 'https://news.example.org/n/a/feed.atom',
      title: 'A & B',
      language: 'en',
      author: 'Org "quoted"',
      now: NOW,
      entries: [{ url: 'https://news.example.org/n/a/1?x=1&y=2', title, updated: NOW, published: NOW, html: '<p>a &amp; b</p>]]>' }],
    });
    const feed = parseFeed(xml);
    expect(feed).toMatchObject({ bozo: false, format: 'atom10' });
    expect(feed.feed).toMatchObject({ title: 'A & B', updated: NOW });
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]).toMatchObject({
      id: 'https://news.example.org/n/a/1?x=1&y=2',
      link: 'https://news.example.org/n/a/1?x=1&y=2',
      title: 'Bell\ufffd and \ufffdnul, lone \ufffd surrogate, emoji 🌾 & <b>',
    });
    expect(feed.items[0]!.contentHtml).toContain('a &amp; b');
  });

  it('an empty feed is still valid, updated at `now`', () => {
    const xml = renderAtomFeed({
      archiveUrl: 'https://x.example/n/a',
      selfUrl: 'https://x.example/n/a/feed.atom',
      title: 'A',
      language: 'zh',
      author: 'O',
      now: NOW,
      entries: [],
    });
    const feed = parseFeed(xml);
    expect(feed).toMatchObject({ bozo: false, items: [] });
    expect(feed.feed.updated).toEqual(NOW);
    expect(escapeXml(`'"<>&`)).toBe('&apos;&quot;&lt;&gt;&amp;');
  });
});
