// What every handler works with: the bot's deps, and a Turn — one incoming message or button
// press, with the chat it came from, the sender (if any), the language to answer in and a
// reply function that always sends Telegram HTML.
import type { Kysely } from 'kysely';
import type { Context } from 'telegraf';
import type { InlineKeyboardButton } from 'telegraf/types';
import type { Actor, CoreContext } from '../core/context.js';
import type { SourceAdapters } from '../core/sources.js';
import type { NewsletterKey } from '../core/newsletters.js';
import type { SendNowResult } from '../core/send-now.js';
import type { Logger } from '../log.js';
import { findSubscriberByChat } from '../store/bot.js';
import type { Database, SubscriberRow } from '../store/schema.js';
import type { TokenSigner } from '../subscribers/tokens.js';
import { type Lang, resolveLang } from '../i18n/index.js';
import type { Redactor } from './redact.js';

export interface BotDeps {
  db: Kysely<Database>;
  log: Logger;
  now: () => Date;
  /** TELEGRAM_ADMIN_IDS. */
  adminIds: readonly number[];
  /** Knows the bot token and webhook secret: everything logged or shown goes through it. */
  redact: Redactor;
  organization: string;
  /** Checks the signed "connect Telegram" links of the preferences page. */
  tokens: TokenSigner;
  /** What /sources add reads a new source with, and the interval it gets. */
  sources: SourceAdapters;
  /** core sendNow with this process's digest builder and delivery wake-up: /sendnow queues, never sends. */
  sendNow: (actor: Actor, newsletter: NewsletterKey) => Promise<SendNowResult>;
}

/** The parts of a Telegram message the bot reads. */
export interface IncomingMessage {
  message_id: number;
  text?: string;
  chat: { id: number; type: 'private' | 'group' | 'supergroup' | 'channel'; title?: string; username?: string };
  from?: { id: number; is_bot: boolean; first_name: string; language_code?: string };
  sender_chat?: { id: number };
  message_thread_id?: number;
  is_topic_message?: boolean;
}

export type Keyboard = InlineKeyboardButton[][];

export interface Turn {
  ctx: Context;
  deps: BotDeps;
  chat: IncomingMessage['chat'];
  /** The sender; absent for channel posts. */
  from: IncomingMessage['from'];
  /** Sent on behalf of a chat (anonymous group admin, linked channel): `from` is not the person. */
  senderChat: boolean;
  /** The forum topic the message was in. */
  threadId: number | undefined;
  /** This chat's subscriber row, if it has one. */
  subscriber: SubscriberRow | undefined;
  lang: Lang;
  reply(html: string, keyboard?: Keyboard): Promise<{ message_id: number }>;
}

export const isPrivate = (turn: Turn) => turn.chat.type === 'private';

/** Telegram HTML, no link previews (a list of headlines would show the first link's page). */
export function htmlExtra(keyboard?: Keyboard) {
  return {
    parse_mode: 'HTML' as const,
    link_preview_options: { is_disabled: true },
    ...(keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}),
  };
}

/** Builds the Turn for a message (or the message a pressed button belongs to). */
export async function makeTurn(ctx: Context, deps: BotDeps, message: IncomingMessage, from: IncomingMessage['from']): Promise<Turn> {
  const subscriber = message.chat.type === 'private' ? await findSubscriberByChat(deps.db, String(message.chat.id)) : undefined;
  const lang: Lang = subscriber && (subscriber.language === 'zh' || subscriber.language === 'en') ? subscriber.language : resolveLang(from?.language_code);
  const threadId = message.is_topic_message ? message.message_thread_id : undefined;
  return {
    ctx,
    deps,
    chat: message.chat,
    from,
    senderChat: message.sender_chat !== undefined,
    threadId,
    subscriber,
    lang,
    reply: (html, keyboard) =>
      withFloodRetry(() =>
        ctx.telegram.sendMessage(message.chat.id, html, { ...htmlExtra(keyboard), ...(threadId !== undefined ? { message_thread_id: threadId } : {}) }),
      ),
  };
}

const MAX_FLOOD_WAIT_S = 30;

/**
 * Someone is waiting for this answer: a 429 (too many messages to one chat, e.g. the parts of a
 * digest) is waited out, twice at most and never for long, instead of failing the command.
 */
export async function withFloodRetry<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const e = err as { code?: unknown; parameters?: { retry_after?: unknown } };
      const wait = e.parameters?.retry_after;
      if (e.code !== 429 || typeof wait !== 'number' || wait > MAX_FLOOD_WAIT_S || attempt >= 2) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  }
}

/** Who did it, for the audit log. */
export function actorOf(turn: Pick<Turn, 'from' | 'chat' | 'senderChat'>): Actor {
  return turn.from && !turn.senderChat ? `telegram:${turn.from.id}` : `telegram:chat:${turn.chat.id}`;
}

/** The context a command hands a use case: the bot's store and clock, acting as the sender. */
export function coreContext(turn: Pick<Turn, 'from' | 'chat' | 'senderChat' | 'deps'>): CoreContext {
  return { db: turn.deps.db, now: turn.deps.now, log: turn.deps.log, actor: actorOf(turn) };
}

/** Visible text cut to `max` characters (never inside a surrogate pair), with an ellipsis. */
export function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  if (one.length <= max) return one;
  let end = max - 1;
  const code = one.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${one.slice(0, end)}…`;
}
