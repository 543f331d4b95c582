// The digest as an email: Handlebars fills the MJML template (escaping every value), MJML
// compiles it once, strictly validated, and per-recipient values stay placeholders for
// personalize(). See templates.ts for the escaping policy and personalize.ts for the tokens.
import { createRequire } from 'node:module';
import { formatDate, staticStrings, t } from '../i18n/index.js';
import { type DigestItem, type DigestModel, type Recipient, type SenderInfo, digestItems } from './model.js';
import {
  type PersonalizedEmail,
  type RenderedEmail,
  SUBJECT_MAX,
  capText,
  cleanRecipientName,
  encodeNonAscii,
  hasPlaceholders,
  neutralizeTokens,
  plainLine,
  recipientPlaceholders,
} from './personalize.js';
import {
  BUNDLED_EMAIL_TEMPLATES,
  type LoadedTemplates,
  type TemplateCache,
  TemplateError,
  type TemplateSet,
  createTemplateCache,
  loadTemplates,
  locateLine,
} from './templates.js';

export type { RenderedEmail };

export const EMAIL_TEMPLATES: TemplateSet = {
  files: { 'digest.mjml': { html: true }, 'digest.txt.hbs': { html: false }, 'subject.hbs': { html: false } },
  partialExt: '.mjml',
};

export interface RenderEmailOptions {
  /** The user's templates; files missing there come from templates/email/. */
  templatesDir?: string;
  /** Where compiled templates are kept between digests (default: one per process). */
  cache?: TemplateCache;
}

// A process-wide memo of compiled templates (revalidated by file mtime on every use): compiling
// them per digest would be waste, and the contract's options carry no cache of their own.
const defaultCache = createTemplateCache();

const PREHEADER_TITLES = 3;

type RecipientView = ReturnType<typeof recipientPlaceholders>;

/** Untrusted text as one clean line that cannot contain a placeholder token. */
const clean = (s: string): string => neutralizeTokens(plainLine(s));

/** An absolute http(s) URL, or null: javascript:, data:, relative and malformed links are not links. */
function safeUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? neutralizeTokens(url.href) : null;
  } catch {
    return null;
  }
}

function cardView(item: DigestItem, lang: string, timeZone: string) {
  const title = clean(item.title);
  return {
    title,
    url: safeUrl(item.url),
    source: clean(item.source.name),
    date: formatDate(item.publishedAt, lang, timeZone),
    summary: clean(item.summary),
    imageUrl: safeUrl(item.imageUrl),
    imageAlt: title,
    alsoReportedBy: item.alsoReportedBy.map((o) => ({ name: clean(o.name), url: safeUrl(o.url) })),
  };
}

/** Everything a template can use. Every string is plain text; the template engine escapes it. */
export function emailView(model: DigestModel, sender: SenderInfo, recipient: RecipientView) {
  const lang = model.newsletter.language;
  const name = clean(model.newsletter.name);
  const date = formatDate(model.slotAt, lang, model.timeZone);
  const items = digestItems(model);
  const titles = items.slice(0, PREHEADER_TITLES).map((i) => clean(i.title));
  return {
    lang,
    htmlLang: lang === 'zh' ? 'zh-CN' : 'en',
    strings: staticStrings(lang),
    newsletter: { name, slug: clean(model.newsletter.slug) },
    title: `${name} — ${date}`,
    date,
    preheader: capText(titles.join(' · '), SUBJECT_MAX),
    firstTitle: titles[0] ?? '',
    itemCount: items.length,
    storyCount: t(lang, 'digest.storyCount', { count: items.length }),
    whyReceiving: t(lang, 'digest.whyReceiving', { newsletter: name }),
    archiveUrl: safeUrl(model.archiveUrl),
    sections: model.sections
      .filter((s) => s.items.length > 0)
      .map((s) => ({
        title: s.title === null ? null : clean(s.title) || null,
        items: s.items.map((i) => cardView(i, lang, model.timeZone)),
      })),
    sender: {
      organization: clean(sender.organization),
      postalLines: sender.postalAddress
        .split(/\r\n|\r|\n/)
        .map(clean)
        .filter(Boolean),
      publicUrl: safeUrl(sender.publicUrl),
    },
    recipient,
  };
}

type Mjml2Html = (mjml: string, options: object) => Promise<{ html: string }>;
let mjml2html: Mjml2Html | undefined;

/** MJML → HTML, strictly validated; a TemplateError names the template file and line. */
export async function compileMjml(mjml: string, templates: LoadedTemplates, name = 'digest.mjml'): Promise<string> {
  // mjml is CommonJS without type declarations; loaded on first use so importers don't pay for it.
  mjml2html ??= createRequire(import.meta.url)('mjml') as Mjml2Html;
  // Data is escaped, so a tag here came from a template, however it was spelled across mustaches.
  const include = /<mj-include\b/i.exec(mjml);
  if (include) {
    const line = mjml.slice(0, include.index).split('\n').length;
    throw new TemplateError(`${name} (line ${line} after expansion): <mj-include> is not supported; use a Handlebars partial`, name);
  }
  try {
    const out = await mjml2html(mjml, {
      validationLevel: 'strict',
      ignoreIncludes: true,
      keepComments: false,
      fonts: {},
      minify: false,
      beautify: false,
    });
    return out.html;
  } catch (err) {
    const issues = (err as { errors?: { line: number; tagName: string; message: string }[] }).errors;
    if (!Array.isArray(issues)) throw new TemplateError(`MJML failed on ${name}: ${(err as Error).message}`, name);
    const lines = mjml.split('\n');
    const details = issues.map((e) => {
      const at = locateLine(lines[e.line - 1] ?? '', e.tagName, templates.sources);
      const where = at ? `${at.name}:${at.line}` : name;
      return `${where} (line ${e.line} after expansion, <${e.tagName}>): ${e.message}`;
    });
    const first = locateLine(lines[(issues[0]?.line ?? 1) - 1] ?? '', issues[0]?.tagName ?? '', templates.sources);
    throw new TemplateError(`MJML validation failed for ${name}:\n  ${details.join('\n  ')}`, first?.name ?? name, first?.line ?? null, details);
  }
}

/**
 * Smaller HTML for the same rendering: indentation goes (whitespace runs render as one space
 * outside <pre>, which MJML never emits; Gmail clips messages past 102 KB), and when non-ASCII
 * characters are few (typical English digests: dashes, quotes) they become character
 * references, so the document is pure ASCII: 7-bit clean, and one byte per character in V8,
 * which keeps personalize() cheap (see personalize.ts). Text that is mostly non-ASCII (Chinese)
 * stays UTF-8, where references would triple its size. <style> blocks are left alone: CSS
 * does not decode references.
 */
export function compactHtml(html: string): string {
  const trimmed = html.replace(/\n[ \t]+/g, '\n').replace(/\n{2,}/g, '\n');
  const nonAscii = trimmed.replace(/<style[\s\S]*?<\/style>/gi, '').match(/[^\x00-\x7f]/gu)?.length ?? 0;
  if (nonAscii === 0 || nonAscii > trimmed.length / 100) return trimmed;
  return trimmed.replace(/(<style[\s\S]*?<\/style>)|[^\x00-\x7f]+/giu, (m, style?: string) => style ?? encodeNonAscii(m));
}

function tidyText(s: string): string {
  return `${s
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

async function renderParts(model: DigestModel, sender: SenderInfo, recipient: RecipientView, opts: RenderEmailOptions) {
  const templates = await loadTemplates(EMAIL_TEMPLATES, BUNDLED_EMAIL_TEMPLATES, opts.templatesDir, opts.cache ?? defaultCache);
  const view = emailView(model, sender, recipient);
  const subject = plainLine(templates.render('subject.hbs', view));
  return {
    // A subject holding placeholders is capped after personalize(), so no token is cut in half.
    subject: hasPlaceholders(subject) ? subject : capText(subject, SUBJECT_MAX),
    preheader: view.preheader,
    html: compactHtml(await compileMjml(templates.render('digest.mjml', view), templates)),
    text: tidyText(templates.render('digest.txt.hbs', view)),
  };
}

/** The digest rendered once, with per-recipient placeholders for personalize(). */
export async function renderEmail(model: DigestModel, sender: SenderInfo, opts: RenderEmailOptions = {}): Promise<RenderedEmail> {
  return renderParts(model, sender, recipientPlaceholders(model.newsletter.language), opts);
}

/**
 * The naive way: a full template + MJML render for one recipient. Never used for delivery; the
 * render benchmark's baseline and the tests' oracle for personalize().
 */
export async function renderEmailForRecipient(
  model: DigestModel,
  sender: SenderInfo,
  recipient: Recipient,
  opts: RenderEmailOptions = {},
): Promise<PersonalizedEmail> {
  const lang = model.newsletter.language;
  const name = cleanRecipientName(recipient.name);
  const values: RecipientView = {
    name,
    greeting: name ? t(lang, 'digest.greetingNamed', { name }) : t(lang, 'digest.greeting'),
    unsubscribeUrl: recipient.unsubscribeUrl,
    preferencesUrl: recipient.preferencesUrl,
  };
  const { subject, html, text } = await renderParts(model, sender, values, opts);
  return { subject: capText(subject, SUBJECT_MAX), html, text };
}
