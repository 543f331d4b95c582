// Sending a newsletter to a group, a forum topic or a channel: the chat becomes a Telegram
// subscriber whose address is "<chat id>" or "<chat id>:<topic id>" (what the delivery channel
// sends to), with an active subscription whose consent is the admin's. Before binding, the bot
// asks Telegram whether it may post there, so a digest is not queued for a chat that refuses it.
import type { Kysely } from 'kysely';
import type { Telegram } from 'telegraf';
import { reactivateBlocked } from '../store/bot.js';
import type { Database, NewsletterRow } from '../store/schema.js';
import { listSubscriptionsOf, subscribe, unsubscribe, upsertSubscriber } from '../store/subscribers.js';

export interface PostCheck {
  ok: boolean;
  /** Numeric id, also when the chat was given as @username. */
  chatId: number;
  type: string;
  title: string;
  /** Why the bot cannot post, for the admin. */
  problem?: string;
}

/** The subscriber address of a chat, or of one topic of a forum. */
export const chatAddress = (chatId: number, threadId?: number) => (threadId === undefined ? String(chatId) : `${chatId}:${threadId}`);

/** getChat + getChatMember(bot): may the bot post in this chat? Bot API errors are thrown as they are. */
export async function checkCanPost(telegram: Telegram, chat: number | string, botId: number): Promise<PostCheck> {
  const info = await telegram.getChat(chat);
  const title = ('title' in info && info.title) || ('username' in info && info.username) || String(info.id);
  const base = { chatId: info.id, type: info.type, title };
  if (info.type === 'private') return { ...base, ok: false, problem: 'this is a private chat; people subscribe themselves with /subscribe' };
  const member = await telegram.getChatMember(info.id, botId);
  if (member.status === 'left' || member.status === 'kicked') return { ...base, ok: false, problem: 'the bot is not a member of this chat; add it first' };
  if (info.type === 'channel') {
    const canPost = member.status === 'creator' || (member.status === 'administrator' && member.can_post_messages === true);
    return canPost ? { ...base, ok: true } : { ...base, ok: false, problem: 'in a channel the bot must be an administrator allowed to post messages' };
  }
  if (member.status === 'restricted' && !member.can_send_messages) return { ...base, ok: false, problem: 'the bot is not allowed to send messages in this group' };
  return { ...base, ok: true };
}

export type BindOutcome = 'bound' | 'already';

export async function bindChat(
  db: Kysely<Database>,
  input: { chatId: number; threadId?: number; title: string; newsletter: NewsletterRow },
  now: Date,
): Promise<BindOutcome> {
  const address = chatAddress(input.chatId, input.threadId);
  const subscriber = await upsertSubscriber(db, { telegramChatId: address, name: input.title }, now);
  const { subscription, outcome } = await subscribe(
    db,
    { subscriberId: subscriber.id, newsletterId: input.newsletter.id, channel: 'telegram', status: 'active', consent: { source: 'admin' } },
    now,
  );
  if (outcome !== 'unchanged') return 'bound';
  if (subscription.status === 'active') return 'already';
  // Stopped after a failed delivery; the check above just showed the bot can post again.
  await reactivateBlocked(db, subscription.id, address, now);
  return 'bound';
}

export async function unbindChat(db: Kysely<Database>, input: { chatId: number; threadId?: number; newsletter: NewsletterRow }, now: Date): Promise<boolean> {
  const subscriber = await db.selectFrom('subscribers').select('id').where('telegram_chat_id', '=', chatAddress(input.chatId, input.threadId)).executeTakeFirst();
  if (!subscriber) return false;
  const sub = (await listSubscriptionsOf(db, subscriber.id)).find((s) => s.channel === 'telegram' && s.newsletter_id === input.newsletter.id);
  if (!sub) return false;
  return (await unsubscribe(db, sub.id, { source: 'admin' }, now)) === 'unsubscribed';
}
