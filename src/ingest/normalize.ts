// One ParsedItem → one ArticleDraft: the shape every article is stored in, whatever its
// source. Readers keep what they saw; everything a digest relies on (safe HTML, a title, a
// sane date, a language, the dedup keys) is decided here.
import { createHash } from 'node:crypto';
import type { ParsedItem, SourceRef } from '../sources/types.js';
import type { NewArticle } from '../store/schema.js';
import { canonicalUrl, resolveHttpUrl } from './canonical-url.js';
import { choosePublished } from './dates.js';
import { signatureOfWords } from './dedup.js';
import { chooseLang } from './lang.js';
import { cleanHtml } from './sanitize.js';
import { firstSentence, inlineText, normalizeText, searchText, textWords } from './text.js';
import { summarizeExtractive } from '../summarize/extractive.js';
import type { SummaryBudget } from '../summarize/summarizer.js';

export interface ArticleDraft {
  guid: string;
  url: string | null;
  canonicalUrl: string | null;
  title: string;
  author: string | null;
  publishedAt: Date;
  fetchedAt: Date;
  lang: string;
  category: string | null;
  categories: string[];
  text: string;
  html: string | null;
  imageUrl: string | null;
  fingerprint: string;
  searchText: string;
  /** How many words of searchText are the title's (see text.ts searchText). */
  titleWords: number;
  /**
   * The MinHash signature for near-duplicate detection (null: too few words). Made here, in the
   * worker pool, because on the ingest writer's thread it was a fifth of a first ingest's time.
   */
  sig: Uint32Array | null;
  /** Made with the article when ingest summarizes (NormalizeContext.summary); else the summaries stage makes it. */
  summary: { text: string; method: string } | null;
  navPrevious: string | null;
  navNext: string | null;
}

export interface NormalizeContext {
  source: SourceRef;
  /** URL the item was read from: relative links and images resolve against it. */
  documentUrl: string;
  fetchedAt: Date;
  /**
   * Summarize each article here with the extractive summarizer, within this budget: it is stored
   * with the article, instead of the summaries stage reading it back and rewriting the row.
   * Absent when another summarizer (an LLM) is configured: that one runs in the stage.
   */
  summary?: SummaryBudget;
}

/** Ids longer than this are hashed: the guid is part of a unique index. */
const MAX_GUID_CHARS = 256;
/** Below this many folded characters a text does not identify an article on its own. */
const MIN_FINGERPRINT_TEXT = 80;

export function sha256(s: string, hexChars = 64): string {
  return createHash('sha256').update(s).digest('hex').slice(0, hexChars);
}

/** Lower-cased, NFKC, every run of non-letters/digits one space: formatting can't split a key. */
export function foldForFingerprint(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function cleanList(values: string[]): string[] {
  const seen = new Set<string>();
  for (const v of values) {
    const clean = inlineText(v);
    if (clean) seen.add(clean);
  }
  return [...seen];
}

/**
 * The image a digest shows: the item's own, else an image enclosure, else the first image of
 * the body. Relative names stay as given when the document is not on the web (a text dump's
 * image file lives beside it); any scheme other than http(s) is refused.
 */
function chooseImage(item: ParsedItem, html: string | null, documentUrl: string): string | null {
  const enclosure = item.enclosures.find((e) => e.type?.startsWith('image/'))?.url;
  for (const raw of [item.image, enclosure]) {
    const candidate = raw?.trim();
    if (!candidate) continue;
    const resolved = resolveHttpUrl(candidate, documentUrl);
    if (resolved) return resolved;
    const relative = !/^[a-z][a-z0-9+.-]*:/i.test(candidate) && !candidate.startsWith('//');
    if (relative && !/^https?:/i.test(documentUrl)) return candidate;
  }
  const m = html ? /<img\b[^>]*?\ssrc="([^"]+)"/.exec(html) : null;
  return m?.[1] ? m[1].replace(/&amp;/g, '&') : null;
}

function chooseGuid(item: ParsedItem, canonical: string | null, title: string): string {
  const id = item.id?.trim();
  if (id) return id.length > MAX_GUID_CHARS ? `sha256:${sha256(id)}` : id;
  if (canonical) return canonical.length > MAX_GUID_CHARS ? `sha256:${sha256(canonical)}` : canonical;
  const when = item.published ?? item.updated;
  const stamp = when && !Number.isNaN(when.getTime()) ? when.toISOString() : '';
  return `sha256:${sha256(`${title}\n${stamp}`)}`;
}

function fingerprintOf(text: string, title: string, url: string | null, guid: string): string {
  const folded = foldForFingerprint(text);
  // Short texts ("Read more…", a one-line teaser) are shared by unrelated articles.
  if (folded.length >= MIN_FINGERPRINT_TEXT) return sha256(`text\n${folded}`, 32);
  return sha256(`short\n${foldForFingerprint(title)}\n${url ?? guid}`, 32);
}

export function normalizeItem(item: ParsedItem, ctx: NormalizeContext): ArticleDraft | { skip: string } {
  const { source, documentUrl, fetchedAt } = ctx;
  const bodyHtml = item.contentHtml?.trim() || (item.contentText?.trim() ? undefined : item.summary?.trim());
  const clean = bodyHtml ? cleanHtml(bodyHtml, documentUrl) : undefined;
  const html = clean?.html || null;
  const text = item.contentText?.trim() ? normalizeText(item.contentText) : (clean?.text ?? '');

  let title = item.title ? inlineText(item.title) : '';
  if (!title) title = text ? firstSentence(text) : '';
  if (!title && !text) return { skip: 'empty item' };

  const url = resolveHttpUrl(item.link, documentUrl);
  const canonical = canonicalUrl(item.link, documentUrl);
  const guid = chooseGuid(item, canonical, title);
  const categories = cleanList(item.categories);
  const lang = chooseLang(`${title}\n${text}`, { forced: source.options.lang, declared: [item.lang] });
  const author = item.author ? inlineText(item.author) || null : null;
  const nav = item.navigation;
  const search = searchText(title, text, lang);

  return {
    guid,
    url,
    canonicalUrl: canonical,
    title,
    author,
    publishedAt: choosePublished(item.published, item.updated, fetchedAt),
    fetchedAt,
    lang,
    category: categories[0] ?? (source.options.category ? inlineText(source.options.category) || null : null),
    categories,
    text,
    html,
    imageUrl: chooseImage(item, html, documentUrl),
    fingerprint: fingerprintOf(text, title, canonical ?? url, guid),
    ...search,
    sig: signatureOfWords(textWords(search.searchText, search.titleWords)),
    summary: ctx.summary ? summaryOf(title, text, lang, ctx.summary) : null,
    navPrevious: nav?.previous ? inlineText(nav.previous) || null : null,
    navNext: nav?.next ? inlineText(nav.next) || null : null,
  };
}

/** Null when the summarizer fails: the article then waits for the summaries stage, as any other. */
function summaryOf(title: string, text: string, lang: string, budget: SummaryBudget): { text: string; method: string } | null {
  try {
    const summary = summarizeExtractive({ title, text, lang }, budget);
    return { text: summary.text, method: summary.method };
  } catch {
    return null;
  }
}

/** The row to insert; `clusterId` and `minhash` come from near-duplicate detection. */
export function toNewArticle(draft: ArticleDraft, sourceId: number, clusterId: number | null, minhash: string | null): NewArticle {
  return {
    source_id: sourceId,
    guid: draft.guid,
    guid_key: `${sourceId}:${draft.guid}`,
    url: draft.url,
    canonical_url: draft.canonicalUrl,
    title: draft.title,
    author: draft.author,
    published_at: draft.publishedAt.toISOString(),
    fetched_at: draft.fetchedAt.toISOString(),
    lang: draft.lang,
    category: draft.category,
    categories: JSON.stringify(draft.categories),
    text: draft.text,
    html: draft.html,
    image_url: draft.imageUrl,
    summary: draft.summary?.text ?? null,
    summary_method: draft.summary?.method ?? null,
    fingerprint: draft.fingerprint,
    cluster_id: clusterId,
    minhash,
    search_text: draft.searchText,
    nav_previous: draft.navPrevious,
    nav_next: draft.navNext,
  };
}
