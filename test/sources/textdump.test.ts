import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { parseTextDump, textdumpReader } from '../../src/sources/textdump.js';
import type { Fetcher, ParsedItem, ReadContext, ReadResult, SourceRef } from '../../src/sources/types.js';

const SAMPLE = new URL('../../../shared/samples/000_b1327684ba6b08b4.txt', import.meta.url);

function parsed(text: string, name = 'a.txt', opts?: { timeZone?: string }): ParsedItem {
  const r = parseTextDump(text, name, opts);
  if ('error' in r) throw new Error(r.error);
  return r;
}

describe.skipIf(!existsSync(SAMPLE))('the sample text dump (acceptance 4)', () => {
  it('has time, category, title, image, body without the footer, and the navigation titles', () => {
    const item = parsed(readFileSync(SAMPLE, 'utf8'), '000_b1327684ba6b08b4.txt');
    expect(item.id).toBe('000_b1327684ba6b08b4.txt');
    expect(item.link).toBeUndefined();
    expect(item.published?.toISOString()).toBe('2023-07-23T11:35:01.000Z'); // 19:35:01 in Asia/Shanghai
    expect(item.categories).toEqual(['Industry News']);
    expect(item.title).toBe('The Ministry of Industry and Information Technology held a symposium for manufacturing enterprises.');
    expect(item.image).toBe('7df2-16cfb3b23858822b192d60777a992840.jpg');
    expect(item.navigation).toEqual({
      previous: 'Global Manufacturing PMI for June hits a record low of 47.8%',
      next: "In May, the outlook for China's cotton textile industry rebounded",
    });
    const paragraphs = item.contentText!.split('\n\n');
    expect(paragraphs).toHaveLength(5);
    expect(paragraphs[0]).toMatch(/^In accordance with the arrangements of the State Council/);
    expect(paragraphs[4]).toBe('Officials from relevant departments of the Ministry also attended the symposium.');
    expect(item.contentText).not.toMatch(/Last text|Next text|\.jpg/);
  });
});

const ZH = [
  '2026-11-22 10:05:00 ｜ 行业新闻',
  '',
  '纺织行业协会发布三季度运行报告',
  '',
  '报告显示，前三季度行业运行总体平稳。',
  '',
  '出口增速有所回升。',
  '',
  '上一篇：棉价走强。',
  '下一篇：没有了',
].join('\n');

describe('parseTextDump', () => {
  it('reads the Chinese footer variant (上一篇/下一篇, full-width colon and bar, no image)', () => {
    const item = parsed(ZH);
    expect(item).toMatchObject({ title: '纺织行业协会发布三季度运行报告', categories: ['行业新闻'], navigation: { previous: '棉价走强' } });
    expect(item.navigation?.next).toBeUndefined();
    expect(item.image).toBeUndefined();
    expect(item.contentText).toBe('报告显示，前三季度行业运行总体平稳。\n\n出口增速有所回升。');
    expect(item.published?.toISOString()).toBe('2026-11-22T02:05:00.000Z');
  });

  it('tolerates CRLF, a BOM, a missing footer, a missing seconds field and blank lines around', () => {
    const text = '\uFEFF\r\n2026-11-20 09:12 | Market Watch\r\n\r\n\r\nTitle here\r\n\r\nphoto.PNG\r\n\r\nOnly paragraph.\r\n\r\n\r\n';
    const item = parsed(text);
    expect(item).toMatchObject({ title: 'Title here', image: 'photo.PNG', contentText: 'Only paragraph.', categories: ['Market Watch'] });
    expect(item.navigation).toBeUndefined();
    expect(item.published?.toISOString()).toBe('2026-11-20T01:12:00.000Z');
  });

  it('finds a footer glued to the last paragraph or split over two blocks, with one side only', () => {
    const glued = parsed('2026-01-01 00:00:00 | X\n\nT\n\nBody line.\nNext text:Tomorrow’s story.');
    expect(glued.contentText).toBe('Body line.');
    expect(glued.navigation).toEqual({ next: 'Tomorrow’s story' });
    const split = parsed('2026-01-01 00:00:00 | X\n\nT\n\nBody.\n\nLast text:A. B.\n\nNext text:C');
    expect(split.contentText).toBe('Body.');
    expect(split.navigation).toEqual({ previous: 'A. B', next: 'C' });
  });

  it('keeps a closing paragraph that merely starts with "Next:" in the body', () => {
    const item = parsed('2026-01-01 00:00:00 | X\n\nT\n\nBody.\n\nNext: the ministry will publish its plan.');
    expect(item.contentText).toBe('Body.\n\nNext: the ministry will publish its plan.');
    expect(item.navigation).toBeUndefined();
  });

  it('keeps an empty category out and a title-only article valid', () => {
    const item = parsed('2026-01-01 08:00:00 |\n\nJust a title');
    expect(item.categories).toEqual([]);
    expect(item.contentText).toBeUndefined();
  });

  it('reads the time in the zone it is given', () => {
    expect(parsed('2026-01-01 08:00:00 | X\n\nT', 'a.txt', { timeZone: 'UTC' }).published?.toISOString()).toBe('2026-01-01T08:00:00.000Z');
  });

  it.each([
    ['an empty file', '', /a\.txt: the file is empty/],
    ['a file of blank lines', '\n \r\n', /the file is empty/],
    ['a first line that is not a header', 'Hello world\n\nTitle', /first line "Hello world" is not "YYYY-MM-DD HH:MM:SS \| Category"/],
    ['no bar after the time', '2026-01-01 08:00:00 Industry\n\nTitle', /is not "YYYY-MM-DD/],
    ['an impossible date', '2026-02-30 08:00:00 | X\n\nTitle', /2026-2-30 8:0:0 is not a valid date/],
    ['a header and nothing else', '2026-01-01 08:00:00 | X\n\n', /no title after/],
    ['only a footer after the header', '2026-01-01 08:00:00 | X\n\nLast text:A. Next text:B.', /no title after/],
  ])('rejects %s', (_name, text, message) => {
    const r = parseTextDump(text, 'a.txt');
    expect('error' in r && r.error).toMatch(message);
  });
});

// ---- the reader over a real folder -------------------------------------------------------------

const noFetcher: Fetcher = {
  fetch: () => Promise.reject(new Error('text dumps never fetch')),
  close: () => Promise.resolve(),
};

function context(lines: string[] = []): ReadContext {
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { fetcher: noFetcher, log: createLogger({ level: 'warn', destination: sink }), now: () => new Date('2026-11-24T00:00:00Z') };
}

function source(url: string, lastModified: string | null = null, options = {}): SourceRef {
  return { id: 4, kind: 'textdump', url, name: 'Dumps', etag: null, lastModified, options };
}

function ok(r: ReadResult): Extract<ReadResult, { status: 'ok' }> {
  if (r.status !== 'ok') throw new Error(`expected ok, got ${r.status}`);
  return r;
}

const article = (title: string, time = '2026-11-20 09:12:00') => `${time} | Trade\n\n${title}\n\nimg.jpg\n\nBody of ${title}.\n\nLast text:P. Next text:N.`;

describe('textdumpReader', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tidings-textdump-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every *.txt file in name order, skipping other files, folders and bad files (logged by name)', async () => {
    await writeFile(path.join(dir, '002_b.txt'), article('Second'));
    await writeFile(path.join(dir, '001_a.TXT'), article('First'));
    await writeFile(path.join(dir, '003_bad.txt'), 'not a dump');
    await writeFile(path.join(dir, 'notes.md'), article('Markdown'));
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', '000_nested.txt'), article('Nested'));
    await writeFile(path.join(dir, '004_gbk.txt'), iconv.encode(article('棉花价格上涨'), 'gbk'));

    const logs: string[] = [];
    const r = ok(await textdumpReader().read(source(dir), context(logs)));
    expect(r.feed.items.map((i) => i.id)).toEqual(['001_a.TXT', '002_b.txt', '004_gbk.txt']);
    expect(r.feed.items.map((i) => i.title)).toEqual(['First', 'Second', '棉花价格上涨']);
    expect(r.feed.items[2]!.contentText).toBe('Body of 棉花价格上涨.');
    expect(r.feed).toMatchObject({ kind: 'textdump', format: 'textdump', encoding: 'utf-8', bozo: true, feed: { title: 'Dumps' } });
    expect(r.feed.bozoReason).toMatch(/1 of 4 files skipped: 003_bad\.txt: first line "not a dump"/);
    expect(r.url).toBe(`${pathToFileURL(dir).href}/`);
    expect(r.lastModified).toMatch(/^textdump:4:[0-9a-f]{24}$/);
    expect(logs.join('')).toMatch(/"file":"003_bad\.txt".*text dump file skipped/);
  });

  it('answers not-modified until a file is added, changed or removed', async () => {
    await writeFile(path.join(dir, 'a.txt'), article('A'));
    const reader = textdumpReader();
    const first = ok(await reader.read(source(dir), context()));
    expect(first.feed.bozo).toBe(false);
    const token = first.lastModified!;
    expect(await reader.read(source(dir, token), context())).toEqual({ status: 'not-modified', lastModified: token });

    await writeFile(path.join(dir, 'b.txt'), article('B'));
    const added = ok(await reader.read(source(dir, token), context()));
    expect(added.feed.items).toHaveLength(2);

    const future = new Date(Date.now() + 60_000);
    await utimes(path.join(dir, 'a.txt'), future, future);
    const touched = ok(await reader.read(source(dir, added.lastModified!), context()));
    expect(touched.lastModified).not.toBe(added.lastModified);

    await rm(path.join(dir, 'b.txt'));
    const removed = ok(await reader.read(source(dir, touched.lastModified!), context()));
    expect(removed.feed.items.map((i) => i.id)).toEqual(['a.txt']);
  });

  it('uses the source time zone option, and refuses an unknown one', async () => {
    await writeFile(path.join(dir, 'a.txt'), article('A', '2026-11-20 09:12:00'));
    const utc = ok(await textdumpReader().read(source(dir, null, { timeZone: 'UTC' }), context()));
    expect(utc.feed.items[0]!.published?.toISOString()).toBe('2026-11-20T09:12:00.000Z');
    await expect(textdumpReader().read(source(dir, null, { timeZone: 'Nowhere/City' }), context())).rejects.toThrow(
      /text-dump source Dumps: unknown time zone "Nowhere\/City"/,
    );
  });

  it('reads an empty folder as no items, and accepts a file: URL', async () => {
    const r = ok(await textdumpReader().read(source(pathToFileURL(dir).href), context()));
    expect(r.feed.items).toEqual([]);
    expect(r.feed.bozo).toBe(false);
  });

  it('explains a missing folder or a file given instead of a folder', async () => {
    await expect(textdumpReader().read(source(path.join(dir, 'nope')), context())).rejects.toThrow(/folder .*nope cannot be read \(ENOENT\)/);
    await writeFile(path.join(dir, 'a.txt'), article('A'));
    await expect(textdumpReader().read(source(path.join(dir, 'a.txt')), context())).rejects.toThrow(/is not a folder/);
  });
});
