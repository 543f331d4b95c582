import { describe, expect, it } from 'vitest';
import {
  type RenderedEmail,
  capText,
  cleanRecipientName,
  neutralizeTokens,
  personalize,
  plainLine,
  recipientPlaceholders,
} from '../../src/digest/personalize.js';
import { RECIPIENT } from './email-fixtures.js';

const tokens = recipientPlaceholders('en');

function rendered(): RenderedEmail {
  return {
    subject: 'Digest',
    preheader: 'p',
    html: `<p>${tokens.greeting}</p><a href="${tokens.unsubscribeUrl}">Unsubscribe</a><a href="${tokens.preferencesUrl}">Prefs</a>`,
    text: `${tokens.greeting}\nUnsubscribe: ${tokens.unsubscribeUrl}\nName: ${tokens.name}`,
  };
}

describe('personalize', () => {
  it('fills every placeholder, escaped for HTML and raw in text', () => {
    const out = personalize(rendered(), { ...RECIPIENT, name: 'Tom & "Jerry" <x>' });
    expect(out.html).toBe(
      '<p>Hello Tom &amp; &quot;Jerry&quot; &lt;x&gt;,</p>' +
        '<a href="https://news.example.org/unsubscribe?t&#x3D;tok123">Unsubscribe</a>' +
        '<a href="https://news.example.org/preferences?t&#x3D;tok123">Prefs</a>',
    );
    expect(out.text).toBe('Hello Tom & "Jerry" <x>,\nUnsubscribe: https://news.example.org/unsubscribe?t=tok123\nName: Tom & "Jerry" <x>');
    expect(out.subject).toBe('Digest');
  });

  it('greets without a name, and in Chinese for a Chinese digest', () => {
    expect(personalize(rendered(), { ...RECIPIENT, name: null }).text).toMatch(/^Hello,\n/);
    const zh = { ...rendered(), text: recipientPlaceholders('zh').greeting };
    expect(personalize(zh, { ...RECIPIENT, name: '李雷' }).text).toBe('李雷，您好：');
  });

  it('serves many recipients from one split and notices a changed object', () => {
    const r = rendered();
    const a = personalize(r, { ...RECIPIENT, name: 'A' });
    const b = personalize(r, { ...RECIPIENT, name: 'B' });
    expect(a.text).toContain('Name: A');
    expect(b.text).toContain('Name: B');
    r.text = `Bye ${tokens.name}`;
    expect(personalize(r, { ...RECIPIENT, name: 'C' }).text).toBe('Bye C');
  });

  it('refuses unsubscribe and preferences links that are not http(s)', () => {
    expect(() => personalize(rendered(), { ...RECIPIENT, unsubscribeUrl: 'javascript:alert(1)' })).toThrow(/unsubscribe URL must be http\(s\)/);
    expect(() => personalize(rendered(), { ...RECIPIENT, preferencesUrl: '/relative' })).toThrow(/preferences URL is not a URL/);
  });

  it('rejects unknown placeholders in a stored email instead of sending them', () => {
    expect(() => personalize({ ...rendered(), text: '%%tidings.password%%' }, RECIPIENT)).toThrow(/unknown placeholder %%tidings\.password%%/);
  });

  it('caps a personalized subject and keeps it on one line', () => {
    const r = { ...rendered(), subject: `For ${tokens.name}: ${'x'.repeat(200)}` };
    const { subject } = personalize(r, { ...RECIPIENT, name: 'Eve\r\nBcc: all@example.com' });
    expect(subject.startsWith('For Eve Bcc: all@example.com: xxx')).toBe(true);
    expect(subject.length).toBeLessThanOrEqual(150);
  });
});

describe('text helpers', () => {
  it('neutralizes tokens in data', () => {
    const n = neutralizeTokens(`x ${tokens.unsubscribeUrl} y`);
    expect(n).not.toContain(tokens.unsubscribeUrl);
    expect(personalize({ ...rendered(), text: n }, RECIPIENT).text).toBe(n);
  });

  it('plainLine removes controls and bidi overrides, capText cuts on grapheme boundaries', () => {
    expect(plainLine(' a\r\nb\u0000c\u2028d\u202ee\t\tf ')).toBe('a b c de f');
    const family = '👨‍👩‍👧';
    const capped = capText(`ab${family.repeat(10)}`, 12);
    expect(capped).toBe(`ab${family}…`);
    expect(capText('short', 10)).toBe('short');
    expect(cleanRecipientName('x'.repeat(500)).length).toBeLessThanOrEqual(100);
  });
});
