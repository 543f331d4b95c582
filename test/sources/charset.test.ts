// Chinese pages through the real fetcher and decodeBody: every GB label position (header, a late
// <meta>, the XML prolog, none at all) must give back the exact text, with no U+FFFD.
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBody, sniffCharset } from '../../src/sources/charset.js';
import { type FixtureServer, type Routes, startServer } from '../support/http-fixture.js';
import { testFetcher } from '../support/fetcher.js';

const TEXTS = {
  // Only GB2312 characters.
  gb2312: '棉花价格上涨，新疆棉区迎来丰收。中国纺织工业联合会发布最新市场报告，棉纱出口同比增长百分之十二。',
  // 镕, 喆, 堃 and traditional 裏 are in GBK but not in GB2312.
  gbk: '朱镕基视察纺织企业；陶喆演唱会门票售罄；王堃谈裏衣市场。棉花价格上涨，新疆棉区迎来丰收。',
  // 㑇 (Extension A) and 𠀀 (Extension B, a four-byte GB18030 sequence) are outside GBK.
  gb18030: '㑇字与𠀀字出现在古籍中；朱镕基视察纺织企业。棉花价格上涨，新疆棉区迎来丰收。€符号也在其中。',
} as const;
type Charset = keyof typeof TEXTS;
const CHARSETS = Object.keys(TEXTS) as Charset[];

// A long <head> pushes the <meta> past the first few kilobytes, as on many portal pages.
const padding = `<style>${'.nav-item{margin:0 4px;padding:2px 6px;color:#333;}\n'.repeat(80)}</style>`;

const documents = (charset: Charset) => {
  const text = TEXTS[charset];
  const meta = charset === 'gb2312' ? `<meta http-equiv="Content-Type" content="text/html; charset=${charset}">` : `<meta charset="${charset.toUpperCase()}">`;
  return {
    header: {
      type: `text/html; charset=${charset}`,
      doc: `<!doctype html><html><head><title>${text.slice(0, 8)}</title></head><body><p>${text}</p></body></html>`,
    },
    meta: {
      type: 'text/html',
      doc: `<!doctype html><html><head><title>新闻</title>${padding}${meta}</head><body><p>${text}</p></body></html>`,
    },
    prolog: {
      type: 'application/rss+xml',
      doc: `<?xml version="1.0" encoding="${charset.toUpperCase()}"?>\n<rss version="2.0"><channel><title>${text.slice(0, 6)}</title><item><description>${text}</description></item></channel></rss>`,
    },
    unlabelled: {
      type: 'text/html',
      doc: `<html><head><title>${text.slice(0, 8)}</title></head><body><p>${text}</p><p>${text}</p></body></html>`,
    },
  };
};
type Labelling = keyof ReturnType<typeof documents>;
const LABELLINGS: Labelling[] = ['header', 'meta', 'prolog', 'unlabelled'];

const UTF8_PAGE = `<!doctype html><html><head><title>新闻</title></head><body><p>${TEXTS.gb18030}</p></body></html>`;

describe('Chinese charsets through the fetcher', () => {
  let server: FixtureServer;
  const fetcher = testFetcher({ perHostConcurrency: 8, allow: ['127.0.0.2'] });

  beforeAll(async () => {
    const routes: Routes = {};
    for (const charset of CHARSETS) {
      for (const [labelling, { type, doc }] of Object.entries(documents(charset))) {
        routes[`/${charset}/${labelling}`] = { headers: { 'content-type': type }, body: iconv.encode(doc, charset) };
      }
    }
    routes['/utf8/labelled-gbk'] = { headers: { 'content-type': 'text/html; charset=gbk' }, body: Buffer.from(UTF8_PAGE) };
    routes['/utf8/unlabelled'] = { headers: { 'content-type': 'text/html' }, body: Buffer.from(UTF8_PAGE) };
    routes['/utf8/labelled'] = { headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(UTF8_PAGE) };
    server = await startServer(routes, { host: '127.0.0.2' });
  });

  afterAll(async () => {
    await fetcher.close();
    await server.close();
  });

  async function fetchDecoded(path: string) {
    const res = await fetcher.fetch(`${server.url}${path}`);
    if (res.status !== 'ok') throw new Error(`expected a body for ${path}`);
    return decodeBody(res.body, res.contentType);
  }

  it('test data survives the encoder (no character was replaced by "?")', () => {
    for (const charset of CHARSETS) {
      expect(iconv.decode(iconv.encode(TEXTS[charset], charset), charset)).toBe(TEXTS[charset]);
    }
    const fourByte = iconv.encode('𠀀', 'gb18030');
    expect(fourByte).toHaveLength(4);
    expect(documents('gbk').meta.doc.indexOf('<meta charset')).toBeGreaterThan(3 * 1024);
  });

  for (const charset of CHARSETS) {
    it.each(LABELLINGS)(`${charset} labelled by %s decodes to the exact text`, async (labelling) => {
      const decoded = await fetchDecoded(`/${charset}/${labelling}`);
      expect(decoded.text).not.toContain('\uFFFD');
      expect(decoded.text).toBe(documents(charset)[labelling].doc);
      expect(decoded.encoding).toBe('gb18030');
    });
  }

  it('valid UTF-8 stays UTF-8, labelled or not', async () => {
    for (const path of ['/utf8/labelled', '/utf8/unlabelled']) {
      const decoded = await fetchDecoded(path);
      expect(decoded).toMatchObject({ text: UTF8_PAGE, encoding: 'utf-8' });
    }
  });

  // Decision: a GB label on bytes that are valid UTF-8 and not plain ASCII is a mislabel. Real
  // GBK text of more than a few characters is essentially never valid UTF-8, while CMS templates
  // that keep an old "gbk" header after a move to UTF-8 are common.
  it('a UTF-8 page mislabelled as GBK is decoded as UTF-8', async () => {
    const decoded = await fetchDecoded('/utf8/labelled-gbk');
    expect(decoded.text).not.toContain('\uFFFD');
    expect(decoded).toMatchObject({ text: UTF8_PAGE, encoding: 'utf-8' });
  });
});

// The same sniffing serves files that carry no label at all (uploaded CSV files, read in chunks).
describe('sniffCharset (unlabelled files)', () => {
  it('a BOM decides, then UTF-8, then GB-shaped bytes, then windows-1252', () => {
    const zh = TEXTS.gbk;
    expect(sniffCharset(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toEqual({ charset: 'utf-8', source: 'bom' });
    expect(sniffCharset(iconv.encode(zh, 'utf-16le', { addBOM: true }))).toEqual({ charset: 'utf-16le', source: 'bom' });
    expect(sniffCharset(iconv.encode(zh, 'utf-16be', { addBOM: true }))).toEqual({ charset: 'utf-16be', source: 'bom' });
    expect(sniffCharset(Buffer.from(zh))).toEqual({ charset: 'utf-8', source: 'sniff' });
    expect(sniffCharset(iconv.encode(zh, 'gbk'))).toEqual({ charset: 'gb18030', source: 'sniff' });
    expect(sniffCharset(iconv.encode('Zoë, café;\n', 'windows-1252'))).toEqual({ charset: 'windows-1252', source: 'default' });
  });

  it('a character cut at the end of a partial head is still UTF-8; at the end of a whole file it is not', () => {
    const cut = Buffer.from('棉花').subarray(0, 4);
    expect(sniffCharset(cut, true).charset).toBe('utf-8');
    expect(sniffCharset(cut, false).charset).not.toBe('utf-8');
  });
});
