// Boilerplate that Readability keeps inside the article: captions and photo credits, share and
// follow widgets, "related"/"read more" boxes, newsletter sign-ups, bylines and date lines. Rules
// are generic (class names, link density, stock phrases), never tied to one site.
import { flatText } from './text.js';

/** Class or id words of containers that hold something other than the article's own prose. */
const JUNK_CLASS =
  /(?:^|[\s_-])(?:share|sharing|sharebar|social|related|recommended|recommendations|newsletter|signup|subscribe|subscription|promo|advert|advertisement|ads|ad|adslot|sponsor|sponsored|byline|bylines|author-bio|author-info|caption|captions|credit|credits|breadcrumbs?|comments?|toolbar|print-only|d-print-block|rail|outbrain|taboola|player|tags|tag-list|disclaimer|copyright|see-also|photo)(?:$|[\s_-])/i;

/** Whole-line boilerplate phrases (after whitespace collapsing and trailing punctuation). */
const JUNK_LINE =
  /^(?:advertisement|advert|ad|sponsored|caption|close|enlarge(?: this)? image|loading(?: content)?|read more|see more|show more|view comments|comments|skip to content|image \d+ of \/? ?\d+|\d+ of \d+|media playback is unsupported on your device|you may also like|related|related (?:articles|stories|content|news|posts)|more (?:on this|from \w+|stories)|more [\w ]{0,20} news|don'?t miss|recommended|highlights|click to tweet|subscribe|sign in|log in|breaking news|latest news|latest|popular|most popular|popular this week|trending|top stories|recent (?:articles|posts)|home|about the author|share (?:this|this article|on \w+)|print|email)$/i;

/** Line openings of credits and promotional or cross-linking lines (short lines only). */
const JUNK_PREFIX =
  /^(?:\(?(?:image|photo|picture|photograph|video)(?: credit)?s?\s*:|credit\s*:|related\s*:|read more\s*:|see more\s*:|see also\s*:|more\s*:|watch\s*:|listen\s*:|\[related|sign up\b|subscribe to\b|follow (?:us|him|her|them)\b|join our\b|get (?:the latest|breaking news|access to)\b|click here\b|download our\b|copyright\b|©|\(c\)\s|all rights reserved|\(?(?:reporting|writing|editing|additional reporting) by\b|source\s*:|来源[:：]|责任编辑|编辑[:：])/i;

/** Calls to action: an imperative opening plus a channel ("Follow Newsbeat on Instagram…"). */
const CTA_START = /^(?:follow|subscribe|sign up|join|listen|get|reach|email|contact|have a tip|let our|download|watch|like us)\b/i;
const CTA_CHANNEL = /\b(?:twitter|facebook|instagram|youtube|newsletters?|inbox|subscribe|sign up|podcast|app)\b/i;

/** Inline elements carry words of the surrounding sentence; removing them would cut sentences. */
const INLINE = new Set(['A', 'B', 'STRONG', 'EM', 'I', 'U', 'ABBR', 'CODE', 'SUP', 'SUB', 'MARK', 'Q', 'CITE', 'TIME', 'SMALL']);

function classAndId(el: Element): string {
  return `${el.getAttribute('class') ?? ''} ${el.id ?? ''}`;
}

function linkTextLength(el: Element): number {
  let n = 0;
  for (const a of el.querySelectorAll('a')) n += flatText(a).length;
  return n;
}

/** True when the text is only a date line such as "Updated 1:39 am EST, Wednesday, November 20, 2019". */
export function isDateLine(text: string): boolean {
  if (text.length > 120 || !/\d/.test(text)) return false;
  const rest = text
    .replace(/\b(?:published|updated|posted|last updated|modified|on|at|by|am|pm|a\.m\.|p\.m\.)\b/gi, ' ')
    .replace(/\b(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?/gi, ' ')
    .replace(/\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b/gi, ' ')
    .replace(/\b(?:[A-Z]{2,4}T|GMT|UTC|ET)\b/g, ' ')
    .replace(/[\d\s:;,.|/()+-]|年|月|日|时|分|发布时间|发布|时间|更新/g, '');
  return rest.length === 0;
}

export interface CleanContext {
  title?: string;
  /** The page's own URL: a line that only repeats it is chrome ("share this link"). */
  url?: string;
  /** The byline Readability recognized; it keeps the line itself when it retries a short page. */
  byline?: string;
}

/** Why a leaf block's text is boilerplate, or undefined when it is prose. */
export function junkReason(text: string, ctx: CleanContext): string | undefined {
  const words = text.split(' ').length;
  const bare = text.replace(/[\s.:!…»›>|-]+$/, '');
  if (JUNK_LINE.test(bare)) return 'phrase';
  if (words <= 40 && JUNK_PREFIX.test(text)) return 'prefix';
  if (words <= 30 && CTA_START.test(text) && CTA_CHANNEL.test(text)) return 'call-to-action';
  if (/contributed (?:reporting|to this report)\.?$/i.test(text) && words <= 40) return 'credit';
  if (isDateLine(text)) return 'date';
  if (ctx.byline && text === ctx.byline.replace(/\s+/g, ' ').trim()) return 'byline';
  if (ctx.url && (text === ctx.url || text === ctx.url.replace(/^https?:\/\//, ''))) return 'self-link';
  return undefined;
}

function remove(el: Element): void {
  el.parentNode?.removeChild(el);
}

/** Headings that repeat the title (Readability keeps them when they differ in case or a suffix). */
function repeatsTitle(text: string, title: string | undefined): boolean {
  if (!title) return false;
  const a = text.toLowerCase();
  const b = title.toLowerCase();
  return a === b || (a.length >= 10 && (b.includes(a) || (a.includes(b) && a.length < b.length * 1.3)));
}

/** An inline element that stands alone in its parent (no sentence text around it). */
function standsAlone(el: Element): boolean {
  const parent = el.parentNode;
  if (!parent) return false;
  for (const n of parent.childNodes) if (n !== el && n.nodeType === 3 && (n.nodeValue ?? '').trim()) return false;
  return true;
}

/** Removes boilerplate from Readability's article element in place. */
export function cleanArticle(root: Element, ctx: CleanContext = {}): void {
  for (const el of [...root.querySelectorAll('figcaption, aside, nav, form, button, select, input, textarea')]) remove(el);
  for (const el of [...root.querySelectorAll('[class], [id]')]) {
    if (INLINE.has(el.tagName) || !root.contains(el)) continue;
    if (JUNK_CLASS.test(classAndId(el)) && flatText(el).length < 2000) remove(el);
  }
  // Lists whose every item is just a link are "more stories" boxes, not article prose.
  for (const list of [...root.querySelectorAll('ul, ol')]) {
    const items = [...list.children].filter((c) => c.tagName === 'LI');
    const linkOnly = (li: Element): boolean => {
      const text = flatText(li);
      return text.length > 0 && linkTextLength(li) / text.length >= 0.9;
    };
    if (items.length > 0 && items.every(linkOnly)) remove(list);
  }
  for (const el of [...root.querySelectorAll('span, time, small')]) {
    if (root.contains(el) && standsAlone(el) && isDateLine(flatText(el))) remove(el);
  }
  const blocks = [...root.querySelectorAll('p, h1, h2, h3, h4, h5, h6, li, div, blockquote, center, dd, dt')];
  for (const el of blocks) {
    if (!root.contains(el)) continue;
    const text = flatText(el);
    if (!text || el.querySelector('p, div, li, h1, h2, h3, h4, h5, h6, blockquote, table')) continue;
    const heading = /^H[1-6]$/.test(el.tagName);
    const density = linkTextLength(el) / text.length;
    if (junkReason(text, ctx) || (heading && repeatsTitle(text, ctx.title)) || (density > 0.7 && !heading && !/^(?:LI|DT)$/.test(el.tagName))) {
      remove(el);
    }
  }
}
