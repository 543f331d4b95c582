// The CPU-bound steps, by name: what a worker thread runs (worker.ts), and what runs in-process
// when no pool was built (tests, one-off tools). Inputs and outputs cross a thread boundary, so
// they are plain data that survives structured cloning: strings, numbers, Dates, arrays, plain
// objects and byte arrays; no class instances, no functions.
import { type ArticleDraft, type NormalizeContext, normalizeItem } from '../ingest/normalize.js';
import { decodeBody } from '../sources/charset.js';
import { type ParseFeedOptions, parseFeed } from '../sources/feed/parse.js';
import type { ExtractedArticle } from '../sources/page/extract.js';
import type { ArticleLink } from '../sources/page/links.js';
import type { ParsedFeed, ParsedItem } from '../sources/types.js';
import { summarizeExtractive } from '../summarize/extractive.js';
import type { Summary, SummaryBudget, SummaryInput } from '../summarize/summarizer.js';

/** A body as fetched. A Buffer arrives in a worker as a plain Uint8Array. */
export interface BodyInput {
  body: Uint8Array;
  contentType?: string;
  url: string;
}

export interface ListingOutput {
  encoding: string;
  /** The site's name (og:site_name, else the page title), '' when it has none. */
  title: string;
  links: ArticleLink[];
}

export interface ArticleOutput {
  encoding: string;
  article: ExtractedArticle;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The DOM and readability, loaded at the first page task: most processes (and threads) only read
 * feeds, and these are the heaviest modules there are (tens of MB in every thread that has them).
 */
async function pageModules() {
  const [extract, links, meta] = await Promise.all([
    import('../sources/page/extract.js'),
    import('../sources/page/links.js'),
    import('../sources/page/meta.js'),
  ]);
  return { ...extract, ...links, ...meta };
}

export const tasks = {
  /** Any feed format → ParsedFeed; never throws (a non-feed comes back without a format). */
  async parseFeed(input: BodyInput): Promise<ParsedFeed> {
    const opts: ParseFeedOptions = { url: input.url };
    if (input.contentType) opts.contentType = input.contentType;
    return parseFeed(toBuffer(input.body), opts);
  },

  /** A page source's listing: its article links (at most maxItems) and the site's name. */
  async pageListing(input: BodyInput & { linkSelector?: string; maxItems: number }): Promise<ListingOutput> {
    const { findArticleLinks, metaContent, parseDocument } = await pageModules();
    const decoded = decodeBody(toBuffer(input.body), input.contentType);
    const { doc, base } = parseDocument(decoded.text, input.url);
    const links = findArticleLinks(doc, base, input.url, input.linkSelector).slice(0, input.maxItems);
    // A listing is the site (or one section of it): its name is the better feed title.
    const title = metaContent(doc, ['og:site_name', 'application-name']) ?? (doc.querySelector('title')?.textContent ?? '').replace(/\s+/g, ' ').trim();
    return { encoding: decoded.encoding, title, links };
  },

  /** One article page → its text, metadata and neighbours (readability on a linkedom DOM). */
  async pageArticle(input: BodyInput): Promise<ArticleOutput> {
    const { extractArticle } = await pageModules();
    const decoded = decodeBody(toBuffer(input.body), input.contentType);
    return { encoding: decoded.encoding, article: extractArticle(decoded.text, input.url) };
  },

  /** One source's items → article drafts (HTML sanitized, text extracted, language detected). */
  async normalizeItems(input: { items: ParsedItem[]; ctx: NormalizeContext }): Promise<(ArticleDraft | { skip: string })[]> {
    return input.items.map((item) => normalizeItem(item, input.ctx));
  },

  async summarize(input: { input: SummaryInput; budget?: SummaryBudget }): Promise<Summary> {
    return summarizeExtractive(input.input, input.budget);
  },
};

export type Tasks = typeof tasks;
export type TaskName = keyof Tasks;
export type TaskInput<K extends TaskName> = Parameters<Tasks[K]>[0];
export type TaskOutput<K extends TaskName> = Awaited<ReturnType<Tasks[K]>>;

/** What a limit's message calls the step, e.g. "parsing the feed took longer than 10 s". */
export const TASK_LABELS: Record<TaskName, string> = {
  parseFeed: 'parsing the feed',
  pageListing: 'reading the listing page',
  pageArticle: 'extracting the article',
  normalizeItems: 'cleaning up the articles',
  summarize: 'summarizing the article',
};

export function runTask<K extends TaskName>(task: K, input: TaskInput<K>): Promise<TaskOutput<K>> {
  const fn = tasks[task] as (input: TaskInput<K>) => Promise<TaskOutput<K>>;
  return fn(input);
}

/** Runs the CPU-bound steps: the worker pool (pool.ts), or `inProcess` on the calling thread. */
export interface Work {
  run<K extends TaskName>(task: K, input: TaskInput<K>): Promise<TaskOutput<K>>;
}

/** No threads, no limits: for tests and one-off tools that built no pool. */
export const inProcess: Work = { run: runTask };
