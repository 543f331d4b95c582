// Newsletters: add, update, pause, resume, remove and schedule, the same for every front-end.
// Field rules (slug, language, ranges, filters) are the store's, so nothing can store a row the
// scheduler or selection would trip on; the schedule is checked here first so every front-end
// gives the scheduler's one message; sources named in filters must exist.
import * as store from '../store/newsletters.js';
import {
  DuplicateNewsletterError,
  InvalidNewsletterError,
  type NewsletterFilters,
  type NewsletterInput,
  type NewsletterPatch,
  nameFromSlug,
} from '../store/newsletters.js';
import type { NewsletterRow } from '../store/schema.js';
import { getSource } from '../store/sources.js';
import { recordAudit } from './audit.js';
import type { CoreContext } from './context.js';
import { conflict, invalid, notFound } from './errors.js';
import { idOf } from './keys.js';
import { checkSchedule } from './newsletter-schedule.js';

/** An id, or a slug (slugs are never all digits, so "3" is always newsletter 3). */
export type NewsletterKey = number | string;

/** A new newsletter: the slug names it; the name defaults to the slug in title case. */
export type AddNewsletterInput = Omit<NewsletterInput, 'name'> & { name?: string };

// The column defaults (migration 0002): the schedule a newsletter has unless given one.
const DEFAULT_CRON = '0 8 * * *';
const DEFAULT_ZONE = 'UTC';

/** The newsletter, or CoreError 'not_found'. */
export async function findNewsletter(ctx: Pick<CoreContext, 'db'>, key: NewsletterKey): Promise<NewsletterRow> {
  const text = String(key).trim();
  const row = await store.getNewsletter(ctx.db, idOf(text) ?? text.toLowerCase());
  if (!row) throw notFound(`No newsletter "${text.slice(0, 80)}": check the id or slug against the list of newsletters.`);
  return row;
}

export function listNewsletters(ctx: Pick<CoreContext, 'db'>, opts: { enabled?: boolean } = {}): Promise<NewsletterRow[]> {
  return store.listNewsletters(ctx.db, opts);
}

/** Active subscriptions per newsletter id (a newsletter without any is absent). */
export function activeSubscriptions(ctx: Pick<CoreContext, 'db'>): Promise<Map<number, number>> {
  return store.activeSubscriptionCounts(ctx.db);
}

/** Store validation failures become the core's codes, with the store's message kept. */
async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InvalidNewsletterError) throw invalid(err.message);
    if (err instanceof DuplicateNewsletterError) throw conflict(err.message);
    throw err;
  }
}

async function checkSources(ctx: Pick<CoreContext, 'db'>, filters: NewsletterFilters | undefined): Promise<void> {
  for (const id of filters?.sources ?? []) {
    if (Number.isInteger(id) && id >= 1 && !(await getSource(ctx.db, id)))
      throw invalid(`Filter "sources" names source ${id}, which does not exist: use the id of a listed source.`, 'sources');
  }
}

export async function addNewsletter(ctx: CoreContext, input: AddNewsletterInput): Promise<NewsletterRow> {
  const slug = input.slug?.trim() ?? '';
  if (!slug) throw invalid('A newsletter needs a slug (a-z, 0-9 and "-"), e.g. "industry-news".', 'slug');
  const schedule =
    input.cron !== undefined || input.timezone !== undefined ? checkSchedule(input.cron ?? DEFAULT_CRON, input.timezone ?? DEFAULT_ZONE, ctx.now()) : undefined;
  await checkSources(ctx, input.filters);
  const row = await storeCall(() =>
    store.addNewsletter(
      ctx.db,
      { ...input, ...(schedule && { cron: schedule.cron, timezone: schedule.timezone }), slug, name: input.name ?? nameFromSlug(slug) },
      ctx.now(),
    ),
  );
  await recordAudit(ctx, 'newsletter.add', `newsletter ${row.id} ${row.slug} (${row.cron} ${row.timezone})`);
  return row;
}

/**
 * Changes only the fields given. A filter list given replaces that list alone ([] clears it);
 * the others keep their values. Audited as newsletter.update with the fields changed.
 */
export async function updateNewsletter(ctx: CoreContext, key: NewsletterKey, patch: NewsletterPatch): Promise<NewsletterRow> {
  const fields = Object.keys(patch).filter((k) => patch[k as keyof NewsletterPatch] !== undefined);
  if (fields.length === 0) throw invalid('Nothing to change: give at least one field (name, schedule, filters, …).');
  const current = await findNewsletter(ctx, key);
  const next: NewsletterPatch = { ...patch };
  if (patch.cron !== undefined || patch.timezone !== undefined) {
    const schedule = checkSchedule(patch.cron ?? current.cron, patch.timezone ?? current.timezone, ctx.now());
    if (patch.cron !== undefined) next.cron = schedule.cron;
  }
  if (patch.filters) {
    await checkSources(ctx, patch.filters);
    next.filters = { ...store.newsletterFilters(current), ...patch.filters };
  }
  const row = await storeCall(() => store.updateNewsletter(ctx.db, current.id, next, ctx.now()));
  if (!row) throw notFound(`Newsletter ${current.id} was removed meanwhile.`);
  await recordAudit(ctx, 'newsletter.update', `newsletter ${row.id} ${row.slug}: ${fields.join(', ')}`);
  return row;
}

/** Sets when a newsletter goes out (the zone stays unless given); returns the row and its next runs. */
export async function scheduleNewsletter(
  ctx: CoreContext,
  key: NewsletterKey,
  input: { cron: string; timezone?: string },
  count = 3,
): Promise<{ newsletter: NewsletterRow; next: Date[] }> {
  const current = await findNewsletter(ctx, key);
  const checked = checkSchedule(input.cron, input.timezone ?? current.timezone, ctx.now(), count);
  return { newsletter: await updateNewsletter(ctx, current.id, { cron: checked.cron, timezone: checked.timezone }), next: checked.next };
}

async function setEnabled(ctx: CoreContext, key: NewsletterKey, enabled: boolean): Promise<NewsletterRow> {
  const current = await findNewsletter(ctx, key);
  const already = (current.enabled === 1) === enabled;
  // Resuming restarts the schedule's count (store): the slots it was paused for are not owed.
  const row = already ? current : await store.updateNewsletter(ctx.db, current.id, { enabled }, ctx.now());
  if (!row) throw notFound(`Newsletter ${current.id} was removed meanwhile.`);
  await recordAudit(
    ctx,
    enabled ? 'newsletter.resume' : 'newsletter.pause',
    `newsletter ${row.id} ${row.slug}${already ? ` (already ${enabled ? 'running' : 'paused'})` : ''}`,
  );
  return row;
}

/** No scheduled digests until resumed; the archive and subscriptions stay. Pausing twice is no error. */
export const pauseNewsletter = (ctx: CoreContext, key: NewsletterKey) => setEnabled(ctx, key, false);
export const resumeNewsletter = (ctx: CoreContext, key: NewsletterKey) => setEnabled(ctx, key, true);

/**
 * Deletes a newsletter that never had a digest. One with digests is kept (its archive and
 * deliveries point at them): CoreError 'conflict', audited as refused, and the admin pauses it.
 */
export async function removeNewsletter(ctx: CoreContext, key: NewsletterKey): Promise<NewsletterRow> {
  const row = await findNewsletter(ctx, key);
  const result = await store.removeNewsletter(ctx.db, row.id);
  if (result === 'missing') throw notFound(`Newsletter ${row.id} was removed meanwhile.`);
  const detail = `newsletter ${row.id} ${row.slug}`;
  if (result === 'has-digests') {
    await recordAudit(ctx, 'newsletter.remove', `${detail}: refused, it has digests`, false);
    throw conflict(`Newsletter "${row.slug}" has digests (its archive links to them), so it cannot be removed; pause it instead.`);
  }
  await recordAudit(ctx, 'newsletter.remove', detail);
  return row;
}
