// Language of an article. Feeds often declare one language for everything (a Chinese portal
// says "zh-CN" on its English pages too), so a declared language is trusted only when it is
// written in the script the text is actually in; otherwise the dominant script decides.

type Script = 'latin' | 'han' | 'kana' | 'hangul' | 'cyrillic' | 'arabic' | 'greek' | 'hebrew' | 'thai' | 'devanagari';

const SCRIPT_LANG: Record<Script, string> = {
  latin: 'en',
  han: 'zh',
  kana: 'ja',
  hangul: 'ko',
  cyrillic: 'ru',
  arabic: 'ar',
  greek: 'el',
  hebrew: 'he',
  thai: 'th',
  devanagari: 'hi',
};

/** Scripts a declared language may be written in; languages not listed are Latin-script. */
const LANG_SCRIPTS: Record<string, Script[]> = {
  zh: ['han'],
  yue: ['han'],
  wuu: ['han'],
  ja: ['kana', 'han'],
  ko: ['hangul', 'han'],
  ru: ['cyrillic'],
  uk: ['cyrillic'],
  bg: ['cyrillic'],
  be: ['cyrillic'],
  mk: ['cyrillic'],
  kk: ['cyrillic'],
  mn: ['cyrillic'],
  sr: ['cyrillic', 'latin'],
  ar: ['arabic'],
  fa: ['arabic'],
  ur: ['arabic'],
  el: ['greek'],
  he: ['hebrew'],
  yi: ['hebrew'],
  th: ['thai'],
  hi: ['devanagari'],
  mr: ['devanagari'],
  ne: ['devanagari'],
};

/** Common wrong labels seen on real sites (country codes used as language codes). */
const ALIASES: Record<string, string> = { cn: 'zh', jp: 'ja', kr: 'ko', iw: 'he', ji: 'yi', gr: 'el' };

/** How much text detection looks at: enough to be sure, cheap on long articles. */
const SAMPLE_CHARS = 4000;
/** Below this weighted letter count the script is not trusted. */
const MIN_WEIGHT = 6;

/** "zh-Hans-CN" → "zh", "EN_us" → "en"; undefined when it is not a language tag. */
export function normalizeLangTag(tag: string | undefined | null): string | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (!/^[a-z]{2,3}$/.test(primary)) return undefined;
  return ALIASES[primary] ?? primary;
}

// Scripts by index, so counting letters is array arithmetic: detection runs on every stored
// article, on the ingesting thread (a Map per article cost ~60 µs each, a third of normalizing).
const SCRIPTS: readonly Script[] = ['latin', 'han', 'kana', 'hangul', 'cyrillic', 'arabic', 'greek', 'hebrew', 'thai', 'devanagari'];
const LATIN = 0;
const HAN = 1;
const KANA = 2;
const HANGUL = 3;
const NONE = -1;

function scriptOf(code: number): number {
  if (code < 0x80) return (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a ? LATIN : NONE;
  if (code >= 0xc0 && code <= 0x24f) return code === 0xd7 || code === 0xf7 ? NONE : LATIN;
  if (code >= 0x370 && code <= 0x3ff) return 6;
  if (code >= 0x400 && code <= 0x52f) return 4;
  if (code >= 0x590 && code <= 0x5ff) return 7;
  if (code >= 0x600 && code <= 0x6ff) return 5;
  if (code >= 0x900 && code <= 0x97f) return 9;
  if (code >= 0xe00 && code <= 0xe7f) return 8;
  if (code >= 0x1e00 && code <= 0x1eff) return LATIN;
  if (code >= 0x3040 && code <= 0x30ff) return KANA;
  if ((code >= 0x3400 && code <= 0x9fff) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0x20000 && code <= 0x3134f)) return HAN;
  if ((code >= 0xac00 && code <= 0xd7af) || (code >= 0x1100 && code <= 0x11ff)) return HANGUL;
  return NONE;
}

/**
 * The dominant script's language, or undefined when there are too few letters to tell.
 * A Han, kana or Hangul character carries about a word, so it weighs as much as three letters.
 */
export function detectLang(text: string): string | undefined {
  const weights = new Array<number>(SCRIPTS.length).fill(0);
  const end = Math.min(text.length, SAMPLE_CHARS);
  for (let i = 0; i < end; i++) {
    const code = text.codePointAt(i)!;
    if (code > 0xffff) i++;
    const script = scriptOf(code);
    if (script === NONE) continue;
    weights[script]! += script === HAN || script === KANA || script === HANGUL ? 3 : 1;
  }
  // The first script to reach the highest weight wins a tie, in SCRIPTS order.
  let best = NONE;
  let bestWeight = 0;
  for (let s = 0; s < weights.length; s++) {
    if (weights[s]! > bestWeight) [best, bestWeight] = [s, weights[s]!];
  }
  if (best === NONE || bestWeight < MIN_WEIGHT) return undefined;
  // Japanese mixes kanji with kana; a few percent of kana rules out Chinese.
  const kana = weights[KANA]!;
  if (best === HAN && kana > 0 && kana / (kana + bestWeight) >= 0.05) return 'ja';
  return SCRIPT_LANG[SCRIPTS[best]!];
}

function plausible(lang: string, detected: string): boolean {
  if (lang === detected) return true;
  const detectedScript = (Object.keys(SCRIPT_LANG) as Script[]).find((s) => SCRIPT_LANG[s] === detected);
  const scripts = LANG_SCRIPTS[lang] ?? ['latin'];
  return detectedScript !== undefined && scripts.includes(detectedScript);
}

/**
 * The article's language: the source's forced `lang` wins; then the first declared language
 * (item, then feed) that is plausible for the text's script; then the script's language; then
 * the first declared one; "und" when nothing is known.
 */
export function chooseLang(text: string, opts: { forced?: string; declared?: (string | undefined)[] } = {}): string {
  const forced = normalizeLangTag(opts.forced);
  if (forced) return forced;
  const declared = (opts.declared ?? []).map(normalizeLangTag).filter((l): l is string => l !== undefined);
  const detected = detectLang(text);
  if (!detected) return declared[0] ?? 'und';
  return declared.find((l) => plausible(l, detected)) ?? detected;
}
