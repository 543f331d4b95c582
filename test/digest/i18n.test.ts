import { describe, expect, it } from 'vitest';
import { formatDate, resolveLang, staticStrings, t } from '../../src/digest/i18n.js';

describe('i18n', () => {
  it('has the strings of both languages', () => {
    expect(t('en', 'alsoReportedBy')).toBe('Also reported by');
    expect(t('zh', 'alsoReportedBy')).toBe('其他报道来源');
    expect(t('en', 'unsubscribe')).toBe('Unsubscribe');
    expect(t('zh-CN', 'unsubscribe')).toBe('退订');
    expect(t('fr', 'unsubscribe')).toBe('Unsubscribe');
  });

  it('interpolates once, with plurals from count', () => {
    expect(t('en', 'storyCount', { count: 1 })).toBe('1 story');
    expect(t('en', 'storyCount', { count: 5 })).toBe('5 stories');
    expect(t('zh', 'storyCount', { count: 5 })).toBe('共 5 条');
    expect(t('en', 'greetingNamed', { name: '{name} {count}' })).toBe('Hello {name} {count},');
    expect(() => t('en', 'greetingNamed')).toThrow(/needs a value for \{name\}/);
    expect(() => t('en', 'storyCount')).toThrow(/numeric \{count\}/);
  });

  it('gives templates only the messages without variables', () => {
    const s = staticStrings('zh');
    expect(s.viewInBrowser).toBe('在浏览器中查看');
    expect(s).not.toHaveProperty('greetingNamed');
    expect(s).not.toHaveProperty('storyCount');
  });

  it('formats the calendar date in the given time zone', () => {
    const d = new Date('2026-11-24T20:00:00Z');
    expect(formatDate(d, 'en', 'UTC')).toBe('24 November 2026');
    expect(formatDate(d, 'en', 'Asia/Shanghai')).toBe('25 November 2026');
    expect(formatDate(d, 'zh', 'UTC')).toBe('2026年11月24日');
    expect(formatDate(d, 'zh', 'America/Los_Angeles')).toBe('2026年11月24日');
    expect(() => formatDate(d, 'en', 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => formatDate(new Date(Number.NaN), 'en', 'UTC')).toThrow(/invalid date/);
  });

  it('maps language tags onto the languages we have', () => {
    expect(resolveLang('zh-Hant-TW')).toBe('zh');
    expect(resolveLang('ZH_cn')).toBe('zh');
    expect(resolveLang('zu')).toBe('en');
  });
});
