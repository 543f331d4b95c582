import { describe, expect, it } from 'vitest';
import { firstSentence, inlineText, normalizeText, searchText, textWords, words } from '../../src/ingest/text.js';

describe('normalizeText', () => {
  it('keeps paragraphs and line breaks, collapses other whitespace, NFC, no invisibles', () => {
    expect(normalizeText('  a\u00a0\u00a0b \r\n\r\n\r\n c\u200b\n d\t e \n \n\u3000f  ')).toBe('a b\n\nc\nd e\n\nf');
    expect(normalizeText('Cafe\u0301')).toBe('Café');
    expect(normalizeText(' \n\n ')).toBe('');
  });
});

describe('inlineText', () => {
  it('strips tags and script content, decodes entities, one line', () => {
    expect(inlineText('<b>Cotton</b> &amp; <i>yarn</i>\n<script>x()</script> up &lt;2%')).toBe('Cotton & yarn up <2%');
    expect(inlineText('R&D spending: a < b')).toBe('R&D spending: a < b');
  });
});

describe('firstSentence', () => {
  it('ends at the first full stop (Latin or CJK) and stays within the limit', () => {
    expect(firstSentence('Prices rose 3.5 percent. Mills bought.')).toBe('Prices rose 3.5 percent.');
    expect(firstSentence('棉价上涨。纺织企业采购。')).toBe('棉价上涨。');
    expect(firstSentence('No stop here')).toBe('No stop here');
    expect(firstSentence('abc def ghi jkl', 10)).toBe('abc def…');
  });
});

describe('words and searchText', () => {
  it('segments Chinese with Intl.Segmenter and other scripts by UAX #29-like rules', () => {
    expect(words('Cotton’s price: 15,620 yuan (3.5%) in the U.S.', 'en')).toEqual(['cotton’s', 'price', '15,620', 'yuan', '3.5', 'in', 'the', 'u.s']);
    expect(words('中国纺织工业联合会发布报告', 'zh')).toEqual(['中国', '纺织', '工业', '联合', '会', '发布', '报告']);
    expect(words('ＡＢＣ　１２３', 'en')).toEqual(['abc', '123']);
    expect(searchText('Cotton', '棉花 prices', 'zh')).toEqual({ searchText: 'cotton 棉花 prices', titleWords: 1 });
  });

  it('gives back exactly the text’s words from the search column', () => {
    for (const [title, text, lang] of [
      ['Cotton at a high', 'Mills bought 3.5% more; 棉花价格上涨 in the U.S.', 'en'],
      ['', 'Body only', 'en'],
      ['Title only', '', 'en'],
      ['新疆棉花', '中国纺织工业联合会发布报告', 'zh'],
    ] as const) {
      const { searchText: column, titleWords } = searchText(title, text, lang);
      expect(textWords(column, titleWords)).toEqual(words(text, lang));
      expect(column).toBe(words(`${title}\n${text}`, lang).join(' '));
    }
  });
});
