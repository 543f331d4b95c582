// Render once, personalize cheaply: a digest is compiled by MJML once, with placeholder tokens
// where per-recipient values go; each recipient then costs one join of precomputed pieces. The
// split is cached per rendered object, so 100k recipients of one digest cost one scan.
//
// Tokens look like `%%tidings.unsubscribe_url%%`. Handlebars leaves them alone (no character in
// them is escaped) and so does MJML; the renderer neutralizes the prefix inside article data
// (see neutralizeTokens) so a hostile title cannot smuggle one in.
import { t } from '../i18n/index.js';
import type { Recipient } from './model.js';

export interface RenderedEmail {
  /** Plain text, one line. May hold placeholders (when subject.hbs uses recipient values). */
  subject: string;
  /** Plain text shown by inboxes after the subject; also hidden at the top of the HTML. */
  preheader: string;
  /** Complete HTML document with per-recipient placeholders; storable as-is. */
  html: string;
  /** Plain-text part with per-recipient placeholders; storable as-is. */
  text: string;
}

export interface PersonalizedEmail {
  subject: string;
  html: string;
  text: string;
}

const TOKEN_KINDS = ['unsubscribe_url', 'preferences_url', 'name', 'greeting_en', 'greeting_zh'] as const;
type TokenKind = (typeof TOKEN_KINDS)[number];
const TOKEN_PREFIX = '%%tidings.';
const TOKEN = /%%tidings\.([a-z_]+)%%/g;

export const SUBJECT_MAX = 150;
const NAME_MAX = 100;

const token = (kind: TokenKind): string => `${TOKEN_PREFIX}${kind}%%`;

/** What templates see as `recipient`: placeholders, filled in by personalize(). */
export function recipientPlaceholders(lang: 'en' | 'zh'): Record<'name' | 'greeting' | 'unsubscribeUrl' | 'preferencesUrl', string> {
  return {
    name: token('name'),
    greeting: token(lang === 'zh' ? 'greeting_zh' : 'greeting_en'),
    unsubscribeUrl: token('unsubscribe_url'),
    preferencesUrl: token('preferences_url'),
  };
}

/** Breaks the token prefix inside untrusted text (a zero-width space), so only templates emit tokens. */
export function neutralizeTokens(s: string): string {
  return s.includes(TOKEN_PREFIX) ? s.replaceAll(TOKEN_PREFIX, '%%\u200btidings.') : s;
}

// C0/C1 controls and line/paragraph separators end a header line or fake one; bidi embeddings
// and overrides reorder what the reader sees (a spoofing trick), so both go.
const LINE_BREAKING = /[\p{Cc}\u2028\u2029]+/gu;
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/** One line of plain text: controls become spaces, whitespace collapses. */
export function plainLine(s: string): string {
  return s.replace(LINE_BREAKING, ' ').replace(BIDI, '').replace(/\s+/g, ' ').trim();
}

/** A name typed by a stranger at sign-up: one line, bounded. */
export function cleanRecipientName(name: string | null): string {
  return capText(plainLine(name ?? ''), NAME_MAX);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `s` cut to at most `max` UTF-16 units on a grapheme boundary (no split surrogate pair or emoji), with "…" when cut. */
export function capText(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = 0;
  for (const { index, segment } of graphemes.segment(s)) {
    if (index + segment.length > max - 1) break;
    end = index + segment.length;
  }
  return `${s.slice(0, end).trimEnd()}…`;
}

// Handlebars' own escapes, so a personalized email is byte-identical to a per-recipient render.
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

/** Escaped for HTML text and quoted attribute values alike. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]!);
}

const NON_ASCII = /[^\x00-\x7f]/gu;

/** Non-ASCII characters as numeric character references (valid in HTML text and attributes). */
export function encodeNonAscii(s: string): string {
  return s.replace(NON_ASCII, (c) => `&#x${c.codePointAt(0)!.toString(16)};`);
}

export function hasPlaceholders(s: string): boolean {
  return s.includes(TOKEN_PREFIX);
}

/** Pieces of one string: literals[0] slot[0] literals[1] … slot[n-1] literals[n]. */
export interface Pieces {
  literals: string[];
  slots: TokenKind[];
}

export type PlaceholderValues = Record<TokenKind, string>;

interface Split {
  /** The strings this split was made from, compared by identity on every hit. */
  sources: [html: string, text: string, subject: string];
  /** The HTML is pure ASCII (see render-email's compactHtml); values must keep it so. */
  asciiHtml: boolean;
  html: Pieces;
  text: Pieces;
  subject: Pieces;
}

function split(s: string): Pieces {
  const literals: string[] = [];
  const slots: TokenKind[] = [];
  let last = 0;
  for (const m of s.matchAll(TOKEN)) {
    const kind = m[1] as TokenKind;
    if (!TOKEN_KINDS.includes(kind)) throw new Error(`personalize: unknown placeholder ${m[0]} in the rendered email`);
    literals.push(s.slice(last, m.index));
    slots.push(kind);
    last = m.index + m[0].length;
  }
  literals.push(s.slice(last));
  return { literals, slots };
}

export function joinPieces(p: Pieces, values: PlaceholderValues): string {
  let out = p.literals[0]!;
  for (let i = 0; i < p.slots.length; i++) out += values[p.slots[i]!] + p.literals[i + 1]!;
  return out;
}

const splits = new WeakMap<RenderedEmail, Split>();

function splitOf(rendered: RenderedEmail): Split {
  const { html, text, subject } = rendered;
  const cached = splits.get(rendered);
  // A caller who changed the object after the first call gets a fresh split, not stale pieces.
  if (cached && cached.sources[0] === html && cached.sources[1] === text && cached.sources[2] === subject) return cached;
  const asciiHtml = !/[^\x00-\x7f]/.test(html);
  // V8 keeps a string two bytes per character when it was built from a two-byte one (MJML's
  // output, a regex replace), even if only ASCII is left; a latin1 round trip makes it one byte
  // per character, so each joined copy is ~75 KB on the ordinary heap rather than ~150 KB in
  // the large-object space (measured here: ~1.3 ms vs ~10 µs per recipient to materialize).
  const compact = asciiHtml ? Buffer.from(html, 'latin1').toString('latin1') : html;
  const fresh: Split = {
    sources: [html, text, subject],
    asciiHtml,
    html: split(compact),
    text: split(text),
    subject: split(subject),
  };
  splits.set(rendered, fresh);
  return fresh;
}

function httpUrl(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`personalize: the recipient's ${what} is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`personalize: the recipient's ${what} must be http(s), got ${url.protocol}`);
  }
  return url.href;
}

/**
 * What personalize() joins: the digest's pieces (the same objects for every recipient while the
 * rendered email is unchanged) and this recipient's values. The MIME builder encodes the pieces
 * once per digest and only the values per recipient.
 */
export interface PersonalizedParts {
  subject: string;
  html: { pieces: Pieces; values: PlaceholderValues };
  text: { pieces: Pieces; values: PlaceholderValues };
}

/** The rendered digest with this recipient's values filled in: no MJML, no template engine. */
export function personalize(rendered: RenderedEmail, recipient: Recipient): PersonalizedEmail {
  const { subject, html, text } = personalizedParts(rendered, recipient);
  return { subject, html: joinPieces(html.pieces, html.values), text: joinPieces(text.pieces, text.values) };
}

export function personalizedParts(rendered: RenderedEmail, recipient: Recipient): PersonalizedParts {
  const s = splitOf(rendered);
  const unsubscribe = httpUrl(recipient.unsubscribeUrl, 'unsubscribe URL');
  const preferences = httpUrl(recipient.preferencesUrl, 'preferences URL');
  const name = cleanRecipientName(recipient.name);
  const greeting = (lang: 'en' | 'zh') => (name ? t(lang, 'digest.greetingNamed', { name }) : t(lang, 'digest.greeting'));
  const text: Record<TokenKind, string> = {
    unsubscribe_url: unsubscribe,
    preferences_url: preferences,
    name,
    greeting_en: greeting('en'),
    greeting_zh: greeting('zh'),
  };
  // Attribute escaping is also correct in text content, so one escaped set serves both contexts.
  // An ASCII document stays ASCII: V8 then keeps it one byte per character, and a ~100 KB
  // digest stays out of the large-object space, whose allocation per recipient costs ms.
  const html = {} as Record<TokenKind, string>;
  for (const kind of TOKEN_KINDS) html[kind] = s.asciiHtml ? encodeNonAscii(escapeHtml(text[kind])) : escapeHtml(text[kind]);
  const subject = s.subject.slots.length ? capText(plainLine(joinPieces(s.subject, text)), SUBJECT_MAX) : rendered.subject;
  return { subject, html: { pieces: s.html, values: html }, text: { pieces: s.text, values: text } };
}
