// Text dumps: a folder of *.txt articles as the upstream (Chinese) crawler saves them.
//
//   2023-07-23 19:35:01 | Industry News      publication time | category
//   <title>
//   <lead image file name>                   optional
//   <body paragraphs, blank-line separated>
//   Last text:<previous title>. Next text:<next title>.     (or 上一篇：… 下一篇：…; optional)
//
// Blocks are separated by blank lines. The header's time has no zone: the crawler runs in China,
// so it is read as Asia/Shanghai unless the source's `timeZone` option says otherwise.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assertTimeZone, zonedTimeToUtc } from '../ingest/dates.js';
import { decodeBody } from './charset.js';
import { mapLimit } from './map-limit.js';
import type { ParsedItem, Reader, SourceOptions } from './types.js';

export const DEFAULT_TEXTDUMP_TIME_ZONE = 'Asia/Shanghai';
/** An article file bigger than this is not an article; it is skipped with a warning. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Files read at once: enough to hide disk latency, few enough to keep memory flat. */
const READ_CONCURRENCY = 16;

/** Text-dump sources may name the zone their crawler writes times in. */
export interface TextDumpOptions extends SourceOptions {
  timeZone?: string;
}

// \s covers the no-break spaces the crawler puts around "|"; "｜" is the full-width bar.
const HEADER = /^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2}))?\s*[|｜]\s*(.*?)\s*$/;
const IMAGE_NAME = /^[^\s<>"'|]+\.(?:jpe?g|png|gif|webp|bmp|avif|svg|tiff?)(?:\?\S*)?$/i;
// English labels need their noun: a closing paragraph may well start with "Next:".
const PREV_LABEL = String.raw`(?:last|previous|prev)\s*(?:text|article|post|story)|上一篇|上一条|上一页|上篇`;
const NEXT_LABEL = String.raw`next\s*(?:text|article|post|story)|下一篇|下一条|下一页|下篇`;
const FOOTER_START = new RegExp(String.raw`^\s*(?:${PREV_LABEL}|${NEXT_LABEL})\s*[:：]`, 'i');
const PREV = new RegExp(String.raw`(?:^|\s)(?:${PREV_LABEL})\s*[:：]\s*([\s\S]*?)\s*(?=(?:${NEXT_LABEL})\s*[:：]|$)`, 'i');
const NEXT = new RegExp(String.raw`(?:^|[\s.。])(?:${NEXT_LABEL})\s*[:：]\s*([\s\S]*?)\s*$`, 'i');
/** What crawlers write when there is no neighbour. */
const NONE = new Set(['', '无', '没有了', '没有了！', 'none', 'null', 'n/a', '-', '—']);

function navTitle(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  // The footer adds one "." (or "。") after each title; a title's own punctuation stays.
  const title = raw
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.。]$/, '')
    .trim();
  return NONE.has(title.toLowerCase()) ? undefined : title;
}

function parseFooter(lines: string[]): { previous?: string; next?: string } {
  const footer = lines.join(' ');
  const previous = navTitle(PREV.exec(footer)?.[1]);
  const next = navTitle(NEXT.exec(footer)?.[1]);
  return { ...(previous !== undefined && { previous }), ...(next !== undefined && { next }) };
}

/** Blank-line separated blocks, each a list of trimmed, non-empty lines. */
function toBlocks(lines: string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const line of lines) {
    const clean = line.trim();
    if (clean) {
      current.push(clean);
    } else if (current.length) {
      out.push(current);
      current = [];
    }
  }
  if (current.length) out.push(current);
  return out;
}

/** Takes the navigation footer off the end of the blocks (it may span two blocks). */
function takeFooter(blocks: string[][]): string[] {
  const footer: string[] = [];
  for (let n = 0; n < 2 && blocks.length > 0; n++) {
    const last = blocks[blocks.length - 1]!;
    const at = last.findIndex((line) => FOOTER_START.test(line));
    if (at < 0) break;
    footer.unshift(...last.slice(at));
    if (at === 0) blocks.pop();
    else {
      blocks[blocks.length - 1] = last.slice(0, at);
      break;
    }
  }
  return footer;
}

/** One text-dump file → one item, or what is wrong with it. */
export function parseTextDump(text: string, fileName: string, opts: { timeZone?: string } = {}): ParsedItem | { error: string } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const headerAt = lines.findIndex((line) => line.trim() !== '');
  if (headerAt < 0) return { error: `${fileName}: the file is empty` };
  const header = lines[headerAt]!;
  const m = HEADER.exec(header);
  if (!m) {
    const shown = header.trim().slice(0, 60);
    return { error: `${fileName}: first line "${shown}" is not "YYYY-MM-DD HH:MM:SS | Category"` };
  }
  let published: Date;
  try {
    const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    published = zonedTimeToUtc({ year, month, day, hour, minute, second }, opts.timeZone ?? DEFAULT_TEXTDUMP_TIME_ZONE);
  } catch (err) {
    return { error: `${fileName}: ${(err as Error).message}` };
  }
  const category = m[7]?.trim();

  const blocks = toBlocks(lines.slice(headerAt + 1));
  const footer = takeFooter(blocks);
  const titleBlock = blocks.shift();
  if (!titleBlock) return { error: `${fileName}: no title after the "time | category" line` };
  const first = blocks[0];
  let image: string | undefined;
  if (first?.length === 1 && IMAGE_NAME.test(first[0]!)) {
    image = first[0];
    blocks.shift();
  }
  const body = blocks.map((b) => b.join('\n')).join('\n\n');
  const navigation = footer.length ? parseFooter(footer) : {};

  return {
    id: fileName,
    title: titleBlock.join(' '),
    published,
    categories: category ? [category] : [],
    enclosures: [],
    ...(image !== undefined && { image }),
    ...(body && { contentText: body }),
    ...((navigation.previous !== undefined || navigation.next !== undefined) && { navigation }),
  };
}

interface DumpFile {
  name: string;
  file: string;
  size: number;
  mtimeMs: number;
}

async function listDumpFiles(folder: string): Promise<DumpFile[]> {
  const info = await stat(folder).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`text-dump folder ${folder} cannot be read (${err.code ?? err.message}); check the source's path`);
  });
  if (!info.isDirectory()) throw new Error(`text-dump source ${folder} is not a folder; point it at the folder holding the *.txt files`);
  const entries = await readdir(folder, { withFileTypes: true });
  const names = entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && /\.txt$/i.test(e.name))
    .map((e) => e.name)
    .sort();
  const files = await mapLimit(names, READ_CONCURRENCY, async (name) => {
    const file = path.join(folder, name);
    const s = await stat(file).catch(() => undefined);
    return s?.isFile() ? { name, file, size: s.size, mtimeMs: s.mtimeMs } : undefined;
  });
  return files.filter((f): f is DumpFile => f !== undefined);
}

/** Changes whenever a file is added, removed, renamed, resized or touched. */
function folderToken(files: DumpFile[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.name}\0${f.size}\0${f.mtimeMs}\n`);
  return `textdump:${files.length}:${h.digest('hex').slice(0, 24)}`;
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export function textdumpReader(): Reader {
  return {
    kind: 'textdump',
    async read(source, ctx) {
      const folder = path.resolve(/^file:/i.test(source.url) ? fileURLToPath(source.url) : source.url);
      const timeZone = (source.options as TextDumpOptions).timeZone ?? DEFAULT_TEXTDUMP_TIME_ZONE;
      try {
        assertTimeZone(timeZone);
      } catch (err) {
        throw new Error(`text-dump source ${source.name}: ${(err as Error).message}`);
      }
      const files = await listDumpFiles(folder);
      const token = folderToken(files);
      if (source.lastModified === token) return { status: 'not-modified', lastModified: token };

      const failures: string[] = [];
      const encodings: string[] = [];
      const parsed = await mapLimit(files, READ_CONCURRENCY, async (f): Promise<ParsedItem | undefined> => {
        const result =
          f.size > MAX_FILE_BYTES
            ? { error: `${f.name}: ${f.size} bytes is too large for one article (limit ${MAX_FILE_BYTES})` }
            : await readFile(f.file).then(
                (body) => {
                  const decoded = decodeBody(body);
                  encodings.push(decoded.encoding);
                  return parseTextDump(decoded.text, f.name, { timeZone });
                },
                (err: NodeJS.ErrnoException) => ({ error: `${f.name}: cannot read (${err.code ?? err.message})` }),
              );
        if (!('error' in result)) return result;
        failures.push(result.error);
        ctx.log.warn({ source: source.id, file: f.name, reason: result.error }, 'text dump file skipped');
        return undefined;
      });
      const items = parsed.filter((i): i is ParsedItem => i !== undefined);
      const url = pathToFileURL(folder).href.replace(/\/?$/, '/');
      return {
        status: 'ok',
        url,
        lastModified: token,
        feed: {
          kind: 'textdump',
          format: 'textdump',
          encoding: mostCommon(encodings) ?? 'utf-8',
          bozo: failures.length > 0,
          ...(failures.length > 0 && {
            bozoReason: `${failures.length} of ${files.length} files skipped: ${failures.slice(0, 3).join('; ')}${failures.length > 3 ? '; …' : ''}`,
          }),
          feed: { title: source.name },
          items,
        },
      };
    },
  };
}
