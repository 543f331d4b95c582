// One schedule slot of one newsletter → one digest record: claim the slot, select, compose,
// render (injected, so this file knows no template engine), then store the rendered parts and the
// articles shown in one transaction. A slot yields exactly one record whatever the number of
// replicas; articles count as sent only once that transaction commits.
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import {
  claimDigest,
  completeDigest,
  type DigestItemInput,
  type DigestWindow,
  failDigest,
  firstDigestSlot,
  previousDigest,
  recordDigestItems,
  skipDigest,
} from '../store/digests.js';
import type { Database, NewsletterRow } from '../store/schema.js';
import { composeDigest } from './compose.js';
import { type DigestModel, digestItems } from './model.js';
import { type SelectedItem, selectArticles } from './select.js';

export interface RenderedParts {
  subject: string;
  preheader: string;
  /** Email HTML with the per-recipient placeholders still in it. */
  html: string;
  text: string;
  telegram: unknown[];
}

export interface BuildDeps {
  db: Kysely<Database>;
  now: () => Date;
  log: Logger;
  render: (model: DigestModel) => Promise<RenderedParts>;
  /**
   * Writes the digest's deliveries ledger inside the transaction that makes it ready, so a ready
   * digest always has its ledger (see store/deliveries.ts). Absent: a digest for the archive only.
   */
  createLedger?: (trx: Kysely<Database>, digest: { id: number; newsletter: NewsletterRow; model: DigestModel }) => Promise<number>;
  /** Public address of a digest in the archive; none when absent (or for previews). */
  archiveUrl?: (ref: { newsletter: NewsletterRow; digestId: number; slotAt: Date }) => string | null;
}

export interface BuildResult {
  /** not-owner: another run claimed the slot first; nothing was done. */
  status: 'ready' | 'skipped' | 'failed' | 'not-owner';
  /** Absent for not-owner and for previews. */
  digestId?: number;
  model?: DigestModel;
  parts?: RenderedParts;
  /** Why it was skipped or failed. */
  reason?: string;
  /** Deliveries written for a ready digest. */
  recipients?: number;
  window?: DigestWindow;
}

/**
 * Ingest stamps fetched_at before its transaction commits, so an article can become visible with
 * a fetched_at just before the previous digest's window end. The next window reaches back this
 * far; digest_items keeps anything already sent out of it.
 */
export const LATE_COMMIT_MARGIN_MS = 15 * 60_000;
export const NO_NEW_ARTICLES = 'no new articles';

/**
 * From the previous ready digest's end to the slot. Before the first ready digest, from
 * `lookback_hours` before the newsletter's first attempted slot: a first digest that failed or
 * was skipped must not make the next one forget the articles it would have shown.
 */
export async function digestWindow(db: Kysely<Database>, newsletter: Pick<NewsletterRow, 'id' | 'lookback_hours'>, slotAt: Date): Promise<DigestWindow> {
  const previous = await previousDigest(db, newsletter.id, slotAt);
  if (previous?.window_end) return { start: new Date(Date.parse(previous.window_end) - LATE_COMMIT_MARGIN_MS), end: slotAt };
  const first = (await firstDigestSlot(db, newsletter.id, slotAt)) ?? slotAt;
  return { start: new Date(first.getTime() - newsletter.lookback_hours * 3_600_000), end: slotAt };
}

/** Each entry at its place in the digest, with its cluster's other articles beside it. */
function itemsToRecord(model: DigestModel, selected: readonly SelectedItem[]): DigestItemInput[] {
  const byId = new Map(selected.map((s) => [s.article.id, s]));
  return digestItems(model).flatMap((item, position) => {
    const s = byId.get(item.articleId)!;
    const others = s.clusterArticleIds.map((articleId) => ({ articleId, position, reasons: [`same story as article ${item.articleId}`] }));
    return [{ articleId: item.articleId, position, reasons: s.reasons }, ...others];
  });
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Builds the digest for `slotAt`. With `preview`, selects, composes and renders without claiming
 * the slot or recording anything, so no article is consumed. `covers`: the missed slots a
 * catch-up digest stands for (its window already reaches back over them).
 */
export async function buildDigest(
  deps: BuildDeps,
  newsletter: NewsletterRow,
  slotAt: Date,
  opts: { preview?: boolean; covers?: readonly Date[] } = {},
): Promise<BuildResult> {
  const { db, log } = deps;
  if (opts.preview) {
    const window = await digestWindow(db, newsletter, slotAt);
    const selected = await selectArticles(db, newsletter, { windowStart: window.start, windowEnd: window.end, now: deps.now() });
    if (selected.length === 0) return { status: 'skipped', reason: NO_NEW_ARTICLES, window };
    const model = composeDigest(newsletter, selected, { slotAt, archiveUrl: null });
    return { status: 'ready', model, parts: await deps.render(model), window };
  }

  const claimed = await claimDigest(db, newsletter.id, slotAt, deps.now(), opts.covers);
  const ctx = { newsletter: newsletter.slug, slot: slotAt.toISOString() };
  if (!claimed) {
    log.debug(ctx, 'digest slot already claimed by another run');
    return { status: 'not-owner' };
  }
  const digestId = claimed.id;
  try {
    const window = await digestWindow(db, newsletter, slotAt);
    const selected = await selectArticles(db, newsletter, { windowStart: window.start, windowEnd: window.end, now: deps.now() });
    if (selected.length === 0) {
      await skipDigest(db, digestId, NO_NEW_ARTICLES, deps.now(), window);
      log.info({ ...ctx, digest: digestId }, 'digest skipped: no new articles');
      return { status: 'skipped', digestId, reason: NO_NEW_ARTICLES, window };
    }
    const archiveUrl = deps.archiveUrl?.({ newsletter, digestId, slotAt }) ?? null;
    const model = composeDigest(newsletter, selected, { slotAt, archiveUrl });
    const parts = await deps.render(model);
    const articleIds = digestItems(model).map((i) => i.articleId);
    let recipients = 0;
    await db.transaction().execute(async (trx) => {
      // Items first: recordDigestItems insists the digest is still building.
      await recordDigestItems(trx, digestId, itemsToRecord(model, selected));
      await completeDigest(trx, digestId, { ...parts, articleIds, model, windowStart: window.start, windowEnd: window.end }, deps.now());
      recipients = (await deps.createLedger?.(trx, { id: digestId, newsletter, model })) ?? 0;
    });
    log.info({ ...ctx, digest: digestId, items: articleIds.length, recipients }, 'digest ready');
    return { status: 'ready', digestId, model, parts, window, recipients };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const reason = isUniqueViolation(err)
      ? `another digest of this newsletter sent some of the same articles while this one was built (${message}); the rest stay for the next slot`
      : message;
    await failDigest(db, digestId, reason, deps.now());
    log.error({ ...ctx, digest: digestId, err: message }, 'digest failed');
    return { status: 'failed', digestId, reason };
  }
}
