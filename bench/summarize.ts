// Summaries: quality on ../shared/eval/summaries/bbc.json (ROUGE-1/2/L F1 of our extractive
// summaries against Lead-3 on the same pairs) and speed on ~600-word articles (ours beside a
// plain Lead-3 over Intl.Segmenter), all measured in the same run.
//
// ROUGE as the eval README defines it: lower-cased [a-z0-9]+ tokens, no stemming, F1 per pair,
// averaged over pairs. ROUGE-L is the LCS of the whole candidate against the whole reference
// (rouge-score's "rougeL", not the per-sentence "rougeLsum"): that is the reading under which
// Lead-3 scores the README's R1 49.3 / R2 40.6 / RL 39.4.
import { existsSync, readFileSync } from 'node:fs';
import * as rouge from 'js-rouge';
import { summarizeExtractive } from '../src/summarize/extractive.js';
import type { SummaryInput } from '../src/summarize/summarizer.js';
import { type Bench, type Figures, median, withRatio } from './harness.js';

export const BBC_PATH = new URL('../../shared/eval/summaries/bbc.json', import.meta.url);

export interface BbcPair {
  id: string;
  title: string;
  /** The article without its headline line: paragraphs blank-line separated, one sentence per line. */
  body: string;
  summary: string;
}

export function loadBbcPairs(file: URL = BBC_PATH): BbcPair[] {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { id: string; article: string; summary: string }[];
  return raw.map(({ id, article, summary }) => {
    const [title = '', ...rest] = article.trim().split('\n');
    return { id, title: title.trim(), body: rest.join('\n').trim(), summary: summary.trim() };
  });
}

export const rougeTokens = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

export interface Rouge {
  r1: number;
  r2: number;
  rl: number;
}

/** F1 of one candidate against one reference, each in 0..1; an empty candidate scores 0. */
export function rougeF1(candidate: string, reference: string): Rouge {
  if (rougeTokens(candidate).length === 0 || rougeTokens(reference).length === 0) return { r1: 0, r2: 0, rl: 0 };
  const whole = (text: string) => [text];
  return {
    r1: rouge.n(candidate, reference, { n: 1, tokenizer: rougeTokens }),
    r2: rouge.n(candidate, reference, { n: 2, tokenizer: rougeTokens }),
    rl: rouge.l(candidate, reference, { tokenizer: rougeTokens, segmenter: whole }),
  };
}

/** Mean F1 over pairs, in percent (the README's unit). */
export function meanRouge(pairs: BbcPair[], summarize: (pair: BbcPair) => string): Rouge {
  const sum = { r1: 0, r2: 0, rl: 0 };
  for (const pair of pairs) {
    const s = rougeF1(summarize(pair), pair.summary);
    sum.r1 += s.r1;
    sum.r2 += s.r2;
    sum.rl += s.rl;
  }
  const pct = (v: number) => (100 * v) / Math.max(1, pairs.length);
  return { r1: pct(sum.r1), r2: pct(sum.r2), rl: pct(sum.rl) };
}

/** Lead-3 as the README computes it: the body's first three sentences (lines), headline excluded. */
export function lead3Lines(body: string): string {
  return body
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 3)
    .join('\n');
}

export const bbcInput = (pair: BbcPair): SummaryInput => ({ title: pair.title, text: pair.body, lang: 'en' });

export function compareOnBbc(pairs: BbcPair[] = loadBbcPairs()): { pairs: number; ours: Rouge; lead3: Rouge } {
  const ours = meanRouge(pairs, (p) => summarizeExtractive(bbcInput(p), { sentences: 3 }).sentences.join('\n'));
  const lead3 = meanRouge(pairs, (p) => lead3Lines(p.body));
  return { pairs: pairs.length, ours, lead3 };
}

/** ~600-word articles made of BBC bodies run together, cut at the paragraph end nearest 600 words. */
export function articles600(pairs: BbcPair[], count: number): SummaryInput[] {
  const paragraphs = pairs.flatMap((p) => p.body.split(/\n\s*\n/));
  const out: SummaryInput[] = [];
  let k = 0;
  while (out.length < count && paragraphs.length > 0) {
    const taken: string[] = [];
    let wordCount = 0;
    for (;;) {
      const p = paragraphs[k % paragraphs.length]!;
      const n = p.split(/\s+/).length;
      if (taken.length > 0 && wordCount + n / 2 > 600) break;
      taken.push(p);
      wordCount += n;
      k++;
    }
    out.push({ title: pairs[out.length % pairs.length]!.title, text: taken.join('\n\n'), lang: 'en' });
  }
  return out;
}

const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
/** The speed baseline: the first three sentences by Intl.Segmenter, nothing else. */
export function lead3Segmenter(input: SummaryInput): string {
  const out: string[] = [];
  for (const { segment } of sentenceSegmenter.segment(input.text)) {
    if (segment.trim()) out.push(segment.trim());
    if (out.length === 3) break;
  }
  return out.join(' ');
}

/**
 * Median ms of each function, their runs interleaved: on a shared, noisy machine a burst of load
 * then hits both sides alike instead of whichever happened to run during it.
 */
function timeInterleaved(fns: (() => void)[], runs = 9, warmup = 2): number[] {
  const times = fns.map(() => [] as number[]);
  for (let r = 0; r < warmup + runs; r++) {
    fns.forEach((fn, i) => {
      const t0 = performance.now();
      fn();
      if (r >= warmup) times[i]!.push(performance.now() - t0);
    });
  }
  return times.map(median);
}

const r1 = (n: number): number => Math.round(n * 10) / 10;

export const summarizeBench: Bench = {
  name: 'summarize',
  figures: ['rouge_bbc'],
  description: 'extractive summaries: articles/s on ~600-word articles and ROUGE on BBC pairs, each beside Lead-3',
  async run(): Promise<Figures> {
    if (!existsSync(BBC_PATH)) {
      process.stderr.write(`summarize: skipped, ${BBC_PATH.pathname} is absent\n`);
      return {};
    }
    const pairs = loadBbcPairs();
    const articles = articles600(pairs, 200);
    const [oursMs = 0, leadMs = 0] = timeInterleaved([
      () => {
        for (const a of articles) summarizeExtractive(a, { sentences: 3 });
      },
      () => {
        for (const a of articles) lead3Segmenter(a);
      },
    ]);
    const { ours, lead3 } = compareOnBbc(pairs);
    const words = articles.reduce((n, a) => n + a.text.split(/\s+/).length, 0) / articles.length;
    return {
      summarize: withRatio({
        value: Math.round(articles.length / (oursMs / 1000)),
        unit: 'articles/s',
        higher_is_better: true,
        baseline: 'lead-3 (Intl.Segmenter)',
        baseline_value: Math.round(articles.length / (leadMs / 1000)),
        words_per_article: Math.round(words),
        ms_per_article: Math.round((oursMs / articles.length) * 1000) / 1000,
      }),
      rouge_bbc: withRatio({
        value: r1(ours.r1),
        unit: 'ROUGE-1 F1 %',
        higher_is_better: true,
        baseline: 'lead-3',
        baseline_value: r1(lead3.r1),
        r2: r1(ours.r2),
        rl: r1(ours.rl),
        lead3_r1: r1(lead3.r1),
        lead3_r2: r1(lead3.r2),
        lead3_rl: r1(lead3.rl),
        pairs: pairs.length,
      }),
    };
  },
};
