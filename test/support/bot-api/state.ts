// What the emulated Bot API knows: the bot, chats (with the bot's membership in each), users,
// and every message the bot sent, in the shapes the Bot API returns.
import type { TelegramEntity } from '../../../src/digest/telegram-html.js';

export type ChatType = 'private' | 'group' | 'supergroup' | 'channel';
export type MemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

export interface EmulatedUser {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_bot?: boolean;
}

export interface ChatInit {
  id: number;
  /** Default: private for a positive id, supergroup for -100…, group for other negative ids. */
  type?: ChatType;
  title?: string;
  username?: string;
  /** Forum supergroups take message_thread_id (any supergroup does here). */
  isForum?: boolean;
  /** The bot's own membership. Default: member (administrator with post rights in channels). */
  botStatus?: MemberStatus;
  /** Channels: whether the bot (an administrator) may post. Default true. */
  canPostMessages?: boolean;
}

export interface EmulatedChat {
  id: number;
  type: ChatType;
  title: string | undefined;
  username: string | undefined;
  isForum: boolean;
  botStatus: MemberStatus;
  canPostMessages: boolean;
  /** Other members' statuses by user id (getChatMember, getChatAdministrators). */
  members: Map<number, { user: EmulatedUser; status: MemberStatus }>;
}

export function makeChat(init: ChatInit): EmulatedChat {
  const type = init.type ?? (init.id > 0 ? 'private' : String(init.id).startsWith('-100') ? 'supergroup' : 'group');
  return {
    id: init.id,
    type,
    title: init.title ?? (type === 'private' ? undefined : `Chat ${init.id}`),
    username: init.username,
    isForum: init.isForum ?? false,
    botStatus: init.botStatus ?? (type === 'channel' ? 'administrator' : 'member'),
    canPostMessages: init.canPostMessages ?? true,
    members: new Map(),
  };
}

/** One message the bot sent (or tried to: see `acknowledged`). */
export interface SentMessage {
  message_id: number;
  chat_id: number;
  message_thread_id: number | undefined;
  method: 'sendMessage' | 'sendPhoto';
  /** The visible text (a photo's caption), after entity parsing. */
  text: string;
  entities: TelegramEntity[];
  /** The text or caption exactly as sent, markup included. */
  raw: string;
  parse_mode: string | undefined;
  photo: string | undefined;
  reply_markup: unknown;
  /** Emulator clock, ms. */
  at: number;
  date: number;
  /** False when the emulator processed it and then hung up without replying (a scripted drop). */
  acknowledged: boolean;
  edits: number;
  deleted: boolean;
}

export function chatObject(chat: EmulatedChat): Record<string, unknown> {
  const o: Record<string, unknown> = { id: chat.id, type: chat.type };
  if (chat.type === 'private') o.first_name = `User ${chat.id}`;
  else o.title = chat.title;
  if (chat.username) o.username = chat.username;
  if (chat.isForum) o.is_forum = true;
  return o;
}

export function userObject(u: EmulatedUser): Record<string, unknown> {
  return { id: u.id, is_bot: u.is_bot ?? false, first_name: u.first_name ?? `User ${u.id}`, ...pick(u, ['last_name', 'username', 'language_code']) };
}

function pick<T extends object>(o: T, keys: (keyof T)[]): Partial<T> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Partial<T>;
}

/** The Message object the Bot API returns for a message the bot sent. */
export function messageObject(m: SentMessage, chat: EmulatedChat, bot: EmulatedUser): Record<string, unknown> {
  const o: Record<string, unknown> = { message_id: m.message_id, date: m.date, chat: chatObject(chat) };
  if (chat.type !== 'channel') o.from = userObject(bot);
  if (m.message_thread_id !== undefined) {
    o.message_thread_id = m.message_thread_id;
    o.is_topic_message = true;
  }
  if (m.method === 'sendPhoto') {
    const id = `photo-${chat.id}-${m.message_id}`;
    o.photo = [{ file_id: id, file_unique_id: `u${id}`, width: 1280, height: 720, file_size: 1 }];
    if (m.text) o.caption = m.text;
    if (m.entities.length) o.caption_entities = m.entities;
  } else {
    o.text = m.text;
    if (m.entities.length) o.entities = m.entities;
  }
  if (m.edits > 0) o.edit_date = m.date;
  if (m.reply_markup) o.reply_markup = m.reply_markup;
  return o;
}
