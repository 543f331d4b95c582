// Sites without feeds: a listing page → its article links → each article page, extracted. The
// listing is fetched conditionally so an unchanged site costs one 304 and no parsing; articles are
// fetched a few at a time, and one broken article is logged and skipped, never fatal. Parsing
// HTML is CPU work: it runs in the worker pool when the process has one.
import type { Logger } from 'pino';
import { inProcess, type Work } from '../work/tasks.js';
import { mapLimit } from './map-limit.js';
import type { NavLink } from './page/links.js';
import type { Fetcher, ParsedItem, Reader, SourceRef } from './types.js';

export const DEFAULT_MAX_ITEMS = 30;
export const DEFAULT_FOLLOW_DEPTH = 0;
/** Article pages fetched at once per source (the fetcher adds its own per-host limit). */
export const DEFAULT_ARTICLE_CONCURRENCY = 4;

const HTML_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';

export interface PageReaderOptions {
  concurrency?: number;
  work?: Work;
}

function wholeNumber(value: unknown, fallback: number, name: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`page source option ${name} must be a whole number ≥ 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

interface Fetched {
  item: ParsedItem;
  /** URL after redirects, so a neighbour that links to it is not fetched again. */
  finalUrl: string;
  /** Neighbouring articles to follow, when following is on. */
  neighbours: NavLink[];
}

async function readArticle(url: string, hint: string, fetcher: Fetcher, log: Logger, work: Work): Promise<Fetched | undefined> {
  try {
    const res = await fetcher.fetch(url, { accept: HTML_ACCEPT });
    if (res.status !== 'ok') return undefined;
    if (res.contentType && !/html|xml|text\/plain/i.test(res.contentType)) {
      log.warn({ url, contentType: res.contentType }, 'page source: article link is not an HTML page; skipped');
      return undefined;
    }
    const { article: a } = await work.run('pageArticle', { body: res.body, url: res.url, ...(res.contentType ? { contentType: res.contentType } : {}) });
    const navigation = a.previous?.title || a.next?.title ? { previous: a.previous?.title, next: a.next?.title } : undefined;
    const item: ParsedItem = {
      id: url,
      title: a.title || hint || undefined,
      link: res.url,
      published: a.published,
      updated: a.updated,
      author: a.author,
      summary: a.description,
      contentHtml: a.contentHtml || undefined,
      contentText: a.text || undefined,
      categories: [],
      enclosures: [],
      image: a.image,
      lang: a.lang,
      ...(navigation ? { navigation } : {}),
    };
    const neighbours = [a.previous, a.next].filter((n): n is NavLink => !!n);
    return { item, finalUrl: res.url, neighbours };
  } catch (err) {
    log.warn({ url, err: err instanceof Error ? err.message : String(err) }, 'page source: article skipped');
    return undefined;
  }
}

export function pageReader(opts: PageReaderOptions = {}): Reader {
  const concurrency = opts.concurrency ?? DEFAULT_ARTICLE_CONCURRENCY;
  const work = opts.work ?? inProcess;
  return {
    kind: 'page',
    async read(source: SourceRef, ctx) {
      const maxItems = wholeNumber(source.options.maxItems, DEFAULT_MAX_ITEMS, 'maxItems');
      const followDepth = wholeNumber(source.options.followDepth, DEFAULT_FOLLOW_DEPTH, 'followDepth');
      const listing = await ctx.fetcher.fetch(source.url, {
        etag: source.etag,
        lastModified: source.lastModified,
        accept: HTML_ACCEPT,
      });
      if (listing.status === 'not-modified') {
        return { status: 'not-modified', etag: listing.etag, lastModified: listing.lastModified };
      }
      const {
        encoding,
        title: feedTitle,
        links,
      } = await work.run('pageListing', {
        body: listing.body,
        url: listing.url,
        ...(listing.contentType ? { contentType: listing.contentType } : {}),
        ...(source.options.linkSelector ? { linkSelector: source.options.linkSelector } : {}),
        maxItems,
      });
      if (links.length === 0) {
        ctx.log.warn({ source: source.name, url: listing.url }, 'page source: no article links found on the listing page; set options.linkSelector');
      }

      // Breadth first: the listing's articles, then their neighbours, then theirs. A URL is
      // fetched at most once, which is what stops next/previous chains from looping.
      const visited = new Set<string>([listing.url, source.url, ...links.map((l) => l.url)]);
      const items: ParsedItem[] = [];
      let level = links.map((l) => ({ url: l.url, hint: l.text }));
      for (let depth = 0; level.length > 0; depth++) {
        const results = await mapLimit(level, concurrency, (l) => readArticle(l.url, l.hint, ctx.fetcher, ctx.log, work));
        const nextLevel: { url: string; hint: string }[] = [];
        for (const r of results) if (r) visited.add(r.finalUrl);
        for (const r of results) {
          if (!r) continue;
          items.push(r.item);
          if (depth >= followDepth) continue;
          for (const n of r.neighbours) {
            if (visited.has(n.url)) continue;
            visited.add(n.url);
            nextLevel.push({ url: n.url, hint: n.title ?? '' });
          }
        }
        level = nextLevel;
      }
      return {
        status: 'ok',
        url: listing.url,
        etag: listing.etag,
        lastModified: listing.lastModified,
        feed: {
          kind: 'page',
          format: 'page',
          encoding,
          bozo: false,
          feed: { title: feedTitle || source.name, link: listing.url },
          items,
        },
      };
    },
  };
}
