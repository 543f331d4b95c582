// Server-rendered archive pages: small documents with inline CSS and no external asset. Every
// value shown comes from the store and is escaped here; the only markup is this file's own.
import { formatDate, type Lang, resolveLang, t } from '../i18n/index.js';
import { escapeHtml } from '../digest/personalize.js';

const CSS = [
  'body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2937;background:#f3f4f6}',
  'main{max-width:720px;margin:0 auto;padding:16px;background:#fff;min-height:100vh;box-sizing:border-box}',
  'h1{font-size:1.5em;line-height:1.25;margin:.5em 0}',
  'a{color:#1d4ed8}',
  'ul{padding:0;list-style:none}',
  'li{padding:.6em 0;border-bottom:1px solid #e5e7eb;overflow-wrap:anywhere}',
  '.meta{color:#6b7280;font-size:.875em}',
  'nav{display:flex;gap:1em;flex-wrap:wrap;margin:1em 0}',
].join('');

export interface NewsletterLink {
  slug: string;
  name: string;
  language: string;
}

export interface ArchiveEntry {
  id: number;
  slotAt: Date;
  subject: string;
  itemCount: number;
}

export interface ArchivePage {
  newsletter: NewsletterLink & { timezone: string };
  entries: ArchiveEntry[];
  page: number;
  hasOlder: boolean;
}

/** The path of a newsletter's archive; slugs are [a-z0-9-], encoded anyway so a bad row cannot break out. */
export const archivePath = (slug: string): string => `/n/${encodeURIComponent(slug)}`;
export const digestPath = (slug: string, id: number): string => `${archivePath(slug)}/${id}`;
export const feedPath = (slug: string): string => `${archivePath(slug)}/feed.atom`;

export function layout(lang: string, title: string, body: string, head = ''): string {
  return (
    `<!doctype html><html lang="${escapeHtml(resolveLang(lang))}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${escapeHtml(title)}</title>${head}<style>${CSS}</style></head>` +
    `<body><main>${body}</main></body></html>`
  );
}

function languageName(code: string, inLang: Lang): string {
  try {
    return new Intl.DisplayNames([inLang], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** `/`: the enabled newsletters. `lang` is the site's language (the page mixes newsletters). */
export function indexPage(newsletters: readonly NewsletterLink[], lang: Lang = 'en'): string {
  const title = t(lang, 'page.newsletters');
  const items = newsletters
    .map(
      (n) =>
        `<li lang="${escapeHtml(resolveLang(n.language))}"><a href="${escapeHtml(archivePath(n.slug))}">${escapeHtml(n.name)}</a> ` +
        `<span class="meta">${escapeHtml(languageName(n.language, lang))}</span></li>`,
    )
    .join('');
  return layout(lang, title, `<h1>${escapeHtml(title)}</h1>${items ? `<ul>${items}</ul>` : ''}`);
}

/** `/n/:slug`: one page of ready digests, newest first. */
export function archivePage(p: ArchivePage): string {
  const { newsletter: n, entries, page } = p;
  const lang = n.language;
  const title = t(lang, 'page.archiveTitle', { newsletter: n.name });
  const feed = escapeHtml(feedPath(n.slug));
  const head = `<link rel="alternate" type="application/atom+xml" title="${escapeHtml(n.name)}" href="${feed}">`;
  const rows = entries
    .map(
      (e) =>
        `<li><span class="meta">${escapeHtml(formatDate(e.slotAt, lang, n.timezone))}</span><br>` +
        `<a href="${escapeHtml(digestPath(n.slug, e.id))}">${escapeHtml(e.subject)}</a> ` +
        `<span class="meta">${escapeHtml(t(lang, 'digest.storyCount', { count: e.itemCount }))}</span></li>`,
    )
    .join('');
  const nav: string[] = [];
  const pageLink = (to: number) => escapeHtml(to === 1 ? archivePath(n.slug) : `${archivePath(n.slug)}?page=${to}`);
  if (page > 1) nav.push(`<a rel="prev" href="${pageLink(page - 1)}">${escapeHtml(t(lang, 'page.newerPage'))}</a>`);
  if (page > 1 || p.hasOlder) nav.push(`<span class="meta">${escapeHtml(t(lang, 'page.pageNumber', { page }))}</span>`);
  if (p.hasOlder) nav.push(`<a rel="next" href="${pageLink(page + 1)}">${escapeHtml(t(lang, 'page.olderPage'))}</a>`);
  const body =
    `<p class="meta"><a href="/">${escapeHtml(t(lang, 'page.allNewsletters'))}</a> · <a href="${feed}">${escapeHtml(t(lang, 'page.atomFeed'))}</a></p>` +
    `<h1>${escapeHtml(title)}</h1>` +
    (rows ? `<ul>${rows}</ul>` : `<p>${escapeHtml(t(lang, 'page.noDigests'))}</p>`) +
    (nav.length ? `<nav>${nav.join('')}</nav>` : '');
  return layout(lang, title, body, head);
}

/** A 404 or 5xx page: a fixed message, never an error's text or stack. */
export function errorPage(status: number, lang: string = 'en'): string {
  const missing = status === 404;
  const title = t(lang, missing ? 'page.notFound' : 'page.serverError');
  const body = `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(t(lang, missing ? 'page.notFoundBody' : 'page.serverErrorBody'))}</p><p><a href="/">${escapeHtml(t(lang, 'page.allNewsletters'))}</a></p>`;
  return layout(lang, `${status} · ${title}`, body);
}
