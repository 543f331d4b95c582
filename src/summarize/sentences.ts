// Sentences of a plain text via Intl.Segmenter (UAX #29), with the repairs that matter for
// summaries. UAX #29 alone breaks after "Mr. ", "Dr. ", "U.S. " and "No. " before a capital or a
// digit, keeps an opening “ with the sentence before it, breaks after "?" or "!" even when the
// sentence goes on in lower case ("Really?" she asked), and after a Chinese quote that closes
// behind its full stop when the speaker follows. A summary made of such fragments reads as
// garbage, so these are merged back; everything else is the platform's call, for every language.
import { segmenter } from '../ingest/text.js';

// Abbreviations that practically never end a sentence: titles before a name, and labels
// before a number ("No. 3", "Jan. 5", "Fig. 2").
const TITLE_ABBR =
  /(?:^|[\s("“'‘])(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sr|St|Mt|Ft|Sen|Rep|Gov|Gen|Col|Maj|Lt|Sgt|Capt|Cmdr|Adm|Rev|Hon|Pres|Supt|Insp|Messrs|Mme|Mlle)\.\s*$/;
const NUMBER_ABBR = /(?:^|[\s("“'‘])(?:No|Nos|Vol|Fig|Art|Sec|Ch|pp?|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.\s*$/i;
// "U.S. ", "p.m. ", and a middle initial ("John F. Kennedy").
const INITIALISM = /(?:^|[\s("“'‘])(?:\p{L}\.){2,}\s*$/u;
const MIDDLE_INITIAL = /\s\p{Lu}\.\s*$/u;
// After an initialism these words start a new sentence ("… in the U.S. The bill …"); any other
// capitalized word continues it ("the U.S. Senate").
const SENTENCE_STARTERS = new Set(
  (
    'a an the he she it they we i you this that these those there here his her its their our my ' +
    'but and or so yet in on at for to from by with after before when while if as however meanwhile ' +
    'also some many most one two three mr mrs ms dr what why how where who'
  ).split(' '),
);
// Opening punctuation that UAX #29 leaves at the end of the previous sentence.
const TRAILING_OPENERS = /[\s“‘「『《（【([]+$/u;
// Chinese writes the full stop inside the quote and names the speaker after it
// (“……严峻。”一位负责人表示。); without letter case UAX #29 cannot see that the sentence goes
// on, and the attribution alone is a fragment.
const QUOTE_END = /[。！？!?][”」』]\s*$/u;
const ATTRIBUTION = /^[^。！？“”「」]{1,24}(?:表示|说|说道|称|指出|认为|介绍|强调|透露|坦言|告诉记者|问|问道|回答|答道)[。！？]?\s*$/u;
const LEADING_LOWER = /^[\s"'“‘(（]*\p{Ll}/u;
const HAS_CONTENT = /[\p{L}\p{N}]/u;

function firstWord(text: string): string {
  return /^[\s"'“‘(]*([\p{L}]+)/u.exec(text)?.[1] ?? '';
}

/** Whether the break between `whole` and `next` is one of the known UAX #29 mistakes. */
function isFalseBreak(whole: string, next: string): boolean {
  // Every rule looks at the end of the previous sentence; testing only its last words keeps
  // these end-anchored patterns from scanning the whole sentence (the partial word goes).
  const prev = whole.length > 40 ? whole.slice(-40).replace(/^\S*/, '') : whole;
  if (/\n\s*$/.test(prev)) return false;
  if (!HAS_CONTENT.test(next)) return true;
  if (LEADING_LOWER.test(next)) return true;
  if (QUOTE_END.test(prev) && ATTRIBUTION.test(next)) return true;
  if (TITLE_ABBR.test(prev)) return true;
  if (NUMBER_ABBR.test(prev) && /^\s*\d/.test(next)) return true;
  if (INITIALISM.test(prev) || MIDDLE_INITIAL.test(prev)) {
    const word = firstWord(next);
    return /^\p{Lu}/u.test(word) && !SENTENCE_STARTERS.has(word.toLowerCase());
  }
  return false;
}

/** Single line breaks inside a paragraph: a break before a lower-case word is a hard wrap. */
function unwrap(paragraph: string): string {
  return paragraph.replace(/[^\S\n]*\n[^\S\n]*(?=[\p{Ll}])/gu, ' ');
}

/** Sentences of `text` as UAX #29 finds them, with the known false breaks merged back. */
function segments(text: string, lang: string): string[] {
  const raw: string[] = [];
  for (const { segment } of segmenter(lang, 'sentence').segment(text)) {
    const prev = raw[raw.length - 1];
    if (prev !== undefined && isFalseBreak(prev, segment)) raw[raw.length - 1] = prev + segment;
    else raw.push(segment);
  }
  return raw;
}

export function splitParagraphs(text: string): string[] {
  return text
    .split(/\n[^\S\n]*\n\s*/)
    .map((p) => p.trim())
    .filter(Boolean);
}

// V8's sentence segmentation slows down faster than linearly with the string's length (about
// 0.1 ms for 4,000 characters, 35 ms for 80,000), so text reaches the Segmenter in pieces of
// about this size, cut at paragraph ends; a single longer paragraph is cut after a sentence-final
// mark. Fewer, bigger pieces matter too: each segment() call has a fixed cost.
const CHUNK_CHARS = 4000;
const SENTENCE_END = /(?:[.!?]["'”’)）]*\s+|[。！？][”’」』）]*)/gu;

function splitLong(paragraph: string): string[] {
  const out: string[] = [];
  let rest = paragraph;
  while (rest.length > CHUNK_CHARS) {
    const window = rest.slice(0, CHUNK_CHARS);
    let cut = 0;
    for (const m of window.matchAll(SENTENCE_END)) if (m.index! + m[0].length > CHUNK_CHARS / 2) cut = m.index! + m[0].length;
    if (cut === 0) cut = window.lastIndexOf(' ') > CHUNK_CHARS / 2 ? window.lastIndexOf(' ') + 1 : CHUNK_CHARS;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out;
}

function chunks(paragraphs: string[]): string[] {
  const out: string[] = [];
  let current = '';
  for (const paragraph of paragraphs) {
    for (const piece of splitLong(unwrap(paragraph))) {
      if (current && current.length + piece.length > CHUNK_CHARS) {
        out.push(current);
        current = '';
      }
      // A blank line is always a sentence break for UAX #29, as paragraphs are for us.
      current = current ? `${current}\n\n${piece}` : piece;
    }
  }
  if (current) out.push(current);
  return out;
}

/** The sentences of the paragraphs, trimmed, in order; lazily, so a caller that needs the first few stops early. */
export function* sentencesOf(paragraphs: string[], lang: string): Generator<string> {
  let carry = '';
  for (const chunk of chunks(paragraphs)) {
    for (const segment of segments(chunk, lang)) {
      const opener = TRAILING_OPENERS.exec(segment)?.[0] ?? '';
      const text = (carry + segment.slice(0, segment.length - opener.length)).trim();
      carry = opener.trim();
      if (HAS_CONTENT.test(text)) yield text.replace(/\s+/g, ' ');
    }
  }
}

export function splitSentences(paragraphs: string[], lang: string): string[] {
  return [...sentencesOf(paragraphs, lang)];
}
