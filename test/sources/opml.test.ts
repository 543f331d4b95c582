import { describe, expect, it } from 'vitest';
import { parseOpml, toOpml } from '../../src/sources/opml.js';

const OPML = `<?xml version="1.0"?>
<opml version="1.0"><head><title>mine</title></head><body>
  <outline text="Textiles">
    <outline type="rss" text="Wire &amp; Co" xmlUrl="https://wire.example/rss?a=1&amp;b=2" htmlUrl="https://wire.example/"/>
    <outline type="rss" text="Bad" xmlUrl="https://x.example/feed" tidingsKind="podcast"/>
  </outline>
  <outline type="rss" title="Top level" xmlUrl="https://top.example/atom.xml"/>
</body></opml>`;

describe('OPML', () => {
  // Whether a URL may be a source (ftp:, a local path from the web) is the core's rule: test/core/sources-opml.test.ts.
  it('imports feeds with folder names as categories and reports what it rejects', () => {
    const { entries, rejected } = parseOpml(OPML);
    expect(entries).toEqual([
      { kind: 'feed', url: 'https://wire.example/rss?a=1&b=2', name: 'Wire & Co', category: 'Textiles', options: { category: 'Textiles' } },
      { kind: 'feed', url: 'https://top.example/atom.xml', name: 'Top level', category: undefined, options: {} },
    ]);
    expect(rejected).toEqual([{ line: 'Bad', reason: 'unknown tidingsKind "podcast"' }]);
  });

  it('round-trips every source kind with its options, escaping names', () => {
    const sources = [
      { kind: 'feed' as const, url: 'https://a.example/feed?x=1&y=<2>', name: 'A "quoted" <name>', options: {} },
      { kind: 'page' as const, url: 'https://b.example/news/', name: '新闻', options: { linkSelector: 'ul.list > li a', followDepth: 1 } },
      { kind: 'textdump' as const, url: '/srv/dumps', name: 'dumps', options: { lang: 'zh' } },
    ];
    const back = parseOpml(toOpml(sources, new Date('2026-11-24T00:00:00Z')));
    expect(back.rejected).toEqual([]);
    expect(back.entries.map(({ category: _c, ...e }) => e)).toEqual(sources);
  });

  it('says when a file is not OPML at all', () => {
    expect(parseOpml('<rss><channel/></rss>').rejected[0]?.reason).toMatch(/not an OPML document/);
  });
});
