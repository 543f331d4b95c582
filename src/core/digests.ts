// Digests as admins look at them: the latest ones (of one newsletter or all) and one digest with
// its deliveries counted per channel. Reading only, so nothing here is audited.
import { type DeliveryCounts, deliveryCounts } from '../store/deliveries.js';
import { type DigestSummary, getDigest, listDigestSummaries } from '../store/digests.js';
import type { DigestRow, DigestStatus } from '../store/schema.js';
import type { CoreContext } from './context.js';
import { invalid, notFound } from './errors.js';
import { findNewsletter, type NewsletterKey } from './newsletters.js';

export const MAX_DIGESTS_LISTED = 200;

export interface ListDigestsInput {
  /** Only this newsletter's (id or slug). */
  newsletter?: NewsletterKey;
  status?: DigestStatus;
  /** 1 to MAX_DIGESTS_LISTED; 20 when absent. */
  limit?: number;
}

/** Newest slot first, without the rendered parts (a listing must not carry megabytes of HTML). */
export async function listDigests(ctx: Pick<CoreContext, 'db'>, input: ListDigestsInput = {}): Promise<DigestSummary[]> {
  const limit = input.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DIGESTS_LISTED)
    throw invalid(`The limit must be a whole number from 1 to ${MAX_DIGESTS_LISTED}, got ${limit}.`, 'limit');
  const newsletterId = input.newsletter === undefined ? undefined : (await findNewsletter(ctx, input.newsletter)).id;
  return listDigestSummaries(ctx.db, { newsletterId, status: input.status, limit });
}

/** The newsletter's latest digests, each with its deliveries counted (all channels). */
export async function latestDigests(
  ctx: Pick<CoreContext, 'db'>,
  newsletter: NewsletterKey,
  limit: number,
): Promise<(DigestSummary & { deliveries: DeliveryCounts })[]> {
  const digests = await listDigests(ctx, { newsletter, limit });
  return Promise.all(digests.map(async (d) => ({ ...d, deliveries: await deliveryCounts(ctx.db, { digestId: d.id }) })));
}

export interface DigestDetails {
  digest: DigestRow;
  deliveries: { email: DeliveryCounts; telegram: DeliveryCounts };
}

export async function showDigest(ctx: Pick<CoreContext, 'db'>, id: number): Promise<DigestDetails> {
  const digest = await getDigest(ctx.db, id);
  if (!digest) throw notFound(`No digest ${id}: check the id against the list of digests.`);
  const [email, telegram] = await Promise.all([
    deliveryCounts(ctx.db, { digestId: id, channel: 'email' }),
    deliveryCounts(ctx.db, { digestId: id, channel: 'telegram' }),
  ]);
  return { digest, deliveries: { email, telegram } };
}
