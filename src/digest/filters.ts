// Keyword and phrase matching for newsletter filters. Admins type plain text; it is matched as
// text (indexOf), never turned into a regular expression, so no input can change what a pattern
// means or make matching slow.
//
// Matching rules (the same for include and exclude):
// - case- and width-insensitive: both sides are NFKC-folded and lower-cased, so "ＣＯＴＴＯＮ"
//   matches "cotton"; curly apostrophes count as straight ones; any run of white space is one
//   space, so a phrase matches across line breaks but its words stay in order and adjacent;
// - Latin (and other space-separated scripts) match whole words: "cotton" does not match
//   "cottonwood" or "cottons". An edge of the keyword that is a letter or digit must meet a
//   non-word character (space, punctuation, the end, or a Chinese/Japanese/Thai character:
//   "中国cotton价格" contains "cotton");
// - Chinese, Japanese and Thai are written without spaces, so an edge in those scripts matches
//   anywhere: "棉花" matches "新疆棉花产量"; punctuation inside a keyword ("C++", "AT&T") is
//   literal and needs no boundary.
import type { NewsletterFilters } from '../store/newsletters.js';

// Runs of white space other than a lone " " (most text has only those, and replacing each one
// costs more than the rest of folding).
const SPACE_RUN = / ?[^\S ]\s*| {2,}\s*/g;
const CURLY_APOSTROPHE = /[\u2018\u2019\u02bc]/g;
// NFKC leaves ASCII unchanged; skipping it for ASCII text halves the cost of folding English.
const ASCII = /^[\x00-\x7f]*$/;
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
// Scripts written without spaces between words: a boundary is never required next to them.
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/** Folded text as keywords are matched against it. */
export function foldText(s: string): string {
  const wide = ASCII.test(s) ? s : s.normalize('NFKC').replace(CURLY_APOSTROPHE, "'");
  return wide.toLowerCase().replace(SPACE_RUN, ' ').trim();
}

function needsBoundary(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch) && !UNSPACED.test(ch);
}

/** The code point ending just before `i` and the one starting at `i` (surrogate pairs kept whole). */
function before(s: string, i: number): string | undefined {
  if (i <= 0) return undefined;
  const low = s.charCodeAt(i - 1);
  const start = low >= 0xdc00 && low <= 0xdfff && i >= 2 ? i - 2 : i - 1;
  return String.fromCodePoint(s.codePointAt(start)!);
}

function at(s: string, i: number): string | undefined {
  return i < s.length ? String.fromCodePoint(s.codePointAt(i)!) : undefined;
}

export interface Keyword {
  /** As the admin typed it, for reasons ("matches keyword …"). */
  text: string;
  folded: string;
  boundaryStart: boolean;
  boundaryEnd: boolean;
}

/** Keywords ready to match; ones that fold to nothing are dropped. */
export function compileKeywords(list: readonly string[]): Keyword[] {
  const out: Keyword[] = [];
  for (const text of list) {
    const folded = foldText(text);
    if (!folded) continue;
    out.push({ text: text.trim(), folded, boundaryStart: needsBoundary(at(folded, 0)), boundaryEnd: needsBoundary(before(folded, folded.length)) });
  }
  return out;
}

/** Whether the keyword occurs in already folded text. */
export function containsKeyword(folded: string, k: Keyword): boolean {
  for (let i = folded.indexOf(k.folded); i !== -1; i = folded.indexOf(k.folded, i + 1)) {
    const end = i + k.folded.length;
    if (k.boundaryStart && needsBoundary(before(folded, i))) continue;
    if (k.boundaryEnd && needsBoundary(at(folded, end))) continue;
    return true;
  }
  return false;
}

/** The keywords (as typed) that occur in already folded text. */
export function matchingKeywords(folded: string, keywords: readonly Keyword[]): string[] {
  return keywords.filter((k) => containsKeyword(folded, k)).map((k) => k.text);
}

/** What a filter looks at in an article. */
export interface FilterableArticle {
  title: string;
  text: string;
  category: string | null;
  categories: readonly string[];
  sourceId: number;
}

export type FilterVerdict = { pass: true; reasons: string[] } | { pass: false; why: string };

export interface ArticleFilter {
  /** True when include/exclude keywords need the article's text (it can be left empty otherwise). */
  readonly needsText: boolean;
  test(article: FilterableArticle): FilterVerdict;
}

const MAX_REASON_KEYWORDS = 3;

export function compileFilter(filters: NewsletterFilters): ArticleFilter {
  const include = compileKeywords(filters.include ?? []);
  const exclude = compileKeywords(filters.exclude ?? []);
  const categories = new Map((filters.categories ?? []).map((c) => [foldText(c), c.trim()] as const).filter(([k]) => k !== ''));
  const sources = filters.sources?.length ? new Set(filters.sources) : null;
  return {
    needsText: include.length > 0 || exclude.length > 0,
    test(article) {
      const reasons: string[] = [];
      if (sources && !sources.has(article.sourceId)) return { pass: false, why: 'source not selected' };
      if (categories.size > 0) {
        const own = [article.category, ...article.categories].filter((c): c is string => !!c);
        const hit = own.map((c) => categories.get(foldText(c))).find((c) => c !== undefined);
        if (hit === undefined) return { pass: false, why: 'category not selected' };
        reasons.push(`category "${hit}"`);
      }
      if (include.length === 0 && exclude.length === 0) return { pass: true, reasons };
      // NUL never folds away and is not a word character: a phrase cannot run from the title
      // into the text, and a keyword at the title's end still meets a boundary.
      const folded = `${foldText(article.title)}\u0000${foldText(article.text)}`;
      const excluded = exclude.find((k) => containsKeyword(folded, k));
      if (excluded) return { pass: false, why: `matches excluded keyword "${excluded.text}"` };
      if (include.length > 0) {
        const hits = matchingKeywords(folded, include);
        if (hits.length === 0) return { pass: false, why: 'matches no keyword' };
        const shown = hits
          .slice(0, MAX_REASON_KEYWORDS)
          .map((k) => `"${k}"`)
          .join(', ');
        const more = hits.length > MAX_REASON_KEYWORDS ? ` and ${hits.length - MAX_REASON_KEYWORDS} more` : '';
        reasons.unshift(`matches keyword${hits.length > 1 ? 's' : ''} ${shown}${more}`);
      }
      return { pass: true, reasons };
    },
  };
}

/**
 * Whether a subscriber's keyword preferences match a digest: any keyword in any entry's title,
 * summary or category. The digest is rendered once for everyone, so preferences decide whether
 * a subscriber gets it, not which entries they see.
 */
export function digestMatcher(entries: readonly { title: string; summary: string; category: string | null }[]): (keywords: readonly string[]) => boolean {
  const folded = entries.map((e) => foldText(`${e.title}\n${e.summary}\n${e.category ?? ''}`));
  return (keywords) => {
    const ks = compileKeywords(keywords);
    return ks.length === 0 || folded.some((f) => ks.some((k) => containsKeyword(f, k)));
  };
}
