import { describe, expect, it } from 'vitest';
import { multipartBoundary, parseMultipart, parseUrlencoded } from '../../src/http/forms.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('form bodies', () => {
  it('parses urlencoded bodies with repeated names, + and %-escapes, and a "__proto__" field as data', () => {
    const f = parseUrlencoded('List-Unsubscribe=One-Click&newsletter=a&newsletter=b&name=Ann+Lee&x=%E6%A3%89&__proto__=1');
    expect(f['List-Unsubscribe']).toEqual(['One-Click']);
    expect(f.newsletter).toEqual(['a', 'b']);
    expect(f.name).toEqual(['Ann Lee']);
    expect(f.x).toEqual(['棉']);
    expect(Object.entries(f)).toContainEqual(['__proto__', ['1']]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads the boundary, quoted or not', () => {
    expect(multipartBoundary('multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxk')).toBe('----WebKitFormBoundary7MA4YWxk');
    expect(multipartBoundary('multipart/form-data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
    expect(multipartBoundary('multipart/form-data')).toBeUndefined();
  });

  it('parses multipart text fields, skips files, and keeps line breaks inside values', () => {
    const body = crlf([
      'preamble',
      '--XyZ',
      'Content-Disposition: form-data; name="List-Unsubscribe"',
      '',
      'One-Click',
      '--XyZ',
      'Content-Disposition: form-data; name="file"; filename="a.txt"',
      'Content-Type: text/plain',
      '',
      'ignored',
      '--XyZ',
      'content-disposition: form-data; name=note',
      '',
      'two',
      'lines',
      '--XyZ--',
      'epilogue',
    ]);
    const f = parseMultipart(body, 'XyZ');
    expect(f['List-Unsubscribe']).toEqual(['One-Click']);
    expect(f.file).toBeUndefined();
    expect(f.note).toEqual(['two\r\nlines']);
  });

  it('accepts bare LF line ends and refuses bodies without a closing boundary', () => {
    expect(parseMultipart(Buffer.from('--b\nContent-Disposition: form-data; name="a"\n\n1\n--b--\n'), 'b').a).toEqual(['1']);
    expect(() => parseMultipart(Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'), 'b')).toThrow(/unterminated/);
    expect(() => parseMultipart(Buffer.from('no boundary here'), 'b')).toThrow(/no boundary/);
  });
});
