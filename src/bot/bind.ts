// What binding a newsletter to a group, forum topic or channel asks of the Bot API (the binding
// itself is core/telegram.ts's): may the bot post there, and the subscriber address of a chat,
// "<chat id>" or "<chat id>:<topic id>" (what the delivery channel sends to).
import type { Telegram } from 'telegraf';

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
  if (member.status === 'restricted' && !member.can_send_messages)
    return { ...base, ok: false, problem: 'the bot is not allowed to send messages in this group' };
  return { ...base, ok: true };
}
