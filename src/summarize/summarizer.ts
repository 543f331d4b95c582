// The summarizer contract: one article in, a short plain-text summary out, with the method that
// produced it (stored beside the summary so that a digest can tell an LLM summary from a
// fallback, and so that summaries can be recomputed when the method changes).

export interface SummaryInput {
  title: string;
  /** Plain text, paragraphs separated by blank lines. */
  text: string;
  /** BCP 47 tag or primary subtag ("en", "zh-CN"); decides segmentation and how sentences join. */
  lang: string;
}

/**
 * How long a summary may be. Both limits apply when both are given. `chars` counts code points
 * of the joined summary and never cuts a sentence (see summarizeExtractive for the one case where
 * a summary may exceed it).
 */
export interface SummaryBudget {
  sentences?: number;
  chars?: number;
}

export interface Summary {
  /** The sentences joined: by spaces, or by nothing between two CJK sentences. */
  text: string;
  sentences: string[];
  /** 'extractive' | 'llm:<model>' | 'extractive-fallback' */
  method: string;
}

export interface Summarizer {
  summarize(input: SummaryInput, budget?: SummaryBudget): Promise<Summary>;
}

export const DEFAULT_BUDGET: Readonly<SummaryBudget> = Object.freeze({ sentences: 3 });

/** The budget to apply: the default when none (or an empty one) is given; rejects nonsense early. */
export function resolveBudget(budget: SummaryBudget | undefined): SummaryBudget {
  if (!budget || (budget.sentences === undefined && budget.chars === undefined)) return { ...DEFAULT_BUDGET };
  for (const [name, value] of Object.entries(budget)) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new RangeError(`summary budget ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return { ...budget };
}

export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

// Han, kana and CJK punctuation: text in these scripts runs without spaces (Korean uses spaces).
const CJK = String.raw`[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]`;
// Quotes are shared with English, so they count only next to a CJK character.
const CJK_END = new RegExp(`${CJK}[”’」』》）】]*$`, 'u');
const CJK_START = new RegExp(`^[“‘「『《（【]*${CJK}`, 'u');

/** Joins sentences the way the language writes them: no space between two CJK sentences. */
export function joinSentences(sentences: string[]): string {
  let out = '';
  for (const s of sentences) {
    if (out && !(CJK_END.test(out) && CJK_START.test(s))) out += ' ';
    out += s;
  }
  return out;
}
