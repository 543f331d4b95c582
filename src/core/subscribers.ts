// Subscribers as admins manage them, from any front-end: add someone to newsletters (the admin
// vouches for their consent), remove them (an erasure request), find, list and show one with
// their subscriptions and delivery history. The subscriber's own actions (sign-up, confirm,
// unsubscribe, preferences) are in subscriptions.ts; CSV in and out in subscribers-csv.ts.
import { suppressionOf } from '../store/consent.js';
import type { NewsletterRow, SubscriberRow, SubscriptionStatus } from '../store/schema.js';
import { type DeliveryHistoryRow, deliveryHistory, type SubscriptionWithSlug, subscriptionsWithSlug } from '../store/subscriber-history.js';
import {
  countSubscribers,
  listSubscribers as listRows,
  SUBSCRIPTION_STATUSES,
  type SubscriberFilter,
  type SubscriberListing,
} from '../store/subscriber-lists.js';
import {
  findSubscriberByEmail,
  getSubscriber,
  listSubscriptionsOf,
  removeSubscriber as deleteSubscriber,
  type SubscribeOutcome,
  subscribe,
  upsertSubscriber,
} from '../store/subscribers.js';
import { parseEmailAddress } from '../subscribers/address.js';
import { cleanName, parseLanguage } from '../subscribers/import.js';
import { recordAudit } from './audit.js';
import type { CoreContext } from './context.js';
import { invalid, notFound, refused } from './errors.js';
import { idOf } from './keys.js';
import { findNewsletter } from './newsletters.js';

const MAX_NAME = 200;
/** Where an admin's vouching is recorded as the consent's source, whichever front-end they used. */
export const ADMIN_CONSENT = 'admin';

/** A canonical address, or CoreError 'invalid' (field `field`) saying what is wrong with it. */
export function emailOf(raw: string, field = 'email'): string {
  const parsed = parseEmailAddress(raw);
  if (!parsed.ok) throw invalid(`"${raw.slice(0, 80)}" is not a valid email address: ${parsed.reason}.`, field);
  return parsed.address;
}

/** The subscriber with this id (a number, or all digits) or email address, or CoreError 'not_found'. */
export async function findSubscriber(ctx: Pick<CoreContext, 'db'>, key: string | number): Promise<SubscriberRow> {
  const id = idOf(key);
  const row = id !== undefined ? await getSubscriber(ctx.db, id) : await findSubscriberByEmail(ctx.db, emailOf(String(key), 'subscriber'));
  if (!row) throw notFound(`There is no subscriber "${String(key).slice(0, 80)}": search the subscribers list by address or name.`);
  return row;
}

/** How a subscriber is named in messages and the audit log. */
export const subscriberLabel = (s: Pick<SubscriberRow, 'id' | 'email' | 'telegram_chat_id'>) =>
  `subscriber ${s.id} <${s.email ?? `telegram:${s.telegram_chat_id}`}>`;

export interface AddSubscriberInput {
  email: string;
  /** Ids or slugs; at least one. */
  newsletters: readonly (string | number)[];
  name?: string | null;
  /** en | zh (zh-CN and the like count); default: the first newsletter's language. */
  language?: string | null;
  /** Leave the subscriptions pending until the subscriber confirms (double opt-in). */
  pending?: boolean;
}

export interface AddedSubscription {
  newsletter: string;
  outcome: SubscribeOutcome;
  status: SubscriptionStatus;
  subscriptionId: number;
}

/** What happened to one subscription, in the words the CLI and the bot both print. */
export function addedText(x: AddedSubscription): string {
  if (x.outcome === 'created') return `subscribed (${x.status})`;
  if (x.outcome === 'resubscribed') return `subscribed again (${x.status})`;
  return `already ${x.status}; left unchanged`;
}

export interface AddSubscriberResult {
  subscriber: SubscriberRow;
  results: AddedSubscription[];
  /** Whether anything changed (false: every subscription was there already). */
  changed: boolean;
}

/**
 * Subscribes an address to newsletters, active at once unless `pending`. A suppressed address
 * (bounced, complained, unsubscribed from everything) is refused, and the refusal audited.
 */
export async function addSubscriber(ctx: CoreContext, input: AddSubscriberInput): Promise<AddSubscriberResult> {
  const email = emailOf(input.email);
  if (input.newsletters.length === 0) throw invalid('Give at least one newsletter (slug or id) to subscribe the address to.', 'newsletters');
  const language = input.language == null || input.language === '' ? undefined : parseLanguage(input.language);
  if (input.language && !language) throw invalid(`The language must be en or zh, got "${input.language.slice(0, 20)}".`, 'language');
  const name = input.name == null ? null : cleanName(input.name);
  if (name && name.length > MAX_NAME) throw invalid(`The name is longer than ${MAX_NAME} characters.`, 'name');
  const newsletters: NewsletterRow[] = [];
  for (const key of input.newsletters) newsletters.push(await findNewsletter(ctx, key));
  const slugs = newsletters.map((n) => n.slug).join(', ');
  const reason = await suppressionOf(ctx.db, email);
  if (reason) {
    await recordAudit(ctx, 'subscriber.add', `${email} → ${slugs}: refused, suppressed (${reason})`, false);
    throw refused(`${email} is on the suppression list (${reason}): it is never mailed, so it was not subscribed.`);
  }
  const subscriber = await upsertSubscriber(ctx.db, { email, name, language: language ?? newsletters[0]!.language }, ctx.now());
  const status = input.pending ? 'pending' : 'active';
  const results: AddedSubscription[] = [];
  for (const n of newsletters) {
    const { subscription, outcome } = await subscribe(
      ctx.db,
      { subscriberId: subscriber.id, newsletterId: n.id, channel: 'email', status, consent: { source: ADMIN_CONSENT } },
      ctx.now(),
    );
    results.push({ newsletter: n.slug, outcome, status: subscription.status, subscriptionId: subscription.id });
  }
  const changes = results.filter((r) => r.outcome !== 'unchanged');
  if (changes.length)
    await recordAudit(ctx, 'subscriber.add', `${subscriberLabel(subscriber)}: ${changes.map((r) => `${r.newsletter} ${r.outcome} (${r.status})`).join(', ')}`);
  return { subscriber, results, changed: changes.length > 0 };
}

/** Deletes a subscriber (id or email) with their subscriptions; the event log keeps that it happened. */
export async function removeSubscriber(ctx: CoreContext, key: string | number): Promise<{ subscriber: SubscriberRow; subscriptions: number }> {
  const subscriber = await findSubscriber(ctx, key);
  const subscriptions = (await listSubscriptionsOf(ctx.db, subscriber.id)).length;
  if (!(await deleteSubscriber(ctx.db, subscriber.id, ctx.now()))) throw notFound(`${subscriberLabel(subscriber)} was removed meanwhile.`);
  await recordAudit(ctx, 'subscriber.remove', `${subscriberLabel(subscriber)} and ${subscriptions} subscriptions`);
  return { subscriber, subscriptions };
}

export interface ListSubscribersInput {
  newsletter?: string | number;
  status?: string;
  search?: string;
  limit?: number;
  /** Page after this subscriber id. */
  after?: number;
}

const MAX_LIST = 100_000;

/** Subscribers in id order with their subscriptions, and how many match in all. */
export async function listSubscribers(ctx: Pick<CoreContext, 'db'>, input: ListSubscribersInput = {}): Promise<{ rows: SubscriberListing[]; total: number }> {
  const filter: SubscriberFilter = { search: input.search?.slice(0, 200) || undefined };
  if (input.status !== undefined) filter.status = subscriptionStatus(input.status);
  if (input.newsletter !== undefined) filter.newsletterId = (await findNewsletter(ctx, input.newsletter)).id;
  const limit = input.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) throw invalid(`The limit must be a whole number from 1 to ${MAX_LIST}.`, 'limit');
  const rows = await listRows(ctx.db, { ...filter, limit, afterId: input.after });
  const total = rows.length < limit && input.after === undefined ? rows.length : await countSubscribers(ctx.db, filter);
  return { rows, total };
}

/** A status name, or CoreError 'invalid' listing the statuses. */
export function subscriptionStatus(raw: string, field = 'status'): SubscriptionStatus {
  if (!SUBSCRIPTION_STATUSES.includes(raw as SubscriptionStatus))
    throw invalid(`The status must be one of ${SUBSCRIPTION_STATUSES.join(', ')}, got "${raw.slice(0, 40)}".`, field);
  return raw as SubscriptionStatus;
}

export interface SubscriberDetail {
  subscriber: SubscriberRow;
  /** Why the address is never mailed, if it is suppressed. */
  suppressed: string | null;
  subscriptions: SubscriptionWithSlug[];
  deliveries: DeliveryHistoryRow[];
}

/** One subscriber with their subscriptions and latest deliveries (newest first). */
export async function showSubscriber(ctx: Pick<CoreContext, 'db'>, key: string | number, opts: { deliveries?: number } = {}): Promise<SubscriberDetail> {
  const subscriber = await findSubscriber(ctx, key);
  const [subscriptions, deliveries, suppressed] = await Promise.all([
    subscriptionsWithSlug(ctx.db, subscriber.id),
    deliveryHistory(ctx.db, subscriber.id, opts.deliveries ?? 100),
    subscriber.email ? suppressionOf(ctx.db, subscriber.email) : Promise.resolve(undefined),
  ]);
  return { subscriber, suppressed: suppressed ?? null, subscriptions, deliveries };
}
