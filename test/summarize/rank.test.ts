import { describe, expect, it } from 'vitest';
import { DEFAULT_RANK_OPTIONS, rankSentences } from '../../src/summarize/rank.js';

const tok = (s: string) => s.toLowerCase().split(/\s+/).filter(Boolean);
const best = (scores: number[]) => scores.indexOf(Math.max(...scores));

describe('rankSentences', () => {
  it('scores the sentence the others share words with above an unrelated one', () => {
    const sentences = [
      'the band played a long concert downtown last night',
      'cotton mills raised cotton yarn prices',
      'yarn prices at cotton mills rose again',
      'mills expect cotton yarn demand to hold',
    ].map(tok);
    const scores = rankSentences(sentences, [], { ...DEFAULT_RANK_OPTIONS, minWords: 1 });
    expect(scores[0]).toBeLessThan(Math.min(scores[1]!, scores[2]!, scores[3]!));
  });

  it('prefers the earlier of two equally central sentences (position prior)', () => {
    const same = tok('cotton yarn prices rose at the mills');
    const scores = rankSentences([tok('an unrelated opening line here'), same, same], []);
    expect(scores[1]).toBeGreaterThan(scores[2]!);
    expect(scores[1]).toBeGreaterThan(scores[0]!);
  });

  it('lifts sentences that share the title words', () => {
    const sentences = [tok('steel output fell in june across the region'), tok('cotton output rose in june across the region')];
    expect(best(rankSentences(sentences, tok('cotton output rises'), { ...DEFAULT_RANK_OPTIONS, positionDecay: 0 }))).toBe(1);
  });

  it('handles no sentences, one sentence and sentences sharing nothing', () => {
    expect(rankSentences([], [])).toEqual([]);
    expect(rankSentences([tok('alone')], [])).toHaveLength(1);
    const scores = rankSentences([tok('aa bb'), tok('cc dd'), tok('ee ff')], []);
    expect(scores.every(Number.isFinite)).toBe(true);
    expect(scores[0]).toBeGreaterThan(scores[2]!);
  });
});
