import { describe, expect, it } from 'vitest';
import { commandMenu, formatDate, fromAcceptLanguage, keys, LANGS, message, negotiateLang, resolveLang, say, staticStrings, t } from '../../src/i18n/index.js';

const placeholders = (m: ReturnType<typeof message>) => [...new Set([...JSON.stringify(m).matchAll(/\{(\w+)\}/g)].map((x) => x[1]))].sort();

describe('the catalogue', () => {
  it('has every key in every language, with the same placeholders', () => {
    expect(keys().length).toBeGreaterThan(100);
    for (const key of keys()) {
      const en = message('en', key);
      for (const lang of LANGS) {
        const m = message(lang, key);
        expect(typeof m === 'string' ? m : m.other, `${lang} ${key}`).not.toBe('');
        expect(placeholders(m), `${lang} ${key}`).toEqual(placeholders(en));
      }
    }
  });

  it('covers every area: digest, bot, pages and mails', () => {
    const areas = new Set(keys().map((k) => k.split('.')[0]));
    expect([...areas].sort()).toEqual(['bot', 'digest', 'mail', 'page']);
  });

  it('refuses a key that does not exist', () => {
    expect(() => t('en', 'page.nope' as 'page.email')).toThrow(/unknown message key "page.nope"/);
    expect(() => t('en', 'nope.email' as 'page.email')).toThrow(/unknown message key/);
  });
});

describe('t', () => {
  it('has the strings of both languages', () => {
    expect(t('en', 'digest.alsoReportedBy')).toBe('Also reported by');
    expect(t('zh', 'digest.alsoReportedBy')).toBe('其他报道来源');
    expect(t('zh-CN', 'digest.unsubscribe')).toBe('退订');
    expect(t('fr', 'digest.unsubscribe')).toBe('Unsubscribe');
    expect(t('zh', 'mail.subject', { newsletter: 'A、B' })).toBe('请确认订阅：A、B');
  });

  it('interpolates once, with plurals from count', () => {
    expect(t('en', 'digest.storyCount', { count: 1 })).toBe('1 story');
    expect(t('en', 'digest.storyCount', { count: 5 })).toBe('5 stories');
    expect(t('zh', 'digest.storyCount', { count: 5 })).toBe('共 5 条');
    expect(t('en', 'digest.greetingNamed', { name: '{name} {count}' })).toBe('Hello {name} {count},');
    expect(() => t('en', 'digest.greetingNamed')).toThrow(/needs a value for \{name\}/);
    expect(() => t('en', 'digest.storyCount')).toThrow(/numeric \{count\}/);
  });

  it('fills values in as given: escaping is the renderer’s', () => {
    const hostile = `<script>&amp;"'`;
    expect(t('en', 'page.subscribeTo', { newsletter: hostile })).toBe(`Subscribe to ${hostile}`);
    expect(t('en', 'digest.whyReceiving', { newsletter: hostile })).toContain(hostile);
    // The bot's messages are Telegram HTML, so say() escapes what it fills in — and only that.
    expect(say('en', 'subscribed', { name: '<i>x</i> & "y"' })).toBe(
      '✅ Subscribed to <b>&lt;i&gt;x&lt;/i&gt; &amp; &quot;y&quot;</b>. The next digest comes to this chat.',
    );
    expect(say('zh', 'latestHeader', { count: 3 })).toBe('<b>最新 3 条标题</b>');
  });

  it('gives templates only the digest messages without variables', () => {
    const s = staticStrings('zh');
    expect(s.viewInBrowser).toBe('在浏览器中查看');
    expect(s).not.toHaveProperty('greetingNamed');
    expect(s).not.toHaveProperty('storyCount');
    expect(s).not.toHaveProperty('subscribeTitle');
  });

  it('builds the bot’s command menu in each language', () => {
    expect(commandMenu('en')[0]).toEqual({ command: 'start', description: 'Welcome and choose newsletters' });
    expect(commandMenu('zh').map((c) => c.command)).toEqual(commandMenu('en').map((c) => c.command));
    expect(commandMenu('zh').at(-1)).toEqual({ command: 'help', description: '帮助' });
  });
});

describe('dates', () => {
  it('formats the calendar date in the given time zone', () => {
    const d = new Date('2026-11-24T20:00:00Z');
    expect(formatDate(d, 'en', 'UTC')).toBe('24 November 2026');
    expect(formatDate(d, 'en', 'Asia/Shanghai')).toBe('25 November 2026');
    expect(formatDate(d, 'zh', 'UTC')).toBe('2026年11月24日');
    expect(formatDate(d, 'zh', 'America/Los_Angeles')).toBe('2026年11月24日');
    expect(() => formatDate(d, 'en', 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => formatDate(new Date(Number.NaN), 'en', 'UTC')).toThrow(/invalid date/);
  });
});

describe('language negotiation', () => {
  it('maps language tags onto the languages we have', () => {
    expect(resolveLang('zh-Hant-TW')).toBe('zh');
    expect(resolveLang('ZH_cn')).toBe('zh');
    expect(resolveLang('zh-hans')).toBe('zh');
    expect(resolveLang('zu')).toBe('en');
    expect(resolveLang(undefined)).toBe('en');
    expect(resolveLang(null)).toBe('en');
  });

  it('reads Accept-Language by quality', () => {
    expect(fromAcceptLanguage('fr-FR, zh-CN;q=0.8, en;q=0.5')).toBe('zh');
    expect(fromAcceptLanguage('zh;q=0.3, en-GB;q=0.9')).toBe('en');
    expect(fromAcceptLanguage('zh;q=0, fr')).toBeUndefined();
    expect(fromAcceptLanguage(undefined)).toBeUndefined();
  });

  it('prefers an explicit choice, then the preferred language, then the browser', () => {
    expect(negotiateLang({ explicit: 'zh', preferred: 'en', acceptLanguage: 'en' })).toBe('zh');
    expect(negotiateLang({ explicit: 'de', preferred: 'zh-CN', acceptLanguage: 'en' })).toBe('zh');
    expect(negotiateLang({ preferred: null, acceptLanguage: 'zh-TW,en;q=0.5' })).toBe('zh');
    expect(negotiateLang({})).toBe('en');
  });
});
