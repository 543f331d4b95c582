// What subscribers do themselves, on the public pages: sign up (double opt-in), confirm,
// unsubscribe, and change their preferences. The front-end has already checked the signed link
// (the capability); these functions apply the rules and write the consent events and one audit
// row per change, by `subscriber:<id>`, so the audit log shows every change to a list whoever
// made it, while the consent events keep the IPs and texts as the legal record.
import { liftSuppression } from '../store/consent.js';
import { getNewsletter } from '../store/newsletters.js';
import type { SubscriberRow, SubscriptionRow } from '../store/schema.js';
import { recordEvent, suppress } from '../store/subscriber-events.js';
import { confirmSubscription, getSubscriber, getSubscription, listSubscriptionsOf, setKeywords, subscribe, unsubscribe } from '../store/subscribers.js';
import { CONSENT_VERSION } from '../i18n/index.js';
import { type AuditAction, recordAudit } from './audit.js';
import type { CoreContext } from './context.js';
import { invalid, notFound } from './errors.js';
import { subscriberLabel } from './subscribers.js';

/** A subscriber acting on their own behalf: the actor is theirs, whoever's context came in. */
export type SubscriberContext = Omit<CoreContext, 'actor'>;

export function auditAsSubscriber(ctx: SubscriberContext, subscriberId: number, action: AuditAction, detail: string): Promise<void> {
  return recordAudit({ ...ctx, actor: `subscriber:${subscriberId}` }, action, detail);
}

const MAX_KEYWORDS = 20;
const MAX_KEYWORD_LENGTH = 50;

/** Comma- (or 、，;) separated words: trimmed, one line each, bounded, no duplicates. */
export function parseKeywords(raw: string): string[] {
  const out = new Map<string, string>();
  for (const piece of raw.slice(0, 2000).split(/[,，、;；\n]+/)) {
    const word = piece
      .replace(/[^\p{L}\p{N}\p{M} .+#&'-]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, MAX_KEYWORD_LENGTH)
      .trim();
    if (word && !out.has(word.toLowerCase())) out.set(word.toLowerCase(), word);
    if (out.size >= MAX_KEYWORDS) break;
  }
  return [...out.values()];
}

export type ConfirmOutcome = 'confirmed' | 'already' | 'gone';

/**
 * pending → active, from the link in the confirmation mail. Asking for mail again with proof of
 * the mailbox ends a past "unsubscribe from everything".
 */
export async function confirmSignUp(ctx: SubscriberContext, input: { subscriptionId: number; ip?: string | null }): Promise<ConfirmOutcome> {
  const subscription = await getSubscription(ctx.db, input.subscriptionId);
  if (!subscription) return 'gone';
  const outcome = await confirmSubscription(ctx.db, subscription.id, { ip: input.ip }, ctx.now());
  if (outcome !== 'confirmed') return outcome;
  const subscriber = await getSubscriber(ctx.db, subscription.subscriber_id);
  if (subscriber?.email) await liftSuppression(ctx.db, subscriber.email, ['unsubscribed-all']);
  await auditAsSubscriber(
    ctx,
    subscription.subscriber_id,
    'subscriber.confirm',
    `subscription ${subscription.id} (newsletter ${subscription.newsletter_id}) confirmed`,
  );
  return outcome;
}

/**
 * Ends one subscription (and suppresses its deliveries not yet sent). `source` says how: the
 * one-click header, the page's button, the preferences page, the bot.
 */
export async function unsubscribeOne(
  ctx: SubscriberContext,
  input: { subscriptionId: number; ip?: string | null; source: string },
): Promise<'unsubscribed' | 'already' | 'gone'> {
  const subscription = await getSubscription(ctx.db, input.subscriptionId);
  if (!subscription) return 'gone';
  const outcome = await unsubscribe(ctx.db, subscription.id, { ip: input.ip, source: input.source }, ctx.now());
  if (outcome === 'unsubscribed') {
    await auditAsSubscriber(
      ctx,
      subscription.subscriber_id,
      'subscriber.unsubscribe',
      `subscription ${subscription.id} (newsletter ${subscription.newsletter_id}) ended: ${input.source}`,
    );
  }
  return outcome;
}

/** A change on the preferences page. */
export type PreferenceChange =
  | { action: 'keywords'; subscriptionId: number; keywords: string }
  | { action: 'unsubscribe'; subscriptionId: number }
  | { action: 'resubscribe'; subscriptionId: number }
  | { action: 'subscribe'; newsletterId: number }
  | { action: 'unsubscribe-all' };

const badChange = () => invalid('That change does not apply to these subscriptions: reload the preferences page and try again.');

/**
 * Applies one change of a subscriber's own preferences. Rejoining from their own mailbox's link
 * outweighs an earlier "stop everything" or complaint. CoreError 'invalid' for a change that
 * does not fit (another person's subscription, a newsletter they already have).
 */
export async function changePreferences(ctx: SubscriberContext, input: { subscriberId: number; ip?: string | null; change: PreferenceChange }): Promise<void> {
  const subscriber = await getSubscriber(ctx.db, input.subscriberId);
  if (!subscriber) throw notFound('This subscriber no longer exists.');
  const { change } = input;
  const ip = input.ip ?? null;
  const now = ctx.now();
  const subscriptions = await listSubscriptionsOf(ctx.db, subscriber.id);
  const target = 'subscriptionId' in change ? subscriptions.find((s) => s.id === change.subscriptionId) : undefined;
  const consent = { source: 'preferences', version: CONSENT_VERSION, ip };
  const audit = (detail: string) => auditAsSubscriber(ctx, subscriber.id, 'subscriber.preferences', detail);
  const welcomeBack = () => (subscriber.email ? liftSuppression(ctx.db, subscriber.email, ['unsubscribed-all', 'complaint']) : Promise.resolve(false));
  if (change.action === 'keywords') {
    if (target?.status !== 'active') throw badChange();
    const keywords = parseKeywords(change.keywords);
    await setKeywords(ctx.db, target.id, keywords, now);
    await recordEvent(ctx.db, { type: 'preferences', subscriberId: subscriber.id, subscriptionId: target.id, ip, detail: JSON.stringify({ keywords }), now });
    return audit(`subscription ${target.id}: keywords ${JSON.stringify(keywords)}`);
  }
  if (change.action === 'unsubscribe') {
    if (!target) throw badChange();
    return void (await unsubscribeOne(ctx, { subscriptionId: target.id, ip, source: 'preferences' }));
  }
  if (change.action === 'resubscribe') {
    if (target?.status !== 'unsubscribed') throw badChange();
    await subscribe(ctx.db, { subscriberId: subscriber.id, newsletterId: target.newsletter_id, channel: target.channel, status: 'active', consent }, now);
    await welcomeBack();
    return audit(`subscription ${target.id}: subscribed again`);
  }
  if (change.action === 'subscribe') {
    const newsletter = await getNewsletter(ctx.db, change.newsletterId);
    if (!subscriber.email || !newsletter?.enabled || subscriptions.some((s) => s.newsletter_id === newsletter.id && s.channel === 'email')) throw badChange();
    const { subscription } = await subscribe(
      ctx.db,
      { subscriberId: subscriber.id, newsletterId: newsletter.id, channel: 'email', status: 'active', consent },
      now,
    );
    await welcomeBack();
    return void (await auditAsSubscriber(
      ctx,
      subscriber.id,
      'subscriber.add',
      `${subscriberLabel(subscriber)}: ${newsletter.slug} created (active) from the preferences page, subscription ${subscription.id}`,
    ));
  }
  await unsubscribeEverything(ctx, subscriber, subscriptions, ip);
}

async function unsubscribeEverything(ctx: SubscriberContext, subscriber: SubscriberRow, subscriptions: SubscriptionRow[], ip: string | null): Promise<void> {
  const now = ctx.now();
  const ended: number[] = [];
  for (const s of subscriptions) {
    if ((s.status === 'active' || s.status === 'pending') && (await unsubscribe(ctx.db, s.id, { ip, source: 'preferences-all' }, now)) === 'unsubscribed')
      ended.push(s.id);
  }
  if (subscriber.email && (await suppress(ctx.db, { address: subscriber.email, channel: 'email', reason: 'unsubscribed-all' }, now))) {
    await recordEvent(ctx.db, { type: 'suppressed', subscriberId: subscriber.id, address: subscriber.email, ip, detail: 'unsubscribed-all', now });
  }
  await auditAsSubscriber(ctx, subscriber.id, 'subscriber.unsubscribe', `unsubscribed from everything (subscriptions ${ended.join(', ') || 'none active'})`);
}
