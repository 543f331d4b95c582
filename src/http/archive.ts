// The public archive: newsletters, each one's ready digests, each digest as the web page of its
// email, and an Atom feed. Only ready digests are ever shown; anything else, including an id
// that is not a plain number, is the same 404 as a missing page, so probing learns nothing.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { resolveLang } from '../i18n/index.js';
import type { Recipient, SenderInfo } from '../digest/model.js';
import { personalize } from '../digest/personalize.js';
import { getDigest, listDigests, listReadyDigestPage } from '../store/digests.js';
import { getNewsletter, listNewsletters } from '../store/newsletters.js';
import type { Database, DigestRow, NewsletterRow } from '../store/schema.js';
import { renderAtomFeed } from './atom.js';
import { archivePage, archivePath, digestPath, errorPage, feedPath, indexPage } from './pages.js';
import { CACHE_IMMUTABLE, CACHE_LISTING } from './security.js';

export interface ArchiveDeps {
  db: Kysely<Database>;
  now: () => Date;
  sender: SenderInfo;
}

export const PAGE_SIZE = 50;
export const FEED_SIZE = 50;
// Beyond this a page number is a probe, not a reader: offset scans would only cost the database.
const MAX_PAGE = 10_000;
// Digest ids are SQL integers; a longer number would overflow PostgreSQL's int4 and error.
const MAX_ID = 2_147_483_647;

const HTML = 'text/html; charset=utf-8';

/** The base URL without a trailing slash, so paths join cleanly. */
const base = (sender: SenderInfo) => sender.publicUrl.replace(/\/+$/, '');

/** Public address of a digest page: what the lead passes to buildDigest as `archiveUrl`. */
export function archiveDigestUrl(publicUrl: string, slug: string, digestId: number): string {
  return `${publicUrl.replace(/\/+$/, '')}${digestPath(slug, digestId)}`;
}

/** The neutral reader of a public copy: no name, the generic unsubscribe and preferences pages. */
export function archiveRecipient(sender: SenderInfo): Recipient {
  return { name: null, unsubscribeUrl: `${base(sender)}/unsubscribe`, preferencesUrl: `${base(sender)}/preferences` };
}

/** The digest's email HTML and text as the archive reader sees them; null unless it is ready. */
export function publicCopy(row: DigestRow, sender: SenderInfo): { subject: string; html: string; text: string } | null {
  if (row.status !== 'ready' || row.html === null || row.text === null || row.subject === null) return null;
  const rendered = { subject: row.subject, preheader: row.preheader ?? '', html: row.html, text: row.text };
  return personalize(rendered, archiveRecipient(sender));
}

function itemCount(articleIds: string): number {
  try {
    const ids: unknown = JSON.parse(articleIds);
    return Array.isArray(ids) ? ids.length : 0;
  } catch {
    return 0;
  }
}

/** `?page=` as a whole number ≥ 1; absent is 1; anything else is undefined (a 404). */
function pageNumber(raw: unknown): number | undefined {
  if (raw === undefined) return 1;
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,5}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n <= MAX_PAGE ? n : undefined;
}

function notFound(reply: FastifyReply, lang = 'en'): FastifyReply {
  return reply.code(404).type(HTML).send(errorPage(404, lang));
}

export function registerArchive(app: FastifyInstance, deps: ArchiveDeps): void {
  const { db, sender } = deps;
  // Archives stay readable when a newsletter is disabled: emails already sent link to them.
  const newsletterBySlug = (slug: string): Promise<NewsletterRow | undefined> => (slug.length > 64 ? Promise.resolve(undefined) : getNewsletter(db, slug));

  app.get('/', async (_request, reply) => {
    const newsletters = await listNewsletters(db, { enabled: true });
    return reply.header('cache-control', CACHE_LISTING).type(HTML).send(indexPage(newsletters));
  });

  app.get<{ Params: { slug: string }; Querystring: { page?: unknown } }>('/n/:slug', async (request, reply) => {
    const newsletter = await newsletterBySlug(request.params.slug);
    if (!newsletter) return notFound(reply);
    const page = pageNumber(request.query.page);
    if (page === undefined) return notFound(reply, newsletter.language);
    const rows = await listReadyDigestPage(db, newsletter.id, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE + 1 });
    if (page > 1 && rows.length === 0) return notFound(reply, newsletter.language);
    const entries = rows.slice(0, PAGE_SIZE).map((r) => ({
      id: r.id,
      slotAt: new Date(r.slot_at),
      subject: r.subject ?? '',
      itemCount: itemCount(r.article_ids),
    }));
    const html = archivePage({ newsletter, entries, page, hasOlder: rows.length > PAGE_SIZE });
    return reply.header('cache-control', CACHE_LISTING).type(HTML).send(html);
  });

  // A static segment wins over the parametric route below, so "feed.atom" is never read as an id.
  app.get<{ Params: { slug: string } }>('/n/:slug/feed.atom', async (request, reply) => {
    const newsletter = await newsletterBySlug(request.params.slug);
    if (!newsletter) return notFound(reply);
    const rows = await listDigests(db, newsletter.id, { limit: FEED_SIZE, status: 'ready' });
    const entries = rows.flatMap((row) => {
      const copy = publicCopy(row, sender);
      if (!copy) return [];
      const published = new Date(row.slot_at);
      const url = archiveDigestUrl(sender.publicUrl, newsletter.slug, row.id);
      return [{ url, title: copy.subject, published, updated: row.completed_at ? new Date(row.completed_at) : published, html: copy.html }];
    });
    const xml = renderAtomFeed({
      archiveUrl: `${base(sender)}${archivePath(newsletter.slug)}`,
      selfUrl: `${base(sender)}${feedPath(newsletter.slug)}`,
      title: newsletter.name,
      language: resolveLang(newsletter.language),
      author: sender.organization,
      entries,
      now: deps.now(),
    });
    return reply.header('cache-control', CACHE_LISTING).type('application/atom+xml; charset=utf-8').send(xml);
  });

  app.get<{ Params: { slug: string; id: string } }>('/n/:slug/:id', async (request, reply) => {
    const match = /^([1-9][0-9]{0,9})(\.txt)?$/.exec(request.params.id);
    const id = match ? Number(match[1]) : Number.NaN;
    const newsletter = await newsletterBySlug(request.params.slug);
    if (!newsletter) return notFound(reply);
    if (!match || id > MAX_ID) return notFound(reply, newsletter.language);
    const row = await getDigest(db, id);
    const copy = row && row.newsletter_id === newsletter.id ? publicCopy(row, sender) : null;
    if (!copy) return notFound(reply, newsletter.language);
    reply.header('cache-control', CACHE_IMMUTABLE);
    if (match[2]) return reply.type('text/plain; charset=utf-8').send(copy.text);
    return reply.type(HTML).send(copy.html);
  });
}
