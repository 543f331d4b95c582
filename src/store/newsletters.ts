// Newsletters: what a digest is about (filters), how big it is and when it goes out. Every field
// is validated here, on add and on update alike, so the scheduler and selection can trust a row.
// The clock is passed in (`now`).
import { type Kysely, sql } from 'kysely';
import { validateSchedule } from '../schedule/slots.js';
import { jsonObject } from './json-column.js';
import type { Database, NewsletterLanguage, NewsletterRow } from './schema.js';

/** What a newsletter selects. Keywords are plain text, never patterns (see src/digest/filters.ts). */
export interface NewsletterFilters {
  /** An article must match at least one of these keywords or phrases (in its title or text). */
  include?: string[];
  /** An article matching any of these is left out. */
  exclude?: string[];
  /** Only articles with one of these categories (case-insensitive). */
  categories?: string[];
  /** Only articles from these source ids. */
  sources?: number[];
}

export interface NewsletterInput {
  slug: string;
  name: string;
  language?: NewsletterLanguage;
  cron?: string;
  timezone?: string;
  catchUpGraceMinutes?: number;
  filters?: NewsletterFilters;
  maxItems?: number;
  sections?: boolean;
  lookbackHours?: number;
  template?: string;
  enabled?: boolean;
}

export type NewsletterPatch = Partial<NewsletterInput>;

export const MAX_ITEMS_LIMIT = 200;
const LANGUAGES: readonly NewsletterLanguage[] = ['en', 'zh'];
// Not all digits: `tidings preview 3` must mean newsletter 3, never a slug "3".
const SLUG = /^(?![0-9]+$)[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
// The template name becomes a file name under the templates directory: no separators, no "..".
const TEMPLATE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_KEYWORDS = 500;
const MAX_KEYWORD_CHARS = 200;

/** A field a caller gave is not acceptable; the message says which and what to use instead. */
export class InvalidNewsletterError extends Error {
  override readonly name = 'InvalidNewsletterError';
}

export class DuplicateNewsletterError extends Error {
  override readonly name = 'DuplicateNewsletterError';
  constructor(readonly slug: string) {
    super(`A newsletter with the slug "${slug}" already exists; choose another slug.`);
  }
}

function wholeNumber(value: number, what: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidNewsletterError(`${what} must be a whole number from ${min} to ${max}, got ${value}.`);
  }
  return value;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function keywordList(value: unknown, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new InvalidNewsletterError(`Filter "${what}" must be a list of strings.`);
  const list = [...new Set(value.map((v: string) => v.trim()).filter((v) => v !== ''))];
  if (list.length > MAX_KEYWORDS) throw new InvalidNewsletterError(`Filter "${what}" has ${list.length} entries; at most ${MAX_KEYWORDS} are allowed.`);
  const long = list.find((v) => v.length > MAX_KEYWORD_CHARS);
  if (long) throw new InvalidNewsletterError(`Filter "${what}" entry "${long.slice(0, 40)}…" is longer than ${MAX_KEYWORD_CHARS} characters.`);
  return list;
}

/** Checked, trimmed and de-duplicated filters; empty lists are dropped. */
export function validateFilters(filters: NewsletterFilters): NewsletterFilters {
  const out: NewsletterFilters = {};
  for (const key of ['include', 'exclude', 'categories'] as const) {
    const list = keywordList(filters[key], key);
    if (list?.length) out[key] = list;
  }
  if (filters.sources !== undefined) {
    const ids = filters.sources;
    if (!Array.isArray(ids) || ids.some((id) => !Number.isInteger(id) || id < 1)) {
      throw new InvalidNewsletterError('Filter "sources" must be a list of source ids (whole numbers ≥ 1).');
    }
    if (ids.length) out.sources = [...new Set(ids)];
  }
  return out;
}

type Columns = Omit<NewsletterRow, 'id' | 'created_at' | 'updated_at' | 'schedule_since'>;

/** The columns a patch sets, each validated; absent fields are left out. */
function columns(patch: NewsletterPatch): Partial<Columns> {
  const out: Partial<Columns> = {};
  if (patch.slug !== undefined) {
    if (!SLUG.test(patch.slug)) {
      throw new InvalidNewsletterError(`Newsletter slug "${patch.slug}" is invalid: use a-z, 0-9 and "-" (not only digits, at most 64 characters).`);
    }
    out.slug = patch.slug;
  }
  if (patch.name !== undefined) {
    const name = patch.name.trim();
    if (!name) throw new InvalidNewsletterError('Newsletter name is empty.');
    out.name = name;
  }
  if (patch.language !== undefined) {
    if (!LANGUAGES.includes(patch.language))
      throw new InvalidNewsletterError(`Newsletter language "${patch.language}" is not supported: use ${LANGUAGES.join(' or ')}.`);
    out.language = patch.language;
  }
  if (patch.cron !== undefined) {
    // Checked with the scheduler's own parser, so no surface (CLI, UI, API, bot) can store a
    // schedule the ticker would fail on at every tick.
    const cron = patch.cron.trim();
    if (!cron) throw new InvalidNewsletterError('Newsletter schedule (cron) is empty, e.g. "0 8 * * *" for 08:00 every day.');
    const problem = validateSchedule(cron, 'UTC');
    if (problem) throw new InvalidNewsletterError(problem);
    out.cron = cron;
  }
  if (patch.timezone !== undefined) {
    if (!isValidTimeZone(patch.timezone))
      throw new InvalidNewsletterError(`Unknown time zone "${patch.timezone}": use an IANA name such as "Asia/Shanghai" or "UTC".`);
    out.timezone = patch.timezone;
  }
  if (patch.catchUpGraceMinutes !== undefined) out.catch_up_grace_minutes = wholeNumber(patch.catchUpGraceMinutes, 'Catch-up grace (minutes)', 0, 7 * 24 * 60);
  if (patch.maxItems !== undefined) out.max_items = wholeNumber(patch.maxItems, 'Newsletter max items', 1, MAX_ITEMS_LIMIT);
  if (patch.lookbackHours !== undefined) out.lookback_hours = wholeNumber(patch.lookbackHours, 'Lookback (hours)', 1, 24 * 366);
  if (patch.filters !== undefined) out.filters = JSON.stringify(validateFilters(patch.filters));
  if (patch.sections !== undefined) out.sections = patch.sections ? 1 : 0;
  if (patch.enabled !== undefined) out.enabled = patch.enabled ? 1 : 0;
  if (patch.template !== undefined) {
    if (!TEMPLATE.test(patch.template))
      throw new InvalidNewsletterError(`Template name "${patch.template}" is invalid: a file name without extension (letters, digits, "-", "_").`);
    out.template = patch.template;
  }
  return out;
}

/** "industry-news" → "Industry News": the name a newsletter gets when none is given. */
export function nameFromSlug(slug: string): string {
  return (
    slug
      .split('-')
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join(' ') || slug
  );
}

export async function addNewsletter(db: Kysely<Database>, input: NewsletterInput, now: Date): Promise<NewsletterRow> {
  if (input.slug === undefined || input.name === undefined) throw new InvalidNewsletterError('A newsletter needs a slug and a name.');
  const { slug, name, language = 'en', ...rest } = columns(input);
  const at = now.toISOString();
  // ON CONFLICT rather than a look-up first: two admins adding the same slug get one row.
  const row = await db
    .insertInto('newsletters')
    .values({ ...rest, slug: slug!, name: name!, language, schedule_since: at, created_at: at, updated_at: at })
    .onConflict((oc) => oc.column('slug').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new DuplicateNewsletterError(input.slug);
  return row;
}

export function getNewsletter(db: Kysely<Database>, idOrSlug: number | string): Promise<NewsletterRow | undefined> {
  const query = db.selectFrom('newsletters').selectAll();
  return (typeof idOrSlug === 'number' ? query.where('id', '=', idOrSlug) : query.where('slug', '=', idOrSlug)).executeTakeFirst();
}

export function listNewsletters(db: Kysely<Database>, opts: { enabled?: boolean } = {}): Promise<NewsletterRow[]> {
  return db
    .selectFrom('newsletters')
    .selectAll()
    .$if(opts.enabled !== undefined, (q) => q.where('enabled', '=', opts.enabled ? 1 : 0))
    .orderBy('id')
    .execute();
}

/** Active subscriptions per newsletter id; newsletters without any are absent. */
export async function activeSubscriptionCounts(db: Kysely<Database>): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('subscriptions')
    .select(['newsletter_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'active')
    .groupBy('newsletter_id')
    .execute();
  return new Map(rows.map((r) => [r.newsletter_id, Number(r.n)]));
}

/**
 * A new cron or zone, or a resume, restarts the count: slots before it were not missed, they
 * were never asked for. (Compared in SQL, so re-saving the same schedule changes nothing.)
 */
function scheduleSince(set: Partial<Columns>, at: string) {
  const changed = [
    set.cron !== undefined ? sql`cron <> ${set.cron}` : null,
    set.timezone !== undefined ? sql`timezone <> ${set.timezone}` : null,
    set.enabled === 1 ? sql`enabled = 0` : null,
  ].filter((c) => c !== null);
  return sql<string>`case when ${sql.join(changed, sql` or `)} then ${at} else schedule_since end`;
}

/** The updated row, or undefined when there is no such newsletter. */
export async function updateNewsletter(db: Kysely<Database>, id: number, patch: NewsletterPatch, now: Date): Promise<NewsletterRow | undefined> {
  const set = columns(patch);
  const at = now.toISOString();
  try {
    return await db
      .updateTable('newsletters')
      .set({ ...set, updated_at: at })
      .$if(set.cron !== undefined || set.timezone !== undefined || set.enabled === 1, (q) => q.set({ schedule_since: scheduleSince(set, at) }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  } catch (err) {
    if (set.slug !== undefined && isUniqueViolation(err)) throw new DuplicateNewsletterError(set.slug);
    throw err;
  }
}

/**
 * Deletes a newsletter that never had a digest. One with digests is kept (the archive and the
 * deliveries point at them): the answer is 'has-digests' and the caller should disable it.
 */
export async function removeNewsletter(db: Kysely<Database>, id: number): Promise<'removed' | 'missing' | 'has-digests'> {
  return db.transaction().execute(async (trx) => {
    const digest = await trx.selectFrom('digests').select('id').where('newsletter_id', '=', id).limit(1).executeTakeFirst();
    if (digest) return 'has-digests';
    const result = await trx.deleteFrom('newsletters').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n ? 'removed' : 'missing';
  });
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** The newsletter's filters, or {} when the stored JSON is unreadable; malformed fields are dropped. */
export function newsletterFilters(row: Pick<NewsletterRow, 'filters'>): NewsletterFilters {
  const raw = jsonObject(row.filters);
  const out: NewsletterFilters = {};
  for (const key of ['include', 'exclude', 'categories'] as const) {
    const v = raw[key];
    if (Array.isArray(v)) {
      const list = v.filter((s): s is string => typeof s === 'string' && s.trim() !== '');
      if (list.length) out[key] = list;
    }
  }
  if (Array.isArray(raw.sources)) {
    const ids = raw.sources.filter((n): n is number => Number.isInteger(n));
    if (ids.length) out.sources = ids;
  }
  return out;
}
