// The scoring of scrapinghub/article-extraction-benchmark (evaluate.py), ported line for line so
// our figure is comparable with theirs:
//  - tokens are Python's `re.findall(r'\w+')` (Unicode letters, digits, underscore), case kept;
//  - the unit is the 4-token shingle, counted as a multiset (Counter intersection gives TP,
//    surplus predicted shingles FP, missing ones FN); a text shorter than 4 tokens is one shingle;
//  - each page's TP/FP/FN are normalized to sum 1 so long articles do not outweigh short ones;
//  - precision and recall are each averaged over the pages where they are defined, and the
//    reported F1 is the harmonic mean of those two averages (not the mean of per-page F1).

export interface PageCounts {
  tp: number;
  fp: number;
  fn: number;
}

export interface ExtractionScore {
  precision: number;
  recall: number;
  f1: number;
}

const WORD = /[\p{L}\p{N}_]+/gu;

export function tokenize(text: string): string[] {
  return text.match(WORD) ?? [];
}

function shingles(text: string, n: number, split: (text: string) => string[]): Map<string, number> {
  const tokens = split(text);
  const counts = new Map<string, number>();
  const last = Math.max(1, tokens.length - n + 1);
  for (let i = 0; i < last; i++) {
    const gram = tokens.slice(i, i + n);
    if (gram.length === 0) continue;
    const key = gram.join('\u0000');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** evaluate.py `string_shingle_matching`: normalized TP/FP/FN of one page. */
export function shingleMatch(truth: string, predicted: string, n = 4, split = tokenize): PageCounts {
  const t = shingles(truth, n, split);
  const p = shingles(predicted, n, split);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const key of new Set([...t.keys(), ...p.keys()])) {
    const tc = t.get(key) ?? 0;
    const pc = p.get(key) ?? 0;
    tp += Math.min(tc, pc);
    fp += Math.max(0, pc - tc);
    fn += Math.max(0, tc - pc);
  }
  const sum = tp + fp + fn;
  return sum > 0 ? { tp: tp / sum, fp: fp / sum, fn: fn / sum } : { tp, fp, fn };
}

function precisionOf({ tp, fp, fn }: PageCounts): number {
  if (fp === 0 && fn === 0) return 1;
  if (tp === 0 && fp === 0) return 0;
  return tp / (tp + fp);
}

function recallOf({ tp, fp, fn }: PageCounts): number {
  if (fp === 0 && fn === 0) return 1;
  if (tp === 0 && fn === 0) return 0;
  return tp / (tp + fn);
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** evaluate.py `metrics_from_tp_fp_fns`. */
export function scorePages(pages: PageCounts[]): ExtractionScore {
  const precision = mean(pages.filter((c) => c.tp + c.fp > 0).map(precisionOf));
  const recall = mean(pages.filter((c) => c.tp + c.fn > 0).map(recallOf));
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}
