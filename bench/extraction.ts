// Main-content extraction quality on ../shared/eval/extraction (scrapinghub's
// article-extraction-benchmark pages): our extractor against plain @mozilla/readability with
// jsdom (what the benchmark itself ran), both scored in the same run by the benchmark's metric.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import { extractArticle } from '../src/sources/page/extract.js';
import { type ExtractionScore, type PageCounts, scorePages, shingleMatch } from './extraction-metric.js';
import { type Bench, type Figures, withRatio } from './harness.js';

export const EXTRACTION_DIR = new URL('../../shared/eval/extraction/', import.meta.url);

export interface EvalPage {
  id: string;
  url: string;
  html: string;
  truth: string;
}

export function loadExtractionPages(dir: URL = EXTRACTION_DIR): EvalPage[] {
  const truth = JSON.parse(readFileSync(new URL('ground-truth.json', dir), 'utf8')) as Record<string, { articleBody?: string; url?: string }>;
  const files = new Set(readdirSync(new URL('html/', dir)));
  return Object.entries(truth).map(([id, t]) => {
    const file = `${id}.html.gz`;
    if (!files.has(file)) throw new Error(`extraction set is incomplete: html/${file} is missing from ${dir.pathname}`);
    // The benchmark stores every page gzip-compressed and UTF-8 encoded (its README says so).
    const html = gunzipSync(readFileSync(new URL(`html/${file}`, dir))).toString('utf8');
    return { id, url: t.url ?? 'https://example.invalid/', html, truth: t.articleBody ?? '' };
  });
}

/** The baseline exactly as the benchmark ran it: Readability over jsdom, `textContent`. */
export function readabilityText(html: string, url: string): string {
  const dom = new JSDOM(html, { url, virtualConsole: new VirtualConsole() });
  try {
    return new Readability(dom.window.document).parse()?.textContent ?? '';
  } catch {
    return '';
  } finally {
    dom.window.close();
  }
}

export interface SystemResult {
  score: ExtractionScore;
  /** The brief's simpler reading of the metric: whitespace tokens, no shingles. */
  unigram: ExtractionScore;
  perPage: PageCounts[];
  ms: number;
}

const whitespace = (text: string): string[] => text.split(/\s+/).filter(Boolean);

export function scoreSystem(pages: EvalPage[], extract: (page: EvalPage) => string): SystemResult {
  const perPage: PageCounts[] = [];
  const unigrams: PageCounts[] = [];
  const t0 = performance.now();
  const texts = pages.map(extract);
  const ms = performance.now() - t0;
  pages.forEach((page, i) => {
    perPage.push(shingleMatch(page.truth, texts[i]!));
    unigrams.push(shingleMatch(page.truth, texts[i]!, 1, whitespace));
  });
  return { score: scorePages(perPage), unigram: scorePages(unigrams), perPage, ms };
}

export interface ExtractionComparison {
  pages: number;
  ours: SystemResult;
  readability: SystemResult;
}

export function compareExtraction(dir: URL = EXTRACTION_DIR): ExtractionComparison {
  const pages = loadExtractionPages(dir);
  const ours = scoreSystem(pages, (p) => extractArticle(p.html, p.url).text);
  const readability = scoreSystem(pages, (p) => readabilityText(p.html, p.url));
  return { pages: pages.length, ours, readability };
}

const r3 = (n: number): number => Math.round(n * 1000) / 1000;

export const extractionBench: Bench = {
  name: 'extraction',
  description: 'article body F1 (scrapinghub benchmark metric) of our extractor vs plain @mozilla/readability',
  async run(): Promise<Figures> {
    if (!existsSync(EXTRACTION_DIR)) {
      process.stderr.write(`extraction: skipped, ${EXTRACTION_DIR.pathname} is absent\n`);
      return {};
    }
    const { pages, ours, readability } = compareExtraction();
    return {
      extraction: withRatio({
        value: r3(ours.score.f1),
        unit: 'F1',
        higher_is_better: true,
        baseline: '@mozilla/readability 0.6 + jsdom',
        baseline_value: r3(readability.score.f1),
        precision: r3(ours.score.precision),
        recall: r3(ours.score.recall),
        baseline_precision: r3(readability.score.precision),
        baseline_recall: r3(readability.score.recall),
        pages,
        ms_per_page: Math.round((ours.ms / pages) * 10) / 10,
        baseline_ms_per_page: Math.round((readability.ms / pages) * 10) / 10,
      }),
    };
  },
};
