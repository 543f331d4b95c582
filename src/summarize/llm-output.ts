// What a language model returns is untrusted text: it may carry markup (HTML, Markdown), control
// and bidi characters, a chatty preamble, a refusal, or text the article planted ("ignore your
// instructions and …"). Renderers escape everything anyway; this module makes sure what we store
// is plain prose of the size we asked for, or nothing (and then the caller falls back).
import { splitSentences } from './sentences.js';
import { type SummaryBudget, codePoints, joinSentences } from './summarizer.js';

/** Longest sentence accepted when only a sentence budget is given: longer is runaway output. */
export const MAX_LLM_SENTENCE_CHARS = 400;
/** Shorter than this (code points, after cleaning) is not a summary. */
const MIN_CHARS = 12;

// C0/C1 controls, zero-width characters, bidi embeddings/overrides/isolates, BOM.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

const REFUSAL = [
  /^(?:i'?m sorry|sorry,|i apologi[sz]e|i (?:cannot|can't|can not|am unable|won't)|as an ai\b|unfortunately,? i)/i,
  /\b(?:as an ai|language model)\b/i,
  /^(?:抱歉|对不起|很抱歉|我无法|我不能|作为一个?(?:AI|人工智能))/iu,
];
const PREAMBLE = /^(?:(?:here(?:'s| is) (?:a |the |your )?(?:brief |short |concise )?summary[^:：]{0,40}|summary|tl;?dr|摘要|总结|概要)\s*[:：]\s*)/iu;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Entities are decoded before tags are stripped, so "&lt;b&gt;" cannot smuggle a tag through. */
function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#x([\da-f]{1,6})|([a-z]+));/gi, (m, dec: string, hex: string, name: string) => {
    const code = dec ? Number(dec) : hex ? Number.parseInt(hex, 16) : undefined;
    if (code !== undefined) return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : ' ';
    return ENTITIES[name.toLowerCase()] ?? m;
  });
}

/** Markup and control characters removed, whitespace collapsed to single spaces. */
export function toPlainText(raw: string): string {
  return decodeEntities(raw)
    .replace(/```[\s\S]*?```/g, ' ') // code blocks are never part of a summary
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<\/?[a-z][^>]*>/gi, ' ')
    .replace(/!\[[^\]]*\]\((?:[^()]|\([^()]*\))*\)/g, ' ') // Markdown image
    .replace(/\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)/g, '$1') // Markdown link → its text
    .replace(/^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+•]\s+|\d{1,2}[.)]\s+)/gm, '') // headings, quotes, list markers
    .replace(/(\*\*|__|~~|`)/g, '')
    .replace(/(^|\s)[*_](\S[^*_]*?)[*_](?=\s|[.,;:!?]|$)/g, '$1$2') // *emphasis*
    .replace(CONTROL, ' ')
    .replace(/\s+/g, ' ')
    .replace(/ ([.,;:!?。，；：！？])/g, '$1') // the space a removed tag left before punctuation
    .trim();
}

export type CleanResult = { ok: true; sentences: string[] } | { ok: false; reason: string };

/**
 * The model's reply as summary sentences within the budget (whole sentences, the first ones), or
 * why it is not usable.
 */
export function cleanLlmSummary(raw: string, lang: string, budget: SummaryBudget): CleanResult {
  let text = toPlainText(raw).replace(PREAMBLE, '');
  // A reply wrapped in quotes as a whole: the quotes are not part of the summary.
  const quoted = /^["“「](.*)["”」]$/su.exec(text);
  if (quoted && !/["“”「」]/u.test(quoted[1]!)) text = quoted[1]!.trim();
  if (codePoints(text) < MIN_CHARS) return { ok: false, reason: 'empty or too short' };
  if (REFUSAL.some((r) => r.test(text))) return { ok: false, reason: 'looks like a refusal' };

  let sentences = splitSentences([text], lang);
  if (budget.sentences !== undefined) sentences = sentences.slice(0, budget.sentences);
  const limit = budget.chars;
  if (limit !== undefined) {
    while (sentences.length > 1 && codePoints(joinSentences(sentences)) > limit) sentences = sentences.slice(0, -1);
    if (codePoints(joinSentences(sentences)) > limit) return { ok: false, reason: `longer than the ${limit}-character budget` };
  } else if (sentences.some((s) => codePoints(s) > MAX_LLM_SENTENCE_CHARS)) {
    return { ok: false, reason: `a sentence longer than ${MAX_LLM_SENTENCE_CHARS} characters` };
  }
  return { ok: true, sentences };
}
