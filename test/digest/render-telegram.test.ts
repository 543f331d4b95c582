import { describe, expect, it } from 'vitest';
import type { DigestItem, DigestModel } from '../../src/digest/model.js';
import { renderTelegram, type TelegramPart } from '../../src/digest/render-telegram.js';
import { parseTelegramHtml, telegramLength, validateTelegramHtml } from '../../src/digest/telegram-html.js';

const FAMILY = '👨‍👩‍👧‍👦';
const EMOJI = [FAMILY, '🏳️‍🌈', '👩🏽‍💻', '🇨🇳', '😀', '❤️', '👍🏿', '🧑‍🤝‍🧑'];
const HOSTILE = '<script>alert(1)</script> AT&T <b>';
const EN_WORDS = 'cotton prices rose sharply as mills in Gujarat cut output while traders waited for the monsoon report and futures in New York slipped'.split(
  ' ',
);
const ZH_SENTENCES = [
  '棉花价格连续第三周上涨。',
  '新疆棉区的采摘进度快于去年同期，',
  '纺织企业订单有所回暖；',
  '分析人士认为，市场仍需观察天气变化！',
  '郑州商品交易所棉花期货收盘微跌。',
];

/** mulberry32: a tiny seeded generator, so every "random" digest is reproducible from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

function sentence(r: Rng): string {
  const kind = r.int(0, 5);
  if (kind <= 1) return r.pick(ZH_SENTENCES) + (r.next() < 0.3 ? r.pick(EMOJI) : '');
  const words = Array.from({ length: r.int(4, 18) }, () => (r.next() < 0.12 ? r.pick(EMOJI) : r.pick(EN_WORDS)));
  if (kind === 2) words.splice(r.int(0, words.length), 0, HOSTILE);
  return words.join(' ') + r.pick(['.', '!', '?', '.']);
}

function summary(r: Rng, sentences: number): string {
  return Array.from({ length: sentences }, () => sentence(r)).join(r.next() < 0.5 ? ' ' : '');
}

function makeItem(r: Rng, k: number, sentences: number): DigestItem {
  const marker = `itm${String(k).padStart(4, '0')}`;
  return {
    articleId: k,
    title: `${marker} ${r.pick([HOSTILE, '棉花期货', `Cotton ${r.pick(EMOJI)} update`, 'Mills & markets'])}`,
    url: r.pick([`https://news.example.com/a/${k}?x=1&y="2"`, null, 'javascript:alert(1)', `http://例子.中国/${k}`]),
    source: { id: k % 7, name: r.pick(['Reuters', '新华社', 'Fibre2Fashion <i>', 'CCFGroup']) },
    publishedAt: new Date(Date.UTC(2025, 2, 12, r.int(0, 23))),
    lang: 'en',
    category: null,
    summary: summary(r, sentences),
    imageUrl: r.next() < 0.5 ? `https://img.example.com/${k}.jpg` : null,
    alsoReportedBy: Array.from({ length: r.int(0, 3) }, (_, j) => ({
      name: r.pick(['Bloomberg', '路透', 'A&B "News"', 'Evil <a href="x">']),
      url: j % 2 ? `https://other.example.org/${k}/${j}` : 'javascript:void(0)',
    })),
    reasons: [],
  };
}

function makeModel(seed: number, items: number, sentences: () => number, opts: { sections?: boolean; language?: 'en' | 'zh' } = {}): DigestModel {
  const r = rng(seed);
  const all = Array.from({ length: items }, (_, k) => makeItem(r, k, sentences()));
  const sections = opts.sections
    ? [0, 1, 2].map((s) => ({ title: `Section S${s} ${r.pick(EMOJI)}`, items: all.filter((_, k) => k % 3 === s) }))
    : [{ title: null, items: all }];
  return {
    newsletter: { id: 1, slug: 'cotton', name: 'Cotton Daily', language: opts.language ?? 'en' },
    slotAt: new Date('2025-03-12T22:30:00Z'),
    timeZone: 'Asia/Shanghai',
    sections,
    archiveUrl: 'https://news.example.org/cotton/2025-03-13',
  };
}

const htmlOf = (p: TelegramPart) => (p.kind === 'text' ? p.html : p.captionHtml);
const noSpace = (s: string) => s.replace(/\s+/g, '');
const clusters = new Intl.Segmenter('en', { granularity: 'grapheme' });
const graphemes = (s: string) => [...clusters.segment(s)].length;
/** Whether a cut between a and b left clusters whole: segmenting across it changes nothing. Only the ends matter (Node 20 segments slowly). */
const cutIsClean = (a: string, b: string) => {
  const [x, y] = [a.slice(-64), b.slice(0, 64)];
  return graphemes(x) + graphemes(y) === graphemes(x + y);
};

/**
 * Every invariant a rendering must hold, whatever the digest and limits; returns the parts'
 * visible texts. Problems are collected and asserted once: thousands of expect() calls in the
 * property test would cost seconds.
 */
function checkParts(parts: TelegramPart[], model: DigestModel, maxLength: number, maxCaption: number): string[] {
  const problems: string[] = [];
  const textsSoFar: string[] = [];
  const texts = parts.map((part, n) => {
    const html = htmlOf(part);
    const valid = validateTelegramHtml(html);
    if (!valid.ok) {
      problems.push(`part ${n} invalid (${valid.error}): ${html}`);
      textsSoFar.push('');
      return '';
    }
    const { text, entities } = parseTelegramHtml(html);
    const limit = part.kind === 'text' ? maxLength : maxCaption;
    if (telegramLength(html) > limit) problems.push(`part ${n} is ${telegramLength(html)} units, over ${limit}`);
    if (text.trim() === '') problems.push(`part ${n} is empty`);
    if (/^\p{P}/u.test(text)) problems.push(`part ${n} starts with punctuation: ${text.slice(0, 20)}`);
    for (const e of entities) if (e.type === 'text_link' && !/^https?:$/.test(new URL(e.url!).protocol)) problems.push(`part ${n} links ${e.url}`);
    if (part.kind === 'text' && !part.disableLinkPreview) problems.push(`part ${n} has a link preview`);
    // A cut inside a grapheme cluster (ZWJ sequence, flag, surrogate pair) would merge across it.
    if (n > 0 && !cutIsClean(textsSoFar.at(-1)!, text)) problems.push(`cut before part ${n} splits a cluster`);
    textsSoFar.push(text);
    return text;
  });
  const first = parts[0];
  const name = model.newsletter.name;
  if (first?.kind !== 'text') problems.push('the first part is not a text message');
  else if (
    !texts[0]!.startsWith(name) ||
    !parseTelegramHtml(first.html).entities.some((e) => e.type === 'bold' && e.offset === 0 && e.length === name.length)
  ) {
    problems.push('the first part does not start with the newsletter name in bold');
  }
  // Every item exactly once and in order; every summary whole (only whitespace may go at a cut).
  const all = noSpace(texts.join(''));
  const items = model.sections.flatMap((s) => s.items);
  const seen = [...all.matchAll(/itm(\d{4})/g)].map((m) => Number(m[1]));
  if (seen.join() !== items.map((i) => i.articleId).join()) problems.push(`items seen in order ${seen.join()}`);
  for (const item of items) if (!all.includes(noSpace(item.summary))) problems.push(`summary of item ${item.articleId} not whole`);
  expect(problems).toEqual([]);
  return texts;
}

describe('renderTelegram', () => {
  it('splits a 10,000+ character digest with CJK and emoji into valid parts of at most 4096, every item once, in order', () => {
    const r = rng(7);
    const model = makeModel(42, 60, () => r.int(3, 9), { sections: true });
    const parts = renderTelegram(model);
    const texts = checkParts(parts, model, 4096, 1024);
    expect(texts.reduce((n, t) => n + t.length, 0)).toBeGreaterThan(10_000);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts.every((p) => p.kind === 'text')).toBe(true);
    // Full messages: splitting happens only when the next item does not fit.
    for (const t of texts.slice(0, -1)) expect(t.length).toBeGreaterThan(4096 - 1500);
  });

  it('shows a hostile title, source and names as the literal text, never as markup', () => {
    const model = makeModel(1, 1, () => 1);
    const item = model.sections[0]!.items[0]!;
    Object.assign(item, { title: HOSTILE, url: 'https://news.example.com/a?b=1&c="2"', source: { id: 1, name: '<i>AT&T</i>' } });
    item.alsoReportedBy = [{ name: '</b><a href="javascript:x">', url: null }];
    const [part] = renderTelegram(model);
    const { text, entities } = parseTelegramHtml(htmlOf(part!));
    expect(text).toContain(`\n${HOSTILE}\n<i>AT&T</i> · 13 March 2025\n`);
    expect(text).toContain('</b><a href="javascript:x">');
    expect(htmlOf(part!)).not.toMatch(/<script|javascript:x"/);
    const link = entities.find((e) => e.type === 'text_link')!;
    expect(text.slice(link.offset, link.offset + link.length)).toBe(HOSTILE);
    expect(link.url).toBe('https://news.example.com/a?b=1&c=%222%22');
  });

  it('never links a javascript: article or archive URL', () => {
    const model = makeModel(2, 1, () => 1);
    model.sections[0]!.items[0]!.url = 'javascript:alert(document.cookie)';
    model.archiveUrl = 'javascript:alert(1)';
    const [part] = renderTelegram(model);
    expect(htmlOf(part!)).not.toContain('javascript:');
    expect(parseTelegramHtml(htmlOf(part!)).entities.filter((e) => e.type === 'text_link')).toEqual([]);
  });

  it('lays out header, section headings, items and the archive footer', () => {
    const model = makeModel(3, 3, () => 1, { sections: true });
    const parts = renderTelegram(model);
    expect(parts).toHaveLength(1);
    const { text, entities } = parseTelegramHtml(htmlOf(parts[0]!));
    expect(text.startsWith('Cotton Daily\n13 March 2025\n\nSection S0')).toBe(true);
    expect(text.endsWith('3 stories · View in browser')).toBe(true);
    const archive = entities.at(-1)!;
    expect(archive).toMatchObject({ type: 'text_link', url: 'https://news.example.org/cotton/2025-03-13' });
    for (const s of model.sections) {
      const at = text.indexOf(s.title!);
      expect(entities).toContainEqual({ type: 'bold', offset: at, length: s.title!.length });
    }
  });

  it('localizes strings and dates for Chinese newsletters', () => {
    const model = makeModel(4, 2, () => 1, { language: 'zh' });
    model.sections[0]!.items[0]!.alsoReportedBy = [
      { name: '路透', url: null },
      { name: '新华社', url: null },
    ];
    const { text } = parseTelegramHtml(htmlOf(renderTelegram(model)[0]!));
    expect(text).toContain('Cotton Daily\n2025年3月13日');
    expect(text).toContain('其他报道来源：路透、新华社');
    expect(text).toContain('共 2 条');
  });

  it('cuts an item longer than a message at sentence ends, tags closed and reopened', () => {
    const model = makeModel(5, 3, () => 2);
    const long = model.sections[0]!.items[1]!;
    long.summary = Array.from({ length: 120 }, (_, k) => `Sentence ${k} about cotton ${FAMILY} and 棉花价格。`).join(' ');
    long.title = 'itm0001 ' + 'Very long linked title '.repeat(3);
    long.url = 'https://news.example.com/long';
    const parts = renderTelegram(model, { maxLength: 1000 });
    const texts = checkParts(parts, model, 1000, 1024);
    const pieces = texts.filter((t) => t.includes('Sentence'));
    expect(pieces.length).toBeGreaterThanOrEqual(4);
    for (const t of pieces.slice(0, -1)) expect(t.trimEnd()).toMatch(/。$/);
    expect(texts.join('').split(FAMILY)).toHaveLength(121);
  });

  it('cuts text without sentence ends between words', () => {
    const model = makeModel(10, 1, () => 1);
    const words = Array.from({ length: 400 }, (_, k) => EN_WORDS[k % EN_WORDS.length]);
    const item = model.sections[0]!.items[0]!;
    item.summary = words.join(' ');
    const texts = checkParts(renderTelegram(model, { maxLength: 333 }), model, 333, 1024);
    expect(texts.length).toBeGreaterThanOrEqual(7);
    // Whitespace is dropped only at cuts, so joining with a space restores the summary exactly.
    expect(texts.join(' ')).toContain(item.summary);
  });

  it('cuts a run of ZWJ emoji with no words between whole clusters, even when one cluster exceeds the limit', () => {
    const model = makeModel(6, 1, () => 1);
    model.sections[0]!.items[0]!.summary = EMOJI.join('').repeat(40);
    checkParts(renderTelegram(model, { maxLength: 100 }), model, 100, 1024);
    // One "word" of 600 units: only cluster boundaries remain, never between a letter and its accent.
    model.sections[0]!.items[0]!.summary = 'e\u0301'.repeat(300);
    checkParts(renderTelegram(model, { maxLength: 101 }), model, 101, 1024);
    // 11 units of family emoji in 5-unit messages: split between code points, never a surrogate pair.
    model.sections[0]!.items[0]!.summary = FAMILY;
    for (const part of renderTelegram(model, { maxLength: 5 })) {
      expect(validateTelegramHtml(htmlOf(part))).toEqual({ ok: true });
      expect(telegramLength(htmlOf(part))).toBeLessThanOrEqual(5);
    }
  });

  it('holds every invariant over 300 random digests with small limits (seeded)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed * 7919);
      const maxLength = r.int(80, 600);
      const maxCaption = r.int(60, 300);
      const photos = r.next() < 0.4;
      const model = makeModel(seed, r.int(0, 14), () => r.int(0, 12), { sections: r.next() < 0.5 });
      const parts = renderTelegram(model, { maxLength, maxCaption, photos });
      const texts = checkParts(parts, model, maxLength, maxCaption);
      const withImage = model.sections.flatMap((s) => s.items).filter((i) => i.imageUrl);
      const photoParts = parts.filter((p) => p.kind === 'photo');
      expect(photoParts.map((p) => p.photoUrl)).toEqual(photos ? withImage.map((i) => i.imageUrl) : []);
      if (!photos) {
        // A heading is never the last line of a message: it travels with its first item.
        const headings = model.sections.map((s) => s.title).filter((t): t is string => t !== null);
        for (const t of texts) for (const h of headings) expect(t.trimEnd().endsWith(h), `seed ${seed}`).toBe(false);
      }
    }
  });

  it('sends items with an image as photos whose caption fits 1024, the rest of a long item following as text', () => {
    const model = makeModel(8, 4, () => 2);
    const items = model.sections[0]!.items;
    items.forEach((item, k) => {
      item.imageUrl = k % 2 ? null : `https://img.example.com/${k}.jpg`;
    });
    items[2]!.summary = '棉花价格连续第三周上涨，纺织企业订单有所回暖。'.repeat(60);
    const parts = renderTelegram(model, { photos: true });
    checkParts(parts, model, 4096, 1024);
    expect(parts.map((p) => p.kind)).toEqual(['text', 'photo', 'text', 'photo', 'text']);
    const caption = (parts[3] as Extract<TelegramPart, { kind: 'photo' }>).captionHtml;
    expect(telegramLength(caption)).toBeGreaterThan(900);
    expect(parseTelegramHtml(caption).text.trimEnd()).toMatch(/。$/);
  });

  it('renders an empty digest as one message and refuses impossible limits', () => {
    const model = makeModel(9, 0, () => 1);
    const parts = renderTelegram(model);
    expect(parts).toHaveLength(1);
    expect(parseTelegramHtml(htmlOf(parts[0]!)).text).toBe('Cotton Daily\n13 March 2025\n\n0 stories · View in browser');
    expect(() => renderTelegram(model, { maxLength: 1 })).toThrow(/maxLength must be an integer ≥ 2/);
    expect(() => renderTelegram({ ...model, timeZone: 'Mars/Olympus' })).toThrow(/unknown time zone "Mars\/Olympus"/);
  });
});
