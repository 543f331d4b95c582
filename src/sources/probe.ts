// Reading a source once without storing anything: what `sources test` prints and how
// `sources add` guesses a kind when the admin does not say.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeBody } from './charset.js';
import { isHttpUrl, isLocalPath } from './local.js';
import { parseTextDump } from './textdump.js';
import type { ParsedFeed, ReadContext, Reader, SourceKind, SourceOptions } from './types.js';
import { inProcess, type Work } from '../work/tasks.js';

export type KindChoice = SourceKind | 'auto';

export interface Probe {
  kind: SourceKind;
  url: string;
  feed: ParsedFeed;
}

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
}

/** What probing reads with: the readers, and the worker pool for a local page (in-process without one). */
export type ProbeDeps = ReadContext & { readers: Record<SourceKind, Reader>; work?: Work };

export async function probeSource(target: string, kind: KindChoice, options: SourceOptions, deps: ProbeDeps): Promise<Probe> {
  if (!isHttpUrl(target) && !isLocalPath(target)) {
    throw new ProbeError(`"${target}" is neither an http(s) URL nor a local path; only http and https sources are fetched`);
  }
  if (isLocalPath(target)) return probeLocal(path.resolve(target), kind, options, deps);
  const read = async (k: SourceKind) => {
    const ref = { id: 0, kind: k, url: target, name: target, etag: null, lastModified: null, options };
    const result = await deps.readers[k].read(ref, deps);
    if (result.status !== 'ok') throw new ProbeError(`${target} answered "not modified" to a plain request`);
    return { kind: k, url: result.url, feed: result.feed };
  };
  if (kind !== 'auto') return read(kind);
  const asFeed = await read('feed');
  if (!(asFeed.feed.bozo && asFeed.feed.items.length === 0)) return asFeed;
  return read('page');
}

async function probeLocal(file: string, kind: KindChoice, options: SourceOptions, deps: ProbeDeps): Promise<Probe> {
  const info = await stat(file).catch(() => {
    throw new ProbeError(`cannot read ${file}: no such file or folder`);
  });
  const url = pathToFileURL(file).href;
  if (info.isDirectory()) {
    if (kind !== 'auto' && kind !== 'textdump') throw new ProbeError(`${file} is a folder; only text-dump sources are folders`);
    const ref = { id: 0, kind: 'textdump' as const, url: file, name: file, etag: null, lastModified: null, options };
    const result = await deps.readers.textdump.read(ref, deps);
    if (result.status !== 'ok') throw new ProbeError(`${file}: nothing to read`);
    return { kind: 'textdump', url, feed: result.feed };
  }
  const body = await readFile(file);
  const { text, encoding } = decodeBody(body);
  const guess = kind === 'auto' ? guessFileKind(file, text) : kind;
  if (guess === 'textdump') {
    const item = parseTextDump(text, path.basename(file));
    if ('error' in item) throw new ProbeError(`${file}: ${item.error}`);
    return { kind: 'textdump', url, feed: { kind: 'textdump', format: 'textdump', encoding, bozo: false, feed: {}, items: [item] } };
  }
  if (guess === 'page') {
    const { article: a } = await (deps.work ?? inProcess).run('pageArticle', { body, url });
    const item = {
      title: a.title,
      link: url,
      published: a.published,
      author: a.author,
      contentHtml: a.contentHtml,
      contentText: a.text,
      image: a.image,
      lang: a.lang,
      categories: [],
      enclosures: [],
    };
    return { kind: 'page', url, feed: { kind: 'page', format: 'page', encoding, bozo: false, feed: { title: a.title, link: url }, items: [item] } };
  }
  const ref = { id: 0, kind: 'feed' as const, url: file, name: file, etag: null, lastModified: null, options };
  const result = await deps.readers.feed.read(ref, deps);
  if (result.status !== 'ok') throw new ProbeError(`${file}: nothing to read`);
  return { kind: 'feed', url, feed: result.feed };
}

function guessFileKind(file: string, text: string): SourceKind {
  if (/^\uFEFF?\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? \|/.test(text)) return 'textdump';
  if (/\.html?$/i.test(file) || /^\s*<!doctype html|^\s*<html/i.test(text)) return 'page';
  return 'feed';
}
