// Tidy text (whitespace, invisible characters, one-line titles) and the word lists behind
// search and near-duplicate detection. Article HTML → text lives in sanitize.ts (one pass).
//
// Words: Intl.Segmenter is the only thing in Node that splits Chinese/Japanese/Thai into words,
// but it costs ~1.5 ms per 4 KB of English (one object per segment) against ~25 µs for a regex.
// Space-separated scripts are therefore tokenized by a regex that follows the same UAX #29
// rules for the cases that matter ("3.5", "don't", "U.S"), and only runs of dictionary-segmented
// scripts go through the Segmenter.
import { Parser } from 'htmlparser2';
import { INVISIBLE, normalizeText } from './whitespace.js';

// Callers look for every text helper here, including the HTML one.
export { htmlToText } from './sanitize.js';
export { normalizeText };

/** Tags whose content is never text. */
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'textarea', 'select', 'head', 'title']);

/** One line of text: tags stripped, entities decoded, whitespace collapsed (titles, authors). */
export function inlineText(html: string): string {
  const raw = /[<&]/.test(html) ? collectText(html) : html;
  return raw.normalize('NFC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

function collectText(html: string): string {
  let out = '';
  let skipDepth = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIP.has(name)) skipDepth++;
      },
      onclosetag(name) {
        if (SKIP.has(name)) skipDepth = Math.max(0, skipDepth - 1);
      },
      ontext(text) {
        if (skipDepth === 0) out += text;
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  return out;
}

/** First sentence of a text, at most `max` characters (cut at a word boundary, with "…"). */
export function firstSentence(text: string, max = 120): string {
  const firstPara = text.split('\n')[0] ?? '';
  const m = /^.*?(?:[.!?](?=\s|$)|[。！？])/u.exec(firstPara);
  const sentence = (m ? m[0] : firstPara).trim();
  return sentence.length <= max ? sentence : cutAtWord(sentence, max);
}

/** At most `max` characters of a text that is longer: cut at a space in the second half if there is one, ending with "…". */
export function cutAtWord(text: string, max: number): string {
  // Never half a surrogate pair: it renders as a replacement box.
  const cut = text.slice(0, max - 1).replace(/[\ud800-\udbff]$/, '');
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

// Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, kana, Han.
const DICTIONARY_SCRIPT = /[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[\u{20000}-\u{3134f}]/u;
const TOKEN = /[\p{L}\p{M}\p{N}]+(?:[.,'’·][\p{L}\p{M}\p{N}]+)*/gu;

/** Segmenters are immutable and costly to build, so one per language and granularity is kept. */
const segmenters = new Map<string, Intl.Segmenter>();

/** The segmenter for a language; a malformed tag from a feed falls back to the root rules rather than throw. */
export function segmenter(lang: string, granularity: 'grapheme' | 'word' | 'sentence'): Intl.Segmenter {
  const key = `${granularity}:${lang}`;
  let s = segmenters.get(key);
  if (!s) {
    try {
      s = new Intl.Segmenter(lang, { granularity });
    } catch {
      s = new Intl.Segmenter('und', { granularity });
    }
    segmenters.set(key, s);
  }
  return s;
}

/** Lower-cased, NFKC (full-width → half-width) words of a text, in order. */
export function words(text: string, lang: string): string[] {
  const folded = text.normalize('NFKC').toLowerCase();
  // match() with /g gives plain strings: no match object per word, a third of ingest's garbage.
  const tokens = folded.match(TOKEN) ?? [];
  if (!DICTIONARY_SCRIPT.test(folded)) return tokens;
  const wordSegmenter = segmenter(lang, 'word');
  const out: string[] = [];
  for (const token of tokens) {
    if (!DICTIONARY_SCRIPT.test(token)) {
      out.push(token);
      continue;
    }
    for (const seg of wordSegmenter.segment(token)) {
      if (seg.isWordLike) out.push(seg.segment);
    }
  }
  return out;
}

/**
 * The portable keyword-search column: title and text as lower-cased words joined by spaces.
 * `titleWords` says how many of them are the title's, so the text's words can be taken back
 * out of the column (near-duplicate signatures use the text alone) without a second pass.
 */
export function searchText(title: string, text: string, lang: string): { searchText: string; titleWords: number } {
  const t = words(title, lang);
  return { searchText: [...t, ...words(text, lang)].join(' '), titleWords: t.length };
}

/** The text's words back out of a search column made by searchText(). */
export function textWords(search: string, titleWords: number): string[] {
  return search === '' ? [] : search.split(' ').slice(titleWords);
}
