import { describe, expect, it } from 'vitest';
import {
  compileFilter,
  compileKeywords,
  containsKeyword,
  digestMatcher,
  type FilterableArticle,
  foldText,
  matchingKeywords,
} from '../../src/digest/filters.js';

const has = (text: string, keyword: string) => containsKeyword(foldText(text), compileKeywords([keyword])[0]!);

function article(extra: Partial<FilterableArticle> = {}): FilterableArticle {
  return { title: 'Title', text: '', category: null, categories: [], sourceId: 1, ...extra };
}

describe('keyword matching', () => {
  it('is case- and width-insensitive on both sides', () => {
    expect(has('Cotton prices rose', 'ＣＯＴＴＯＮ')).toBe(true);
    expect(has('ＣＯＴＴＯＮ prices rose', 'cotton')).toBe(true);
    expect(has('COTTON', 'Cotton')).toBe(true);
    expect(has('ｉＰｈｏｎｅ １５ sales', 'iphone 15')).toBe(true);
  });

  it('matches Latin keywords as whole words only', () => {
    expect(has('Cottonwood trees', 'cotton')).toBe(false);
    expect(has('organic cottons', 'cotton')).toBe(false);
    expect(has('the (cotton) market, cotton.', 'cotton')).toBe(true);
    expect(has('polyester-cotton blend', 'cotton')).toBe(true);
    expect(has('gigawatt', 'watt')).toBe(false);
  });

  it('matches phrases as phrases: words adjacent, in order, any white space between', () => {
    expect(has('US cotton\n  prices fell', 'cotton prices')).toBe(true);
    expect(has('prices of cotton', 'cotton prices')).toBe(false);
    expect(has('cotton, prices', 'cotton prices')).toBe(false);
    expect(has('cotton pricesetter', 'cotton prices')).toBe(false);
  });

  it('matches Chinese keywords as substrings, also next to Latin text and in full-width text', () => {
    expect(has('新疆棉花产量创新高', '棉花')).toBe(true);
    expect(has('新疆棉价上涨', '棉花')).toBe(false);
    expect(has('中国cotton价格', 'cotton')).toBe(true);
    expect(has('华为Mate60发布', '华为')).toBe(true);
    expect(has('郑棉期货ＣＦ２０５跌', 'cf205')).toBe(true);
  });

  it('treats punctuation and pattern characters literally (never as a regular expression)', () => {
    expect(has('We hired a C++ developer', 'C++')).toBe(true);
    expect(has('We hired a C developer', 'C++')).toBe(false);
    expect(has('AT&T and Verizon', 'at&t')).toBe(true);
    expect(has('anything at all', '.*')).toBe(false);
    expect(has('price is $5 (approx.)', '$5 (approx.)')).toBe(true);
    expect(has('a[b]c', '[b]')).toBe(true);
    expect(has('abc', '[b]')).toBe(false);
    // A catastrophic-backtracking pattern is just text: no hang, no match.
    expect(has(`${'a'.repeat(50_000)}!`, '(a+)+$')).toBe(false);
  });

  it('counts curly and straight apostrophes as the same', () => {
    expect(has('Macy’s results', "macy's")).toBe(true);
    expect(has("Macy's results", 'Macy’s')).toBe(true);
  });

  it('drops keywords that fold to nothing and reports the matches as typed', () => {
    const keywords = compileKeywords(['  ', 'Cotton', '棉花', 'wool']);
    expect(keywords.map((k) => k.text)).toEqual(['Cotton', '棉花', 'wool']);
    expect(matchingKeywords(foldText('COTTON and 棉花'), keywords)).toEqual(['Cotton', '棉花']);
  });
});

describe('compileFilter', () => {
  it('passes everything, without needing text, when there are no filters', () => {
    const f = compileFilter({});
    expect(f.needsText).toBe(false);
    expect(f.test(article())).toEqual({ pass: true, reasons: [] });
  });

  it('include: any keyword in the title or the text; the reason names the matches', () => {
    const f = compileFilter({ include: ['cotton', '棉花', 'wool'] });
    expect(f.needsText).toBe(true);
    expect(f.test(article({ title: 'Cotton up' }))).toEqual({ pass: true, reasons: ['matches keyword "cotton"'] });
    expect(f.test(article({ text: '棉花 and wool' }))).toEqual({ pass: true, reasons: ['matches keywords "棉花", "wool"'] });
    expect(f.test(article({ title: 'Steel', text: 'cottonwood' }))).toEqual({ pass: false, why: 'matches no keyword' });
  });

  it('a phrase cannot run from the end of the title into the text', () => {
    const f = compileFilter({ include: ['cotton prices'] });
    expect(f.test(article({ title: 'About cotton', text: 'Prices rose' })).pass).toBe(false);
    expect(f.test(article({ title: 'About cotton prices', text: 'rose' })).pass).toBe(true);
  });

  it('exclude wins over include', () => {
    const f = compileFilter({ include: ['cotton'], exclude: ['ＡＤＶＥＲＴＩＳＥＭＥＮＴ', '广告'] });
    expect(f.test(article({ title: 'Cotton deals', text: 'Advertisement' }))).toEqual({
      pass: false,
      why: 'matches excluded keyword "ＡＤＶＥＲＴＩＳＥＭＥＮＴ"',
    });
    expect(f.test(article({ title: '棉花 cotton 广告' }))).toEqual({ pass: false, why: 'matches excluded keyword "广告"' });
    expect(compileFilter({ exclude: ['ads'] }).test(article({ title: 'Roads' }))).toEqual({ pass: true, reasons: [] });
  });

  it('categories: the category or any tag, case- and width-insensitive', () => {
    const f = compileFilter({ categories: ['Markets', '政策'] });
    expect(f.needsText).toBe(false);
    expect(f.test(article({ category: 'MARKETS' }))).toEqual({ pass: true, reasons: ['category "Markets"'] });
    expect(f.test(article({ category: 'Tech', categories: ['Tech', '政策'] }))).toEqual({ pass: true, reasons: ['category "政策"'] });
    expect(f.test(article({ category: 'Tech' }))).toEqual({ pass: false, why: 'category not selected' });
    expect(f.test(article())).toEqual({ pass: false, why: 'category not selected' });
  });

  it('sources: only the listed source ids', () => {
    const f = compileFilter({ sources: [2, 3] });
    expect(f.test(article({ sourceId: 3 })).pass).toBe(true);
    expect(f.test(article({ sourceId: 1 }))).toEqual({ pass: false, why: 'source not selected' });
  });

  it('shows at most three matched keywords in the reason', () => {
    const f = compileFilter({ include: ['a1', 'a2', 'a3', 'a4', 'a5'] });
    expect(f.test(article({ text: 'a1 a2 a3 a4 a5' }))).toEqual({ pass: true, reasons: ['matches keywords "a1", "a2", "a3" and 2 more'] });
  });
});

describe('digestMatcher (subscriber keyword preferences)', () => {
  const match = digestMatcher([
    { title: 'Cotton futures climb', summary: 'Mills rebuild stocks.', category: 'markets' },
    { title: '化纤企业拓展新兴市场', summary: '出口订单增加。', category: null },
  ]);
  it('matches any keyword in any entry, width- and case-insensitively, Chinese included', () => {
    expect(match(['COTTON'])).toBe(true);
    expect(match(['polyester', '出口'])).toBe(true);
    expect(match(['ＭＡＲＫＥＴＳ'])).toBe(true);
    expect(match(['polyester'])).toBe(false);
    expect(match(['cot'])).toBe(false); // whole words for spaced scripts
    expect(match([])).toBe(true);
    expect(match(['  '])).toBe(true);
  });
});
