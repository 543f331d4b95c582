// The extractive summarizer: no network, no model, any language Intl.Segmenter knows. It picks
// whole sentences of the article (boilerplate removed first), scored by rank.ts, within the
// budget, and returns them in document order so that the summary reads like the article.
// Same input, same output: no randomness, ties go to the earlier sentence.
import { words } from '../ingest/text.js';
import { isPromptSentence, stripBoilerplateLines, stripInlineCredits } from './boilerplate.js';
import { DEFAULT_RANK_OPTIONS, type RankOptions, rankSentences } from './rank.js';
import { sentencesOf, splitParagraphs } from './sentences.js';
import { type Summarizer, type Summary, type SummaryBudget, type SummaryInput, codePoints, joinSentences, resolveBudget } from './summarizer.js';

/**
 * Only the first sentences are ranked: news front-loads its point, and ranking is quadratic in
 * the number of sentences, so a 2,000-sentence text dump costs the same as a long article.
 */
export const MAX_RANKED_SENTENCES = 60;

/** Text looked at, far more than 60 sentences need: a multi-megabyte dump costs what an article does. */
const MAX_SCANNED_CHARS = 50_000;

export interface ExtractiveOptions {
  rank?: RankOptions;
  maxRankedSentences?: number;
}

/** The article's candidate sentences: boilerplate, prompts, credits and repeats of the title removed. */
export function candidateSentences(input: SummaryInput, max = MAX_RANKED_SENTENCES): string[] {
  const head = input.text.length > MAX_SCANNED_CHARS ? input.text.slice(0, MAX_SCANNED_CHARS) : input.text;
  const paragraphs = stripBoilerplateLines(splitParagraphs(head));
  const seen = new Set<string>([fold(input.title)]);
  const out: string[] = [];
  for (const text of sentencesOf(paragraphs, input.lang)) {
    const sentence = stripInlineCredits(text);
    if (!sentence || isPromptSentence(sentence)) continue;
    // A body that restates the headline, or a pull quote repeated, adds nothing to a summary.
    const key = fold(sentence);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(sentence);
    if (out.length >= max) break;
  }
  return out;
}

function fold(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * Picks sentences by score until the budget is spent. With a `chars` budget a sentence that does
 * not fit is skipped and shorter, lower-ranked ones may still fill the space; sentences are never
 * cut. If not even one sentence fits, the best one is returned whole, over the budget: a digest
 * entry with one long sentence is still useful, an empty one is not, and cutting a sentence
 * (especially a Chinese one, where there is no word boundary to cut at) produces nonsense.
 */
function select(sentences: string[], scores: number[], budget: SummaryBudget): number[] {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const maxCount = budget.sentences ?? Number.POSITIVE_INFINITY;
  let picked: number[] = [];
  for (const [, i] of order) {
    if (picked.length >= maxCount) break;
    const next = [...picked, i].sort((a, b) => a - b);
    // Measured on the joined text: CJK sentences join without a space, others with one.
    if (budget.chars !== undefined && codePoints(joinSentences(next.map((k) => sentences[k]!))) > budget.chars) continue;
    picked = next;
  }
  if (picked.length === 0 && order.length > 0) picked.push(order[0]![1]);
  return picked;
}

export function summarizeExtractive(input: SummaryInput, budget?: SummaryBudget, opts: ExtractiveOptions = {}): Summary {
  const limits = resolveBudget(budget);
  const sentences = candidateSentences(input, opts.maxRankedSentences ?? MAX_RANKED_SENTENCES);
  // words() is the project's tokenizer: Intl.Segmenter for scripts written without spaces (it
  // is what splits Chinese into words), a UAX #29-equivalent regex elsewhere, ~50× cheaper there.
  const tokens = sentences.map((s) => words(s, input.lang));
  const scores = rankSentences(tokens, words(input.title, input.lang), opts.rank ?? DEFAULT_RANK_OPTIONS);
  const chosen = select(sentences, scores, limits).map((i) => sentences[i]!);
  return { text: joinSentences(chosen), sentences: chosen, method: 'extractive' };
}

export function extractiveSummarizer(opts: ExtractiveOptions = {}): Summarizer {
  return {
    async summarize(input, budget) {
      return summarizeExtractive(input, budget, opts);
    },
  };
}
