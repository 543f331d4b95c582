import { describe, expect, it } from 'vitest';
import type { Pieces, PlaceholderValues } from '../../src/digest/personalize.js';
import { fillQp, qpCheaper, qpLine, qpTemplate, qpText } from '../../src/deliver/qp.js';

/** A strict decoder: soft breaks joined, =XX turned back into bytes, UTF-8 decoded. */
function decode(qp: string): string {
  const joined = qp.replace(/=\r\n/g, '');
  expect(joined).not.toMatch(/=(?![0-9A-F]{2})/);
  return Buffer.from(
    joined.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
}

/** What RFC 2045 and DKIM's relaxed body canonicalization ask of every encoded line. */
function expectWellFormed(qp: string) {
  for (const line of qp.split('\r\n')) {
    expect(line.length, line).toBeLessThanOrEqual(76);
    expect(line, 'no trailing space').not.toMatch(/[ \t]$/);
    expect(line, 'no run of spaces').not.toMatch(/[ \t]{2}/);
    expect(line, 'no tab, no control, no 8-bit').toMatch(/^[\x20-\x7e]*$/);
    expect(line.startsWith('.'), 'no leading dot').toBe(false);
  }
}

describe('quoted-printable', () => {
  it('passes plain short lines through untouched', () => {
    expect(qpLine('<td>Cotton futures rise</td>')).toBe('<td>Cotton futures rise</td>');
    expect(qpLine('a b c')).toBe('a b c');
  });

  it('encodes what must be encoded and round-trips', () => {
    const cases = [
      'a=b',
      'trailing space ',
      'double  space and\ttab',
      '.leading dot',
      'naïve café — 棉纺织行业 🧵',
      'x'.repeat(74) + '.' + 'y'.repeat(10),
      `${'long line with = signs and spaces '.repeat(12)}end`,
      ' ',
      '',
      'bare\rCR',
    ];
    for (const line of cases) {
      const qp = qpLine(line);
      expectWellFormed(qp);
      expect(decode(qp), JSON.stringify(line)).toBe(line);
    }
    expect(qpLine('a=b')).toBe('a=3Db');
    expect(qpLine('end ')).toBe('end=20');
    expect(qpLine('.x')).toBe('=2Ex');
    expect(qpLine('é')).toBe('=C3=A9');
  });

  it('never splits an escape across a soft line break', () => {
    const qp = qpLine('é'.repeat(60));
    for (const line of qp.split('=\r\n')) expect(line).toMatch(/^(=[0-9A-F]{2})*$/);
    expect(decode(qp)).toBe('é'.repeat(60));
  });

  it('encodes texts line by line with CRLF', () => {
    expect(qpText('one\r\ntwo\nthree ')).toBe('one\r\ntwo\r\nthree=20');
  });

  it('fills a precompiled template exactly as encoding the joined text would', () => {
    const html = ['<p>Hello ', '</p>\n<a href="', '" style="color:#333;font-family:Helvetica,Arial,sans-serif;font-size:13px;line-height:1.5">x</a>\n', ''];
    const pieces: Pieces = {
      literals: [`${'<div style="margin:0 auto;max-width:600px">\n'.repeat(40)}${html[0]}`, html[1]!, html[2]!, `${'<td>  .x = y  </td>\n'.repeat(30)}tail `],
      slots: ['name', 'unsubscribe_url', 'preferences_url'],
    };
    const values = {
      name: 'Zoë  O’Brien',
      unsubscribe_url: 'https://news.example.org/u/abc?x=1&amp;y=2',
      preferences_url: 'https://news.example.org/p/abc',
      greeting_en: '',
      greeting_zh: '',
    } satisfies PlaceholderValues;
    const template = qpTemplate(pieces);
    // Only the lines holding a value are left for per-recipient work.
    expect(template.lines.filter((l) => typeof l !== 'string')).toHaveLength(3);
    let joined = pieces.literals[0]!;
    pieces.slots.forEach((slot, i) => {
      joined += values[slot] + pieces.literals[i + 1]!;
    });
    const filled = fillQp(template, values);
    expect(filled).toBe(qpText(joined));
    expectWellFormed(filled);
    expect(decode(filled).replace(/\r\n/g, '\n')).toBe(joined);
  });

  it('prefers base64 where QP would be larger', () => {
    expect(qpCheaper('<p style="margin:0">Cotton prices rose 2% on Monday.</p>')).toBe(true);
    expect(qpCheaper('中国棉纺织行业协会发布的数据显示，十一月行业景气指数为五十一点二。')).toBe(false);
  });
});
