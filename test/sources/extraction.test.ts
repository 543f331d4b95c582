// Acceptance 3: body-text F1 on ../shared/eval/extraction, ours beside plain Readability (jsdom),
// both computed here in the same run with the benchmark's own metric (bench/extraction-metric.ts).
import { hasEval } from '../support/eval.js';
import { describe, expect, it } from 'vitest';
import { scorePages, shingleMatch } from '../../bench/extraction-metric.js';
import { EXTRACTION_DIR, compareExtraction } from '../../bench/extraction.js';

describe('extraction metric (port of evaluate.py)', () => {
  it('counts 4-token shingles as a multiset and normalizes each page', () => {
    expect(shingleMatch('a b c d e', 'a b c d e')).toEqual({ tp: 1, fp: 0, fn: 0 });
    // truth shingles: abcd, bcde; predicted: abcd, bcdx → 1 shared, 1 extra, 1 missing
    expect(shingleMatch('a b c d e', 'a b c d x')).toEqual({ tp: 1 / 3, fp: 1 / 3, fn: 1 / 3 });
    // punctuation is not a token; texts shorter than 4 tokens are one shingle
    expect(shingleMatch('Hello, world!', 'hello world')).toEqual({ tp: 0, fp: 0.5, fn: 0.5 });
    expect(shingleMatch('', '')).toEqual({ tp: 0, fp: 0, fn: 0 });
  });

  it('averages precision and recall over pages, then takes their harmonic mean', () => {
    const s = scorePages([
      { tp: 1, fp: 0, fn: 0 },
      { tp: 0.5, fp: 0.5, fn: 0 },
      { tp: 0, fp: 0, fn: 0 },
    ]);
    // evaluate.py leaves a page out of the precision mean when it predicted nothing (tp + fp = 0)
    // and out of the recall mean when its truth is empty (tp + fn = 0): page 3 counts in neither.
    expect(s.precision).toBeCloseTo((1 + 0.5) / 2);
    expect(s.recall).toBeCloseTo(1);
    expect(s.f1).toBeCloseTo((2 * s.precision * s.recall) / (s.precision + s.recall));
  });
});

describe.skipIf(!hasEval(EXTRACTION_DIR))('extraction on ../shared/eval/extraction', () => {
  it('scores at least as well as plain @mozilla/readability on the same pages', { timeout: 240_000 }, () => {
    const { pages, ours, readability } = compareExtraction();
    const f = (n: number) => n.toFixed(3);
    console.log(
      `extraction F1: ours ${f(ours.score.f1)} vs readability ${f(readability.score.f1)} ` +
        `(P ${f(ours.score.precision)}/${f(readability.score.precision)}, R ${f(ours.score.recall)}/${f(readability.score.recall)}; ` +
        `whitespace-token F1 ${f(ours.unigram.f1)} vs ${f(readability.unigram.f1)}; ${pages} pages)`,
    );
    expect(pages).toBe(83);
    expect(readability.score.f1).toBeGreaterThan(0.85);
    expect(ours.score.f1).toBeGreaterThanOrEqual(readability.score.f1);
    expect(ours.unigram.f1).toBeGreaterThanOrEqual(readability.unigram.f1);
  });
});
