// Acceptance 1: ROUGE-1/2/L F1 of our 3-sentence extractive summaries on
// ../shared/eval/summaries/bbc.json, each at least Lead-3's on the same pairs in the same run.
// The metric (bench/summarize.ts, js-rouge with the README's tokenizer) is checked first against
// small examples computed by hand.
import { hasEval } from '../support/eval.js';
import { describe, expect, it } from 'vitest';
import { BBC_PATH, compareOnBbc, lead3Lines, rougeF1, rougeTokens } from '../../bench/summarize.js';

describe('ROUGE as the eval README defines it', () => {
  it('tokenizes to lower-cased [a-z0-9]+ runs, no stemming', () => {
    expect(rougeTokens('U.S. GDP rose 3.5%, Mills\' "running" costs!')).toEqual(['u', 's', 'gdp', 'rose', '3', '5', 'mills', 'running', 'costs']);
    expect(rougeTokens('中文 — …')).toEqual([]);
  });

  it('matches hand-computed F1 for unigrams, bigrams and the LCS', () => {
    // cand: the cat sat on the mat / ref: the cat is on the mat
    // unigrams: 5 of 6 match both ways → 5/6; bigrams: "the cat", "on the", "the mat" of 5 → 3/5;
    // LCS "the cat on the mat" = 5 → 5/6.
    const s = rougeF1('The cat sat on the mat.', 'the cat is on the mat');
    expect(s.r1).toBeCloseTo(5 / 6, 10);
    expect(s.r2).toBeCloseTo(3 / 5, 10);
    expect(s.rl).toBeCloseTo(5 / 6, 10);
  });

  it('uses clipped counts and unequal lengths correctly', () => {
    // cand "a a a b" (4 tokens), ref "a b c" (3): unigram matches min(3,1)+min(1,1) = 2 →
    // P 2/4, R 2/3, F1 = 2·(1/2)(2/3)/(1/2+2/3) = 4/7. Bigrams: cand aa, aa, ab; ref ab, bc → 1:
    // P 1/3, R 1/2 → 2/5. LCS "a b" = 2 → 4/7.
    const s = rougeF1('a a a b', 'a b c');
    expect(s.r1).toBeCloseTo(4 / 7, 10);
    expect(s.r2).toBeCloseTo(2 / 5, 10);
    expect(s.rl).toBeCloseTo(4 / 7, 10);
  });

  it('computes ROUGE-L over the whole text, not per line (rougeL, not rougeLsum)', () => {
    // Same four tokens, the two lines swapped: whole-text LCS is 2 of 4 → 0.5 (rougeLsum would say 1).
    const s = rougeF1('a b\nc d', 'c d\na b');
    expect(s.r1).toBe(1);
    expect(s.r2).toBeCloseTo(2 / 3, 10);
    expect(s.rl).toBeCloseTo(0.5, 10);
  });

  it('scores an empty candidate 0 instead of throwing', () => {
    expect(rougeF1('', 'a b')).toEqual({ r1: 0, r2: 0, rl: 0 });
  });

  it('Lead-3 takes the first three sentence lines of the body', () => {
    expect(lead3Lines('One.\nTwo.\n\nThree.\nFour.')).toBe('One.\nTwo.\nThree.');
  });
});

describe.skipIf(!hasEval(BBC_PATH))(`ROUGE on the BBC pairs (needs ${BBC_PATH.pathname})`, () => {
  it('beats Lead-3 on ROUGE-1, ROUGE-2 and ROUGE-L on the same pairs', () => {
    const { pairs, ours, lead3 } = compareOnBbc();
    const f = (n: number) => n.toFixed(1);
    console.log(
      `ROUGE F1 on ${pairs} BBC pairs (3 sentences):\n` +
        `           R1     R2     RL\n` +
        `  ours    ${f(ours.r1)}   ${f(ours.r2)}   ${f(ours.rl)}\n` +
        `  lead-3  ${f(lead3.r1)}   ${f(lead3.r2)}   ${f(lead3.rl)}`,
    );
    expect(pairs).toBe(52);
    // Our Lead-3 reproduces the README's figures (49.3 / 40.6 / 39.4): same metric, same pairs.
    expect(lead3.r1).toBeCloseTo(49.3, 0);
    expect(lead3.r2).toBeCloseTo(40.6, 0);
    expect(lead3.rl).toBeCloseTo(39.4, 0);
    expect(ours.r1).toBeGreaterThanOrEqual(lead3.r1);
    expect(ours.r2).toBeGreaterThanOrEqual(lead3.r2);
    expect(ours.rl).toBeGreaterThanOrEqual(lead3.rl);
  });
});
