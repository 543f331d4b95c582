// Telegram's HTML parse mode: escaping for it, the parser the Bot API runs, and lengths as
// Telegram counts them. The parser follows TDLib's parse_html (tag, attribute and entity rules,
// error wording, byte offsets) so the Bot API emulator can reuse it; `strict` (the default)
// additionally refuses what TDLib lets through silently but what we never mean to send: unknown
// or unterminated entities, a bare `&` or `>`, and nestings TDLib quietly drops (anything inside
// <code>, anything but <code> inside <pre>, links inside links, pre/code inside links, nested
// blockquotes).
//
// Limits (4096 per message, 1024 per caption) apply to the text AFTER parsing and entity offsets
// are UTF-16 code units, so `&amp;` counts one unit, `<b>` none and an astral emoji two.

export type TelegramEntityType =
  | 'bold'
  | 'italic'
  | 'underline'
  | 'strikethrough'
  | 'spoiler'
  | 'text_link'
  | 'code'
  | 'pre'
  | 'blockquote'
  | 'expandable_blockquote';

/** The Bot API MessageEntity shape: offsets and lengths in UTF-16 code units. */
export interface TelegramEntity {
  type: TelegramEntityType;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

export interface ParsedTelegramHtml {
  text: string;
  entities: TelegramEntity[];
}

/** Message wording follows the Bot API ("can't parse entities: …", offsets in UTF-8 bytes). */
export class TelegramHtmlError extends Error {
  override name = 'TelegramHtmlError';
}

const TAG_TYPE: Readonly<Record<string, TelegramEntityType>> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
};
const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"' };
const ESCAPE: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const PLAIN = /[^<&>]+/y;

/** Escapes text (and attribute values) for Telegram HTML: only entities Telegram knows. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ESCAPE[c]!);
}

/** UTF-16 length of the visible text, as Telegram counts it for its limits. Throws on HTML the Bot API refuses. */
export function telegramLength(html: string): number {
  return parseTelegramHtml(html, { strict: false }).text.length;
}

export function validateTelegramHtml(html: string): { ok: true } | { ok: false; error: string } {
  try {
    parseTelegramHtml(html);
    return { ok: true };
  } catch (err) {
    if (err instanceof TelegramHtmlError) return { ok: false, error: err.message };
    throw err;
  }
}

// TDLib treats its C string's terminating NUL as a space; past the end reads as '' here.
const isSpace = (c: string | undefined) => c === undefined || c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\0';

interface OpenTag {
  name: string;
  type: TelegramEntityType;
  arg: string;
  offset: number;
}

/** Text and entities the Bot API would derive from `html`, or a TelegramHtmlError saying why it would refuse it. */
export function parseTelegramHtml(html: string, opts: { strict?: boolean } = {}): ParsedTelegramHtml {
  const strict = opts.strict ?? true;
  const fail = (msg: string, pos: number, detail = ''): never => {
    throw new TelegramHtmlError(`can't parse entities: ${msg} at byte offset ${Buffer.byteLength(html.slice(0, pos))}${detail}`);
  };
  const lone = LONE_SURROGATE.exec(html);
  if (lone) throw new TelegramHtmlError(`text must be encoded in UTF-8: lone surrogate at UTF-16 index ${lone.index}`);

  let text = '';
  const open: OpenTag[] = [];
  const entities: TelegramEntity[] = [];
  const n = html.length;
  let i = 0;
  while (i < n) {
    PLAIN.lastIndex = i;
    const plain = PLAIN.exec(html);
    if (plain) {
      text += plain[0];
      i += plain[0].length;
      continue;
    }
    const c = html[i];
    if (c === '&') {
      const ent = decodeEntity(html, i);
      if (ent && (ent.terminated || !strict)) {
        text += ent.char;
        i = ent.end;
      } else if (strict) {
        fail(ent ? 'HTML entity without ";"' : 'unsupported HTML entity or unescaped "&"', i);
      } else {
        text += '&';
        i++;
      }
      continue;
    }
    if (c === '>') {
      if (strict) fail('unescaped ">"', i);
      text += '>';
      i++;
      continue;
    }
    const begin = i++;
    if (html[i] !== '/') {
      const tag = readStartTag(html, begin, strict, fail);
      i = tag.end;
      if (strict) checkNesting(open, tag.name, TAG_TYPE[tag.name]!, begin, fail);
      open.push({ name: tag.name, type: TAG_TYPE[tag.name]!, arg: tag.arg, offset: text.length });
      continue;
    }
    if (open.length === 0) fail('Unexpected end tag', begin);
    while (!isSpace(html[i]) && html[i] !== '>') i++;
    const endName = html.slice(begin + 2, i);
    while (i < n && isSpace(html[i])) i++;
    if (html[i] !== '>') fail('Unclosed end tag', begin);
    i++;
    const top = open.pop()!;
    if (endName !== '' && endName !== top.name) {
      fail('Unmatched end tag', begin, `, expected "</${top.name}>", found "</${endName}>"`);
    }
    closeEntity(top, text, entities);
  }
  const unclosed = open.at(-1);
  if (unclosed) throw new TelegramHtmlError(`can't parse entities: Can't find end tag corresponding to start tag "${unclosed.name}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

function closeEntity(tag: OpenTag, text: string, entities: TelegramEntity[]): void {
  const length = text.length - tag.offset;
  if (length === 0) return; // TDLib drops empty entities
  const entity: TelegramEntity = { type: tag.type, offset: tag.offset, length };
  if (tag.type === 'text_link') entity.url = tag.arg || text.slice(tag.offset);
  if (tag.type === 'blockquote' && tag.arg === '1') entity.type = 'expandable_blockquote';
  if (tag.type === 'pre') {
    // <pre><code class="language-x"> is how a pre block gets its language.
    const last = entities.at(-1);
    if (last?.type === 'code' && last.offset === tag.offset && last.length === length) {
      entities.pop();
      if (last.language) entity.language = last.language;
    }
  }
  if (tag.type === 'code' && tag.arg) entity.language = tag.arg;
  entities.push(entity);
}

type Fail = (msg: string, pos: number, detail?: string) => never;

function checkNesting(open: OpenTag[], name: string, type: TelegramEntityType, pos: number, fail: Fail): void {
  const parent = open.at(-1);
  const inside = (t: TelegramEntityType) => open.some((o) => o.type === t);
  const refuse = (outer: string) => fail(`tag "${name}" can't be nested in "${outer}"`, pos);
  if (inside('code')) refuse('code');
  if (inside('pre') && !(type === 'code' && parent?.type === 'pre')) refuse('pre');
  if ((type === 'text_link' || type === 'pre' || type === 'code') && inside('text_link')) refuse('a');
  if (type === 'blockquote' && inside('blockquote')) refuse('blockquote');
}

function readStartTag(html: string, begin: number, strict: boolean, fail: Fail): { name: string; arg: string; end: number } {
  let i = begin + 1;
  while (!isSpace(html[i]) && html[i] !== '>') i++;
  if (i >= html.length) fail('Unclosed start tag', begin);
  const name = html.slice(begin + 1, i).toLowerCase();
  if (!Object.hasOwn(TAG_TYPE, name)) fail(`Unsupported start tag "${name}"`, begin);
  let arg = '';
  while (html[i] !== '>') {
    while (i < html.length && isSpace(html[i])) i++;
    if (html[i] === '>') break;
    const attrBegin = i;
    while (!isSpace(html[i]) && html[i] !== '=' && html[i] !== '>') i++;
    const attr = html.slice(attrBegin, i);
    if (attr === '') fail(`Empty attribute name in the tag "${name}"`, begin);
    while (i < html.length && isSpace(html[i])) i++;
    if (html[i] !== '=') {
      if (name === 'blockquote' && attr === 'expandable' && i < html.length) {
        arg = '1';
        continue;
      }
      fail(`Expected equal sign in declaration of an attribute of the tag "${name}"`, begin);
    }
    i++;
    while (i < html.length && isSpace(html[i])) i++;
    if (i >= html.length) fail(`Unclosed start tag "${name}"`, begin);
    let value = '';
    const quote = html[i];
    if (quote !== '"' && quote !== "'") {
      // An unquoted value is an SGML name token: letters, digits, '.', '-', case-insensitive.
      const tokenBegin = i;
      while (i < html.length && /[A-Za-z0-9.-]/.test(html[i]!)) i++;
      value = html.slice(tokenBegin, i).toLowerCase();
      if (!isSpace(html[i]) && html[i] !== '>') fail('Unexpected end of name token', tokenBegin);
    } else {
      i++;
      while (i < html.length && html[i] !== quote) {
        const ent = html[i] === '&' ? decodeEntity(html, i) : null;
        if (ent && (ent.terminated || !strict)) {
          value += ent.char;
          i = ent.end;
        } else {
          if (strict && html[i] === '&') fail(`unsupported HTML entity or unescaped "&" in an attribute of the tag "${name}"`, i);
          value += html[i++];
        }
      }
      if (html[i] === quote) i++;
    }
    if (i >= html.length) fail(`Unclosed start tag "${name}"`, begin);
    if (name === 'a' && attr === 'href') arg = value;
    else if (name === 'code' && attr === 'class' && value.startsWith('language-')) arg = value.slice(9);
    else if (name === 'span' && attr === 'class' && value.startsWith('tg-')) arg = value.slice(3);
    else if (name === 'blockquote' && attr === 'expandable') arg = '1';
  }
  if (name === 'span' && arg !== 'spoiler') fail('Tag "span" must have class "tg-spoiler"', begin);
  return { name, arg, end: i + 1 };
}

/** TDLib's decode_html_entity: the 4 named entities and numeric ones; ';' optional there. */
function decodeEntity(s: string, pos: number): { char: string; end: number; terminated: boolean } | null {
  let end = pos + 1;
  let code = 0;
  if (s[end] === '#') {
    end++;
    const hex = s[end] === 'x';
    if (hex) end++;
    const digit = hex ? /[0-9a-fA-F]/ : /[0-9]/;
    while (end < s.length && digit.test(s[end]!)) code = code * (hex ? 16 : 10) + Number.parseInt(s[end++]!, 16);
    if (code === 0 || code >= 0x10ffff || end - pos >= 10 || (code >= 0xd800 && code <= 0xdfff)) return null;
  } else {
    while (end < s.length && /[A-Za-z]/.test(s[end]!)) end++;
    const name = s.slice(pos + 1, end);
    if (!Object.hasOwn(NAMED, name)) return null;
    code = NAMED[name]!.codePointAt(0)!;
  }
  const terminated = s[end] === ';';
  return { char: String.fromCodePoint(code), end: terminated ? end + 1 : end, terminated };
}
