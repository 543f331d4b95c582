import { describe, expect, it } from 'vitest';
import { escapeHtml, parseTelegramHtml, telegramLength, validateTelegramHtml } from '../../src/digest/telegram-html.js';

const FAMILY = '👨‍👩‍👧‍👦'; // 4 astral emoji joined by 3 ZWJ: 11 UTF-16 units

function refusal(html: string): string {
  const result = validateTelegramHtml(html);
  if (result.ok) throw new Error(`expected ${JSON.stringify(html)} to be refused`);
  return result.error;
}

describe('escapeHtml', () => {
  it('escapes exactly & < > " with the entities Telegram accepts', () => {
    expect(escapeHtml(`<script>alert("1")</script> AT&T 'x'`)).toBe("&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt; AT&amp;T 'x'");
  });

  it.each(['<script>alert(1)</script> AT&T <b>', '&amp; is already an entity &lt;b&gt; &#65; &nbsp;', `棉花 ${FAMILY} 🇨🇳 "quoted" > < &`])(
    'round-trips through the parser as the same visible text: %s',
    (s) => {
      const html = `<b>${escapeHtml(s)}</b>`;
      expect(validateTelegramHtml(html)).toEqual({ ok: true });
      expect(parseTelegramHtml(html).text).toBe(s);
    },
  );

  it('escapes attribute values so an href cannot break out of its quotes', () => {
    const href = 'https://example.com/?q="><script>&x=1';
    const parsed = parseTelegramHtml(`<a href="${escapeHtml(href)}">x</a>`);
    expect(parsed.entities).toEqual([{ type: 'text_link', offset: 0, length: 1, url: href }]);
  });
});

describe('telegramLength', () => {
  it.each([
    ['plain ASCII', 'hello', 5],
    ['tags count nothing', '<b>bold</b> <i>it</i>', 7],
    ['an entity counts as its character', 'AT&amp;T &lt;b&gt; &quot;', 10],
    ['CJK: one unit per character', '<b>棉花价格</b>', 4],
    ['an astral emoji is a surrogate pair', '😀', 2],
    ['numeric entities, decimal and hex', '&#128512;&#x1F600;&#65;', 5],
    ['a ZWJ family', FAMILY, 11],
    ['link markup counts only its text', '<a href="https://example.com/very/long/path">x</a>', 1],
  ])('%s', (_name, html, length) => {
    expect(telegramLength(html)).toBe(length);
  });

  it('throws on HTML the Bot API refuses', () => {
    expect(() => telegramLength('<p>x</p>')).toThrow(/Unsupported start tag "p"/);
  });
});

describe('parseTelegramHtml', () => {
  it('yields Bot API entities with UTF-16 offsets', () => {
    const parsed = parseTelegramHtml(`${FAMILY}<b>棉<i>花</i></b> <a href="https://x.example/?a=1&amp;b=2">link</a>`);
    expect(parsed.text).toBe(`${FAMILY}棉花 link`);
    expect(parsed.entities).toEqual([
      { type: 'bold', offset: 11, length: 2 },
      { type: 'italic', offset: 12, length: 1 },
      { type: 'text_link', offset: 14, length: 4, url: 'https://x.example/?a=1&b=2' },
    ]);
  });

  it('accepts every tag of the subset and their synonyms', () => {
    const html =
      '<b>b</b><strong>b</strong><i>i</i><em>i</em><u>u</u><ins>u</ins><s>s</s><strike>s</strike><del>s</del>' +
      '<tg-spoiler>p</tg-spoiler><span class="tg-spoiler">p</span><code>c</code><blockquote>q</blockquote>' +
      "<blockquote expandable>e</blockquote><a href='https://example.com'>a</a>";
    expect(parseTelegramHtml(html).entities.map((e) => e.type)).toEqual([
      'bold',
      'bold',
      'italic',
      'italic',
      'underline',
      'underline',
      'strikethrough',
      'strikethrough',
      'strikethrough',
      'spoiler',
      'spoiler',
      'code',
      'blockquote',
      'expandable_blockquote',
      'text_link',
    ]);
  });

  it('turns <pre><code class="language-x"> into one pre entity with a language', () => {
    expect(parseTelegramHtml('<pre><code class="language-ts">let x;</code></pre>').entities).toEqual([{ type: 'pre', offset: 0, length: 6, language: 'ts' }]);
  });

  it('accepts upper-case start tags, attributes in any quotes and the empty end tag, as TDLib does', () => {
    expect(parseTelegramHtml('<B>x</b><i >y</>').entities).toEqual([
      { type: 'bold', offset: 0, length: 1 },
      { type: 'italic', offset: 1, length: 1 },
    ]);
  });

  it('drops empty entities', () => {
    expect(parseTelegramHtml('<b></b>x').entities).toEqual([]);
  });

  it('in lenient mode keeps what TDLib shows literally: unknown entities, a bare & and >', () => {
    expect(parseTelegramHtml('a &nbsp; & b > c &lt', { strict: false }).text).toBe('a &nbsp; & b > c <');
  });
});

describe('validateTelegramHtml refuses what the Bot API (or our strict reading of it) refuses', () => {
  it.each([
    ['an unsupported tag', '<script>alert(1)</script>', /Unsupported start tag "script" at byte offset 0/],
    ['a bare < in text', 'a < b', /Unsupported start tag "" at byte offset 2/],
    ['a start tag never closed', '<b>bold', /Can't find end tag corresponding to start tag "b"/],
    ['an end tag with nothing open', 'x</b>', /Unexpected end tag at byte offset 1/],
    ['crossed tags', '<b><i>x</b></i>', /Unmatched end tag at byte offset 7, expected "<\/i>", found "<\/b>"/],
    ['an unterminated start tag', 'x <b', /Unclosed start tag at byte offset 2/],
    ['an unterminated end tag', '<b>x</b', /Unclosed end tag at byte offset 4/],
    ['a span that is not a spoiler', '<span class="x">x</span>', /Tag "span" must have class "tg-spoiler"/],
    ['an unquoted URL', '<a href=https://x.example>x</a>', /Unexpected end of name token at byte offset 8/],
    ['an attribute without a value', '<a href>x</a>', /Expected equal sign/],
    ['an unknown named entity', 'a&nbsp;b', /unsupported HTML entity/],
    ['a bare &', 'AT&T', /unescaped "&" at byte offset 2/],
    ['an entity without ;', 'a &lt b', /without ";"/],
    ['a numeric entity out of range', '&#x110000;', /unsupported HTML entity/],
    ['a numeric entity for a surrogate', '&#xD83D;', /unsupported HTML entity/],
    ['a bare >', 'a > b', /unescaped ">"/],
    ['a bad entity inside an attribute', '<a href="https://x.example/?a=1&b=2">x</a>', /in an attribute of the tag "a"/],
    ['a tag inside code', '<code><b>x</b></code>', /tag "b" can't be nested in "code"/],
    ['a tag other than code inside pre', '<pre><i>x</i></pre>', /tag "i" can't be nested in "pre"/],
    ['code nested deeper in pre', '<pre><code><code>x</code></code></pre>', /can't be nested in "code"/],
    ['a link inside a link', '<a href="https://a.example"><a href="https://b.example">x</a></a>', /tag "a" can't be nested in "a"/],
    ['pre inside a link', '<a href="https://a.example"><pre>x</pre></a>', /tag "pre" can't be nested in "a"/],
    ['nested blockquotes', '<blockquote><blockquote>x</blockquote></blockquote>', /can't be nested in "blockquote"/],
  ])('%s', (_name, html, error) => {
    expect(refusal(html)).toMatch(error);
  });

  it('reports offsets in UTF-8 bytes, as the Bot API does', () => {
    expect(refusal('棉花<p>')).toMatch(/byte offset 6$/);
    expect(refusal('😀<p>')).toMatch(/byte offset 4$/);
  });

  it('refuses lone surrogates (not UTF-8)', () => {
    expect(refusal('a\ud83db')).toMatch(/UTF-8/);
  });

  it('accepts what nests legally', () => {
    for (const html of [
      '<b><i><u><s><tg-spoiler>x</tg-spoiler></s></u></i></b>',
      '<b><a href="https://example.com">x</a></b>',
      '<a href="https://example.com"><b>x</b></a>',
      '<blockquote><b>x</b> <a href="https://example.com">y</a></blockquote>',
      '<b><code>x</code></b>',
    ]) {
      expect(validateTelegramHtml(html), html).toEqual({ ok: true });
    }
  });
});
