// The emulated server's mutable state and the checks every chat-bound method shares: finding the
// chat (400 chat not found) and whether the bot may post there (403 / 400, Telegram's wording).
import { SendLimiter, type RateLimits } from './limits.js';
import { ApiError, badRequest, type Params } from './params.js';
import { type EmulatedChat, type EmulatedUser, makeChat, type SentMessage } from './state.js';

export interface ApiState {
  bot: EmulatedUser;
  chats: Map<number, EmulatedChat>;
  /** Unknown numeric chat ids are created on first use (private for positive ids). */
  autoChats: boolean;
  messages: SentMessage[];
  lastMessageId: Map<number, number>;
  limiter: SendLimiter | null;
  callbackQueries: Map<string, { answered: boolean; answer?: Params }>;
  /** setMyCommands, keyed by `${scope type}:${language_code}`. */
  commands: Map<string, unknown[]>;
  /** Documents users sent, by file_id: what getFile describes and /file/bot<token>/<path> serves. */
  files: Map<string, { file_unique_id: string; file_path: string; content: Buffer }>;
}

export function createState(bot: EmulatedUser, autoChats: boolean, limits: RateLimits | null): ApiState {
  return {
    bot,
    chats: new Map(),
    autoChats,
    messages: [],
    lastMessageId: new Map(),
    limiter: limits ? new SendLimiter(limits) : null,
    callbackQueries: new Map(),
    commands: new Map(),
    files: new Map(),
  };
}

/** Per call: what the handler needs and what it produced (for scripted drops and the log). */
export interface CallContext {
  state: ApiState;
  params: Params;
  /** Emulator clock, ms. */
  at: number;
  /** Messages this call created. */
  sent: SentMessage[];
}

export function resolveChat(state: ApiState, id: number | string): EmulatedChat {
  if (typeof id === 'string') {
    const name = id.slice(1).toLowerCase();
    for (const chat of state.chats.values()) if (chat.username?.toLowerCase() === name) return chat;
    throw badRequest('chat not found');
  }
  let chat = state.chats.get(id);
  if (!chat && state.autoChats && id !== 0) {
    chat = makeChat({ id });
    state.chats.set(id, chat);
  }
  if (!chat) throw badRequest('chat not found');
  return chat;
}

/** Refuses a send where the real Bot API would: not a member, kicked, no rights. */
export function checkCanPost(chat: EmulatedChat): void {
  const kind = chat.type === 'channel' ? 'channel chat' : chat.type === 'supergroup' ? 'supergroup chat' : 'group chat';
  if (chat.botStatus === 'kicked') throw new ApiError(403, `Forbidden: bot was kicked from the ${kind}`);
  if (chat.botStatus === 'left') throw new ApiError(403, `Forbidden: bot is not a member of the ${kind}`);
  if (chat.type === 'channel' && ((chat.botStatus !== 'administrator' && chat.botStatus !== 'creator') || !chat.canPostMessages)) {
    throw badRequest('need administrator rights in the channel chat');
  }
  if (chat.botStatus === 'restricted') throw badRequest('not enough rights to send text messages to the chat');
}

/** message_thread_id: only in supergroups (forum topics), a positive integer. */
export function checkThread(chat: EmulatedChat, thread: number | undefined): void {
  if (thread === undefined) return;
  if (chat.type !== 'supergroup' || thread <= 0) throw badRequest('message thread not found');
}

/** Validates reply_markup like the Bot API: inline buttons need exactly one action; callback data ≤ 64 bytes. */
export function checkReplyMarkup(markup: unknown): void {
  if (markup === undefined) return;
  if (!markup || typeof markup !== 'object') throw badRequest("can't parse reply keyboard markup JSON object");
  const m = markup as Record<string, unknown>;
  if ('inline_keyboard' in m) {
    if (!Array.isArray(m.inline_keyboard) || !m.inline_keyboard.every(Array.isArray))
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    for (const row of m.inline_keyboard as unknown[][]) {
      for (const b of row) {
        const button = (b ?? {}) as Record<string, unknown>;
        if (typeof button.text !== 'string' || button.text === '') throw badRequest('text buttons are unallowed in the inline keyboard');
        const actions = ['url', 'callback_data', 'switch_inline_query', 'switch_inline_query_current_chat', 'web_app', 'login_url', 'pay', 'copy_text'].filter(
          (k) => k in button,
        );
        if (actions.length !== 1) throw badRequest('text buttons are unallowed in the inline keyboard');
        if ('callback_data' in button) {
          const data = button.callback_data;
          if (typeof data !== 'string' || data === '' || Buffer.byteLength(data) > 64) throw badRequest('BUTTON_DATA_INVALID');
        }
        if ('url' in button && !(typeof button.url === 'string' && /^(https?|tg):\/\/\S+$/i.test(button.url))) {
          throw badRequest(`inline keyboard button URL '${String(button.url)}' is invalid: Wrong HTTP URL`);
        }
      }
    }
    return;
  }
  if (!('keyboard' in m) && !('remove_keyboard' in m) && !('force_reply' in m)) throw badRequest("can't parse reply keyboard markup JSON object");
}

/** The next message id in `chat` (ids are per chat, from 1). */
export function nextMessageId(state: ApiState, chatId: number): number {
  const id = (state.lastMessageId.get(chatId) ?? 0) + 1;
  state.lastMessageId.set(chatId, id);
  return id;
}

/** 429 when a message to `chat` now would break a limit; otherwise the message is counted. */
export function takeSendSlot(state: ApiState, chatId: number, at: number): void {
  if (!state.limiter) return;
  const wait = state.limiter.wait(chatId, at);
  if (wait > 0) {
    const seconds = Math.max(1, Math.ceil(wait / 1000));
    throw new ApiError(429, `Too Many Requests: retry after ${seconds}`, seconds);
  }
  state.limiter.record(chatId, at);
}
