import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CsvError, CsvParser, csvCell, csvLine, parseCsv, readCsv, uncell } from '../../src/subscribers/csv.js';
import { decodeText } from '../../src/subscribers/text-stream.js';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* pieces<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

describe('CSV parser (RFC 4180 and what spreadsheets save)', () => {
  it('reads quoted fields with commas, line breaks and "" escapes', () => {
    expect(fields('email,name\r\na@x.org,"Doe, Jane"\r\nb@x.org,"say ""hi""\r\nline two"\r\n')).toEqual([
      ['email', 'name'],
      ['a@x.org', 'Doe, Jane'],
      ['b@x.org', 'say "hi"\r\nline two'],
    ]);
  });

  it('accepts LF, CRLF and lone CR line ends, a BOM, and a last line without a break', () => {
    expect(fields('\ufeffa,b\nc,d\r\ne,f\rg,h')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g', 'h'],
    ]);
    expect(fields('a,,\n')).toEqual([['a', '', '']]);
    expect(fields('"",x\n')).toEqual([['', 'x']]);
  });

  it('keeps quotes inside unquoted fields and text after a closing quote, as spreadsheets do', () => {
    expect(fields('ab"c,"d"e,f\n')).toEqual([['ab"c', 'de', 'f']]);
  });

  it('numbers records as spreadsheet rows: blank lines are skipped by readCsv but still counted', async () => {
    const records = await collect(readCsv(pieces(['h\n\na\n"multi\nline"\nb\n'])));
    expect(records).toEqual([
      { row: 1, fields: ['h'] },
      { row: 3, fields: ['a'] },
      { row: 4, fields: ['multi\nline'] },
      { row: 5, fields: ['b'] },
    ]);
  });

  it('gives the same records whatever the chunk boundaries (CRLF and "" split across chunks)', () => {
    const text = '\ufeffemail,name\r\n"a@x.org","x ""y"", z"\r\nb@x.org,王小明\r\n\r\nc@x.org,"two\r\nlines"\r\n';
    const whole = parseCsv(text);
    for (const size of [1, 2, 3, 5, 7]) {
      const parser = new CsvParser();
      const got = [];
      for (let i = 0; i < text.length; i += size) got.push(...parser.push(text.slice(i, i + size)));
      got.push(...parser.end());
      expect(got, `chunks of ${size}`).toEqual(whole);
    }
  });

  it('refuses an unclosed quote and a runaway record, naming the row', () => {
    expect(() => parseCsv('a\n"never closed\n')).toThrow(new CsvError('row 2: a quoted field is never closed'));
    const parser = new CsvParser(10);
    expect(parser.push('short\n')).toHaveLength(1);
    expect(() => parser.push('"this is far too long')).toThrow(/row 2 is longer than 10 characters/);
  });
});

describe('CSV writer', () => {
  it('quotes only what RFC 4180 requires', () => {
    expect(csvLine(['plain', 'a,b', 'say "hi"', 'two\nlines', '', null])).toBe('plain,"a,b","say ""hi""","two\nlines",,\r\n');
  });

  it('neutralizes cells a spreadsheet would run as formulas', () => {
    for (const evil of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) {
      expect(csvCell(evil).replace(/^"/, '').startsWith("'"), JSON.stringify(evil)).toBe(true);
    }
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('round-trips any text through write, parse and uncell', () => {
    // A fixed pseudo-random generator: the same awkward strings on every run.
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = ['a', 'Z', ',', '"', '\n', '\r', ' ', '=', '+', '-', '@', '\t', "'", '棉', ';'];
    const rows = Array.from({ length: 300 }, () =>
      Array.from({ length: 1 + Math.floor(rand() * 4) }, () =>
        Array.from({ length: Math.floor(rand() * 8) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(''),
      ),
    );
    const text = rows.map(csvLine).join('');
    const back = parseCsv(text).map((r) => r.fields.map(uncell));
    // Only a value that itself began with an apostrophe before a formula character loses it.
    expect(back).toEqual(rows.map((r) => r.map(uncell)));
    expect(back.flat().filter((c) => /^[=+\-@\t\r]/.test(c)).length).toBeGreaterThan(20);
  });
});

describe('decoding uploaded files', () => {
  it('reads UTF-8 (with or without BOM), GBK from Excel, and UTF-16 with a BOM', async () => {
    const text = 'email,name\nli@x.org,李雷\n';
    const decode = async (bytes: Buffer, chunk = 3) => {
      let enc = '';
      const parts = [];
      for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
      const out = (await collect(decodeText(pieces(parts), (e) => (enc = e)))).join('');
      return { out: out.replace(/^\ufeff/, ''), enc };
    };
    expect(await decode(Buffer.from(text))).toEqual({ out: text, enc: 'utf-8' });
    expect(await decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toEqual({ out: text, enc: 'utf-8' });
    expect(await decode(iconv.encode(text, 'gbk'))).toEqual({ out: text, enc: 'gb18030' });
    expect(await decode(iconv.encode(text, 'utf-16le', { addBOM: true }), 1)).toEqual({ out: text, enc: 'utf-16le' });
    expect(await decode(Buffer.from('plain ascii'))).toEqual({ out: 'plain ascii', enc: 'utf-8' });
    // A Western Excel's CSV: é followed by a comma or newline is no GB character.
    const latin = 'email,name\njose@x.org,José,Müller é\n';
    expect(await decode(iconv.encode(latin, 'windows-1252'))).toEqual({ out: latin, enc: 'windows-1252' });
  });

  it('refuses bytes that stop being UTF-8 after a UTF-8 start', async () => {
    const head = Buffer.from(`email\n${'a@x.org\n'.repeat(10_000)}`);
    const tail = iconv.encode('李雷@x.org\n', 'gbk');
    await expect(collect(decodeText(pieces([head, tail])))).rejects.toThrow(/not valid UTF-8 past its first 64 KB/);
  });
});
