// Text around an article that is not the article: bylines, photo credits, calls to action,
// share prompts, copyright lines and the crawler's navigation footer. Left in, they score well
// (they repeat the title's words, or sit in first position) and end up in summaries, so they
// are removed before sentences are scored. Patterns look at whole short lines or whole
// sentences, never at words inside a long sentence, so body text that mentions "read more"
// in passing survives.

/** Navigation footer of text dumps and CMS pages: from its first line to the end of the text. */
const NAV_LINE = /^\s*(?:(?:last|previous|prev|next)\s*(?:text|article|post|story|page)|上一篇|下一篇|上一条|下一条|上一页|下一页|上篇|下篇)\s*[:：]/i;

// Lines that are wholly one of these, when short.
const SHORT_LINE_CHARS = 120;
const LINE_PATTERNS: RegExp[] = [
  // Bylines: "By Jane Doe", "By JANE DOE, BBC News", "Posted by J. Doe | Reuters": a few
  // capitalized words, then at most an outlet. Case-sensitive, so "By the end of …" survives.
  /^(?:By|BY|by|(?:[Ww]ritten|[Rr]eported|[Pp]osted|[Ww]ords|[Ss]tory) by)\s+(?:\p{Lu}[\p{L}'’.-]*\s*){1,4}(?:(?:,|\||-|–|—|and|&)\s*[^.!?。]{0,60})?$/u,
  // Chinese bylines and source lines: 记者 张三 / 文/李四 / 来源：新华社 / 责任编辑：王五
  /^[(（[【]?\s*(?:本报)?(?:记者|作者|文|撰文|采写|通讯员|编辑|责任编辑|责编|编译|校对|审核|审校|来源|出处|出品|供稿|摄影|摄)\s*[:：/|｜\s]/u,
  // Photo credits: "Photo: Reuters", "(Image by X/Getty Images)", 图片来源：…, 图/…
  /^[(（[【]?\s*(?:photo|photos|photograph|image|images|picture|pic|credit|caption|illustration|video)\s*(?:by|credit|courtesy|source)?\s*[:：/|]/iu,
  /^[(（[【]?\s*(?:图片来源|图片|图源|配图|题图|图)\s*[:：/|｜]/u,
  /^[^.!?。]{0,60}(?:getty images|reuters|afp|ap photo|epa|shutterstock|xinhua|视觉中国|图虫创意|新华社发)\s*[)）\]】]?\s*$/iu,
  // A lead image's file name or a bare URL.
  /^\S+\.(?:jpe?g|png|gif|webp|bmp|avif|svg)(?:\?\S*)?$/iu,
  /^(?:https?:\/\/|www\.)\S+$/iu,
  // Copyright and legal lines.
  /^(?:©|\(c\)|copyright\b)/iu,
  /all rights reserved|版权所有|版权归|免责声明|未经授权|禁止转载/iu,
];

// Sentences (any length up to a short paragraph) that are calls to action or share prompts.
const PROMPT_CHARS = 200;
const PROMPT_PATTERNS: RegExp[] = [
  /\b(?:click|tap) here\b/iu,
  /^(?:read more|read the full (?:story|article)|continue reading|advertisement$)/iu,
  /^(?:related|see also|more on this(?: story)?|also read|watch|listen|more)\s*[:：]/iu,
  /^share (?:this|on|via|the)\b|\bshare this (?:article|story|page|post)\b/iu,
  /^(?:follow us|like us|subscribe|sign up|join us|download (?:our|the) app)\b/iu,
  /点击(?:这里|此处|查看|阅读|进入|下载|关注)|阅读原文|阅读全文|查看原文|更多精彩|扫(?:码|描二维码)(?:关注|下载|阅读|订阅|加入)|长按(?:识别|二维码)|关注我们|关注公众号|欢迎关注|点个在看/u,
  /^(?:分享到|转发到|分享至)/u,
];

// Inline credits inside a sentence: "(Photo: Reuters)", （图片来源：网络）, （记者 张三）
const INLINE_CREDIT = /\s*[(（[【]\s*(?:photo|image|picture|credit|图片来源|图片|图源|图|摄影|摄|记者|通讯员|来源)\s*[:：/|\s][^)）\]】]{0,60}[)）\]】]/giu;

/** The paragraphs without boilerplate lines and without the navigation footer. */
export function stripBoilerplateLines(paragraphs: string[]): string[] {
  const out: string[] = [];
  for (const paragraph of paragraphs) {
    const kept: string[] = [];
    let footer = false;
    for (const line of paragraph.split('\n')) {
      const clean = line.trim();
      if (NAV_LINE.test(clean)) {
        footer = true;
        break;
      }
      if (!clean) continue;
      if (clean.length <= SHORT_LINE_CHARS && LINE_PATTERNS.some((p) => p.test(clean))) continue;
      kept.push(clean);
    }
    if (kept.length) out.push(kept.join('\n'));
    // Everything after the footer is more navigation (related links, ads).
    if (footer) break;
  }
  return out;
}

/** Whether a whole sentence is a call to action or a share prompt. */
export function isPromptSentence(sentence: string): boolean {
  return sentence.length <= PROMPT_CHARS && PROMPT_PATTERNS.some((p) => p.test(sentence));
}

/** A sentence without inline photo or reporter credits; empty when nothing else was left. */
export function stripInlineCredits(sentence: string): string {
  const stripped = sentence.replace(INLINE_CREDIT, '').trim();
  return /[\p{L}\p{N}]/u.test(stripped) ? stripped : '';
}
