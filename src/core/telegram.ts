// Telegram bindings, from any front-end: an admin binds a group, forum topic or channel to a
// newsletter (the chat becomes a Telegram subscriber with an active subscription whose consent
// is the admin's) or unbinds it; a person links their chat to their email subscription (with the
// signed link from their preferences page) or unlinks it; and a private chat subscribes itself.
import type { Telegram } from 'telegraf';
import { type PostCheck, chatAddress, checkCanPost } from '../bot/bind.js';
import { errorLine, type Redactor } from '../bot/redact.js';
import { findSubscriberByChat, type LinkOutcome, linkTelegramChat, reactivateBlocked, unlinkTelegramChat } from '../store/bot.js';
import type { NewsletterLanguage, NewsletterRow, SubscriptionRow } from '../store/schema.js';
import { listSubscriptionsOf, subscribe, unsubscribe, upsertSubscriber } from '../store/subscribers.js';
import { CONSENT_VERSION } from '../i18n/index.js';
import { recordAudit } from './audit.js';
import type { CoreContext } from './context.js';
import { invalid, notFound, refused, upstream } from './errors.js';
import { findNewsletter } from './newsletters.js';
import { ADMIN_CONSENT } from './subscribers.js';

/** What binding needs to ask Telegram whether the bot may post in the chat. */
export interface TelegramAdapters {
  telegram: Telegram;
  botId: number;
  /** Knows the bot token: a Bot API error is quoted through it. */
  redact: Redactor;
}

export interface BindInput {
  /** A numeric chat id or @username. */
  chat: string | number;
  /** A forum topic of the group. */
  threadId?: number;
  newsletter: string | number;
}

export interface BindResult {
  outcome: 'bound' | 'already' | 'unbound' | 'not-bound';
  /** The chat's title (or username) as Telegram gives it. */
  title: string;
  /** The subscriber address: "<chat id>" or "<chat id>:<topic id>". */
  address: string;
  newsletter: NewsletterRow;
}

function chatKey(chat: string | number): string | number {
  const s = String(chat).trim();
  if (!/^(@[A-Za-z0-9_]{4,64}|-?\d{1,20})$/.test(s))
    throw invalid(`"${s.slice(0, 80)}" is not a chat: give its numeric id (e.g. -1001234567890) or @username.`, 'chat');
  return /^-?\d+$/.test(s) ? Number(s) : s;
}

async function askTelegram(ctx: TelegramAdapters, chat: string | number): Promise<PostCheck> {
  try {
    return await checkCanPost(ctx.telegram, chat, ctx.botId);
  } catch (err) {
    throw upstream(`Telegram does not know that chat or will not say (${errorLine(err, ctx.redact).slice(0, 200)}). Add the bot to it first.`);
  }
}

/** The chat and newsletter named, and what Telegram says of the chat (checked in that order). */
async function target(ctx: CoreContext & TelegramAdapters, input: BindInput) {
  const chat = chatKey(input.chat);
  const newsletter = await findNewsletter(ctx, input.newsletter);
  const check = await askTelegram(ctx, chat);
  const address = chatAddress(check.chatId, input.threadId);
  return { check, address, newsletter, base: { title: check.title, address, newsletter } };
}

/**
 * Sends a newsletter to a group, topic or channel. Telegram is asked first whether the bot may
 * post there, so a digest is not queued for a chat that refuses it (CoreError 'refused', audited).
 */
export async function bindTelegramChat(ctx: CoreContext & TelegramAdapters, input: BindInput): Promise<BindResult> {
  const { check, address, newsletter, base } = await target(ctx, input);
  if (!check.ok) {
    await recordAudit(ctx, 'telegram.bind', `${address} ${newsletter.slug}: refused, ${check.problem}`, false);
    throw refused(`Cannot bind ${check.title} (${address}): ${check.problem ?? 'the bot cannot post there'}.`);
  }
  const now = ctx.now();
  const subscriber = await upsertSubscriber(ctx.db, { telegramChatId: address, name: check.title }, now);
  const { subscription, outcome } = await subscribe(
    ctx.db,
    { subscriberId: subscriber.id, newsletterId: newsletter.id, channel: 'telegram', status: 'active', consent: { source: ADMIN_CONSENT } },
    now,
  );
  // Stopped after a failed delivery: the check above just showed the bot can post again.
  const bound = outcome !== 'unchanged' || (subscription.status !== 'active' && (await reactivateBlocked(ctx.db, subscription.id, address, now)));
  if (!bound) return { ...base, outcome: 'already' };
  await recordAudit(ctx, 'telegram.bind', `${address} (${check.title}) ${newsletter.slug}`);
  return { ...base, outcome: 'bound' };
}

/** Stops sending a newsletter to a group, topic or channel; 'not-bound' when it was not getting it. */
export async function unbindTelegramChat(ctx: CoreContext & TelegramAdapters, input: BindInput): Promise<BindResult> {
  const { check, address, newsletter, base } = await target(ctx, input);
  const subscriber = await findSubscriberByChat(ctx.db, address);
  const sub = subscriber
    ? (await listSubscriptionsOf(ctx.db, subscriber.id)).find((s) => s.channel === 'telegram' && s.newsletter_id === newsletter.id)
    : undefined;
  const done = sub !== undefined && (await unsubscribe(ctx.db, sub.id, { source: ADMIN_CONSENT }, ctx.now())) === 'unsubscribed';
  if (!done) return { ...base, outcome: 'not-bound' };
  await recordAudit(ctx, 'telegram.unbind', `${address} (${check.title}) ${newsletter.slug}`);
  return { ...base, outcome: 'unbound' };
}

/** Connects a chat to an email subscriber (merging a Telegram-only subscriber of that chat). */
export async function linkTelegram(ctx: CoreContext, input: { subscriberId: number; chatId: string }): Promise<LinkOutcome> {
  const outcome = await linkTelegramChat(ctx.db, input.subscriberId, input.chatId, ctx.now());
  if (outcome === 'linked') await recordAudit(ctx, 'telegram.link', `chat ${input.chatId} → subscriber ${input.subscriberId}`);
  return outcome;
}

/** Disconnects a chat from its email subscriber; false when it had none. */
export async function unlinkTelegram(ctx: CoreContext, input: { chatId: string }): Promise<boolean> {
  const holder = await findSubscriberByChat(ctx.db, input.chatId);
  const done = await unlinkTelegramChat(ctx.db, input.chatId, ctx.now());
  if (done) await recordAudit(ctx, 'telegram.unlink', `chat ${input.chatId} from subscriber ${holder?.id ?? '?'}`);
  return done;
}

export type ChatSubscriptionOutcome = 'subscribed' | 'alreadySubscribed' | 'blockedSubscription' | 'unsubscribed' | 'notSubscribed';

const isOn = (s: SubscriptionRow | undefined) => s?.status === 'active' || s?.status === 'pending';

export interface ChatSubscriptionInput {
  /** The private chat (its id is the person's). */
  chatId: string;
  /** For a chat's first subscription: its subscriber's name and language. */
  name?: string | null;
  language?: NewsletterLanguage;
  newsletter: string | number;
  on: boolean;
}

/**
 * A private chat subscribes itself (active at once: Telegram has proven the chat is the person's)
 * or unsubscribes. CoreError 'not_found' for a newsletter that does not exist or is paused.
 */
export async function setChatSubscription(
  ctx: CoreContext,
  input: ChatSubscriptionInput,
): Promise<{ outcome: ChatSubscriptionOutcome; newsletter: NewsletterRow }> {
  const newsletter = await findNewsletter(ctx, input.newsletter);
  if (!newsletter.enabled) throw notFound(`The newsletter "${newsletter.slug}" is paused.`);
  const now = ctx.now();
  const existing = await findSubscriberByChat(ctx.db, input.chatId);
  const current = existing
    ? (await listSubscriptionsOf(ctx.db, existing.id)).find((s) => s.channel === 'telegram' && s.newsletter_id === newsletter.id)
    : undefined;
  const done = (outcome: ChatSubscriptionOutcome) => ({ outcome, newsletter });
  if (!input.on) {
    if (!current || !isOn(current)) return done('notSubscribed');
    if ((await unsubscribe(ctx.db, current.id, { source: 'telegram' }, now)) !== 'unsubscribed') return done('notSubscribed');
    await recordAudit(ctx, 'subscriber.unsubscribe', `subscription ${current.id} (chat ${input.chatId}, ${newsletter.slug}) ended: telegram`);
    return done('unsubscribed');
  }
  const subscriber = existing ?? (await upsertSubscriber(ctx.db, { telegramChatId: input.chatId, name: input.name ?? null, language: input.language }, now));
  const consent = { source: 'telegram', version: CONSENT_VERSION };
  const { subscription, outcome } = await subscribe(
    ctx.db,
    { subscriberId: subscriber.id, newsletterId: newsletter.id, channel: 'telegram', status: 'active', consent },
    now,
  );
  if (outcome === 'unchanged' && isOn(subscription)) return done('alreadySubscribed');
  // Blocked after a failed delivery: the person writing to us from this chat shows it works again.
  if (outcome === 'unchanged' && !(await reactivateBlocked(ctx.db, subscription.id, input.chatId, now))) return done('blockedSubscription');
  await recordAudit(
    ctx,
    'subscriber.add',
    `subscriber ${subscriber.id} <telegram:${input.chatId}>: ${newsletter.slug} ${outcome === 'unchanged' ? 'reactivated' : outcome} (active)`,
  );
  return done('subscribed');
}
