import { describe, expect, it } from 'vitest';
import { chooseLang, detectLang, normalizeLangTag } from '../../src/ingest/lang.js';

describe('detectLang', () => {
  it.each([
    ['Cotton futures climbed to a two-month high on Thursday.', 'en'],
    ['郑州商品交易所棉花期货价格升至两个月以来的高点。', 'zh'],
    ['苹果发布iPhone 15，售价5999元起', 'zh'],
    ['綿花の先物価格は木曜日に二か月ぶりの高値を付けた。', 'ja'],
    ['면화 선물 가격이 목요일 두 달 만에 최고치를 기록했다.', 'ko'],
    ['Фьючерсы на хлопок в четверг выросли до двухмесячного максимума.', 'ru'],
    ['Zhengzhou (郑州) cotton futures climbed to a two-month high on Thursday as mills bought.', 'en'],
  ])('%s → %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang);
  });

  it('says nothing about too little text', () => {
    expect(detectLang('2026-01-01 12:00')).toBeUndefined();
    expect(detectLang('ok')).toBeUndefined();
  });
});

describe('chooseLang', () => {
  it('forced, then plausible declared, then detected, then declared, then und', () => {
    expect(chooseLang('Cotton prices rise', { forced: 'zh-Hans', declared: ['en'] })).toBe('zh');
    expect(chooseLang('Baumwollpreise steigen deutlich', { declared: ['de-DE'] })).toBe('de');
    expect(chooseLang('Cotton prices rise sharply', { declared: ['zh-CN'] })).toBe('en');
    expect(chooseLang('棉花价格大幅上涨', { declared: [undefined, 'en'] })).toBe('zh');
    expect(chooseLang('棉花价格大幅上涨', { declared: ['zh-TW'] })).toBe('zh');
    expect(chooseLang('綿花価格が上昇した', { declared: ['ja'] })).toBe('ja');
    expect(chooseLang('12345', { declared: ['fr'] })).toBe('fr');
    expect(chooseLang('12345')).toBe('und');
  });
});

describe('normalizeLangTag', () => {
  it('keeps the primary subtag and fixes common wrong labels', () => {
    expect(normalizeLangTag('zh-Hans-CN')).toBe('zh');
    expect(normalizeLangTag('EN_us')).toBe('en');
    expect(normalizeLangTag('cn')).toBe('zh');
    expect(normalizeLangTag('')).toBeUndefined();
    expect(normalizeLangTag('123')).toBeUndefined();
    expect(normalizeLangTag(undefined)).toBeUndefined();
  });
});
