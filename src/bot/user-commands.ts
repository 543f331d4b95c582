// Subscribing from a private chat: /start (welcome and newsletter buttons), /help,
// /newsletters, /subscribe, /unsubscribe, /settings and the buttons they show. A private chat's
// subscriber is keyed by the chat id (equal to the user id in private chats); subscriptions made
// here are active at once — Telegram has already proven the chat is the person's. Subscribing and
// unsubscribing are the core's (src/core/telegram.ts), audited as telegram:<user id>.
import { isCoreError } from '../core/errors.js';
import { setChatSubscription } from '../core/telegram.js';
import { escapeHtml } from '../digest/telegram-html.js';
import { findSubscriberByChat, setSubscriberLanguage } from '../store/bot.js';
import { listNewsletters } from '../store/newsletters.js';
import type { SubscriberRow, SubscriptionRow } from '../store/schema.js';
import { listSubscriptionsOf, upsertSubscriber } from '../store/subscribers.js';
import { LANGUAGE_NAMES, type Lang, say } from '../i18n/index.js';
import { coreContext, type Keyboard, type Turn, clip, htmlExtra } from './turn.js';

export const isAdmin = (turn: Turn) => turn.from !== undefined && !turn.senderChat && turn.deps.adminIds.includes(turn.from.id);

/** The chat's subscriber, created on first need (a subscription, a setting). */
export async function ensureSubscriber(turn: Turn): Promise<SubscriberRow> {
  if (turn.subscriber) return turn.subscriber;
  const row = await upsertSubscriber(
    turn.deps.db,
    { telegramChatId: String(turn.chat.id), name: turn.from?.first_name ?? null, language: turn.lang },
    turn.deps.now(),
  );
  turn.subscriber = row;
  return row;
}

async function telegramSubscriptions(turn: Turn): Promise<Map<number, SubscriptionRow>> {
  if (!turn.subscriber) return new Map();
  const rows = await listSubscriptionsOf(turn.deps.db, turn.subscriber.id);
  return new Map(rows.filter((s) => s.channel === 'telegram').map((s) => [s.newsletter_id, s]));
}

const isOn = (s: SubscriptionRow | undefined) => s?.status === 'active' || s?.status === 'pending';

/** One button per enabled newsletter, ✅ on the ones this chat gets. */
export async function newsletterKeyboard(turn: Turn): Promise<Keyboard> {
  const [newsletters, mine] = await Promise.all([listNewsletters(turn.deps.db, { enabled: true }), telegramSubscriptions(turn)]);
  return newsletters.map((n) => [{ text: `${isOn(mine.get(n.id)) ? '✅ ' : ''}${clip(n.name, 40)}`, callback_data: `sub:${n.id}` }]);
}

export async function start(turn: Turn): Promise<void> {
  const keyboard = await newsletterKeyboard(turn);
  const welcome = say(turn.lang, 'welcome', { org: turn.deps.organization });
  await turn.reply(`${welcome}\n\n${say(turn.lang, keyboard.length ? 'chooseNewsletters' : 'noNewsletters')}`, keyboard.length ? keyboard : undefined);
}

export async function help(turn: Turn): Promise<void> {
  await turn.reply(say(turn.lang, 'help') + (isAdmin(turn) ? `\n\n${say(turn.lang, 'adminHelp')}` : ''));
}

export async function newsletters(turn: Turn): Promise<void> {
  const [rows, mine] = await Promise.all([listNewsletters(turn.deps.db, { enabled: true }), telegramSubscriptions(turn)]);
  if (rows.length === 0) return void (await turn.reply(say(turn.lang, 'noNewsletters')));
  const lines = rows.map((n) => `${isOn(mine.get(n.id)) ? '✅' : '▫️'} <b>${escapeHtml(clip(n.name, 60))}</b> — <code>${escapeHtml(n.slug)}</code>`);
  await turn.reply(`${say(turn.lang, 'newslettersHeader')}\n\n${lines.join('\n')}`);
}

/** The core's subscribe or unsubscribe for this chat; undefined after replying that there is no such newsletter. */
async function setSubscribed(turn: Turn, key: string | number, on: boolean) {
  try {
    const input = { chatId: String(turn.chat.id), name: turn.from?.first_name ?? null, language: turn.lang, newsletter: key, on };
    return await setChatSubscription(coreContext(turn), input);
  } catch (err) {
    if (!isCoreError(err) || err.code !== 'not_found') throw err;
    return undefined;
  } finally {
    // The first subscription creates the chat's subscriber: later steps of this turn see it.
    turn.subscriber ??= await findSubscriberByChat(turn.deps.db, String(turn.chat.id));
  }
}

export async function subscribeCommand(turn: Turn, args: string, on: boolean): Promise<void> {
  const key = args.trim().split(/\s+/)[0] ?? '';
  if (!key) {
    const keyboard = await newsletterKeyboard(turn);
    return void (await turn.reply(say(turn.lang, keyboard.length ? 'chooseNewsletters' : 'noNewsletters'), keyboard.length ? keyboard : undefined));
  }
  const r = await setSubscribed(turn, key, on);
  if (!r) return void (await turn.reply(say(turn.lang, 'unknownNewsletter', { slug: clip(key, 64) })));
  await turn.reply(say(turn.lang, r.outcome, { name: r.newsletter.name, slug: r.newsletter.slug }));
}

/** A newsletter button: subscribes or unsubscribes, and redraws the buttons. */
export async function onNewsletterButton(turn: Turn, newsletterId: number, messageId: number | undefined): Promise<void> {
  const current = (await telegramSubscriptions(turn)).get(newsletterId);
  const r = await setSubscribed(turn, newsletterId, !isOn(current));
  if (!r) return void (await turn.ctx.answerCbQuery(say(turn.lang, 'unknownNewsletter', { slug: String(newsletterId) }).replace(/<[^>]+>/g, '')));
  if (messageId !== undefined) {
    const text = say(turn.lang, 'chooseNewsletters');
    await turn.ctx.telegram.editMessageText(turn.chat.id, messageId, undefined, text, htmlExtra(await newsletterKeyboard(turn)));
  }
  // Answered last, so the spinner on the button stops once everything is done. The answer is
  // shown as plain text: the message's HTML is dropped.
  await turn.ctx.answerCbQuery(say(turn.lang, r.outcome, { name: r.newsletter.name, slug: r.newsletter.slug }).replace(/<[^>]+>/g, ''));
}

const languageKeyboard = (): Keyboard => [(Object.keys(LANGUAGE_NAMES) as Lang[]).map((l) => ({ text: LANGUAGE_NAMES[l], callback_data: `lang:${l}` }))];

export async function settings(turn: Turn): Promise<void> {
  await turn.reply(say(turn.lang, 'settings', { language: LANGUAGE_NAMES[turn.lang] }), languageKeyboard());
}

export async function onLanguageButton(turn: Turn, lang: Lang): Promise<void> {
  const subscriber = await ensureSubscriber(turn);
  await setSubscriberLanguage(turn.deps.db, subscriber.id, lang, turn.deps.now());
  turn.lang = lang;
  await turn.reply(say(lang, 'languageSet'));
  await turn.ctx.answerCbQuery(say(lang, 'languageSet'));
}
