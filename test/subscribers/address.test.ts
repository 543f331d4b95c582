import { describe, expect, it } from 'vitest';
import { isHostName, isMailAddress, parseEmailAddress } from '../../src/subscribers/address.js';

describe('parseEmailAddress', () => {
  it('canonicalizes ordinary and international addresses', () => {
    expect(parseEmailAddress('  Ann.Li+news@Example.ORG ')).toEqual({ ok: true, address: 'ann.li+news@example.org' });
    expect(parseEmailAddress('a@bücher.example')).toEqual({ ok: true, address: 'a@xn--bcher-kva.example' });
    expect(parseEmailAddress("o'brien+news@mail.example.co.uk")).toEqual({ ok: true, address: "o'brien+news@mail.example.co.uk" });
  });

  it('refuses what could bend a header or an SMTP command', () => {
    for (const raw of [
      '',
      'no-at',
      '@x.org',
      'a@',
      'a b@x.org',
      'a@x.org\r\nBcc: v@x.org',
      'a\n@x.org',
      '"q"@x.org',
      'a<b>@x.org',
      'a@x',
      'a@1.2.3.4',
      'a@-x.org',
      'a..b@x.org',
      `${'a'.repeat(65)}@x.org`,
      'a@x.org>',
      'a,b@x.org',
    ]) {
      expect(parseEmailAddress(raw).ok, raw).toBe(false);
    }
  });

  it('refuses domains the URL parser would quietly rewrite: a port, a path, an escape, a literal', () => {
    for (const raw of ['a@x.org:25', 'a@x.org/p', 'a@ex%61mple.org', 'a@[127.0.0.1]', 'a@x.org?', 'a@x.org#']) {
      expect(parseEmailAddress(raw).ok, raw).toBe(false);
    }
  });

  it('says what is wrong', () => {
    expect(parseEmailAddress('a@x')).toEqual({ ok: false, reason: '"x" is not a valid domain' });
    expect(parseEmailAddress('a b@x.org')).toEqual({ ok: false, reason: 'the address contains spaces or control characters' });
  });

  it('takes a host without a dot only when asked (a sender such as news@localhost)', () => {
    expect(parseEmailAddress('news@localhost').ok).toBe(false);
    expect(parseEmailAddress('news@localhost', { singleLabel: true })).toEqual({ ok: true, address: 'news@localhost' });
  });
});

describe('isMailAddress (headers, envelopes, MAIL_FROM)', () => {
  it('is the same rule, applied to the address exactly as written', () => {
    expect(isMailAddress('News@Example.org')).toBe(true);
    expect(isMailAddress('tidings@localhost')).toBe(true);
    for (const raw of [' a@x.org', 'a@x.org ', 'a@bücher.example', 'ü@example.com', 'a@x.org:25', 'a@1.2.3.4', '<a@x.org>', 'a@b.c\r\nBcc: x@example.com']) {
      expect(isMailAddress(raw), raw).toBe(false);
    }
    // Whatever the header check accepts, the subscriber rule accepts too (given a dotted domain).
    for (const raw of ['a.b+c@x.org', "o'brien@mail.example.co.uk", 'x_y@sub-domain.example']) {
      expect(isMailAddress(raw), raw).toBe(true);
      expect(parseEmailAddress(raw).ok, raw).toBe(true);
    }
  });

  it('knows host names', () => {
    expect(isHostName('mail.example.org')).toBe(true);
    expect(isHostName('tidings2026')).toBe(true);
    expect(isHostName('-bad.example')).toBe(false);
    expect(isHostName('a..b')).toBe(false);
  });
});
