// The Telegram channel: one digest's parts, in order, to one chat, each through the pacer.
// Telegram's answers become DeliveryErrors the ledger understands: 429 holds the chat and asks
// for a retry after retry_after; blocked, kicked and "chat not found" are permanent and end the
// subscription; a part Telegram cannot parse goes again once as plain text; a broken connection
// after the request was written is "uncertain" (the message may be there: no blind retries).
import { decodeHTML } from 'entities';
import type { TelegramPart } from '../digest/render-telegram.js';
import type { Logger } from '../log.js';
import { DeliveryError, type SendOutcome } from './channel.js';
import type { Pacer } from './pacing.js';
import { BotApiError, type BotApiClient, BotApiNetworkError } from './telegram-api.js';

/** A subscriber's Telegram address: "chatId", or "chatId:threadId" for a forum topic. */
export interface TelegramTarget {
  chatId: string;
  threadId: number | undefined;
}

export function parseTelegramAddress(address: string): TelegramTarget {
  const m = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})(?::(\d{1,10}))?$/.exec(address.trim());
  if (!m) throw new DeliveryError(`not a Telegram chat address: ${JSON.stringify(address)}`, { permanent: true });
  return { chatId: m[1]!, threadId: m[2] === undefined ? undefined : Number(m[2]) };
}

export interface TelegramSend {
  address: string;
  /** Parts already delivered (a retry resumes after them). */
  from: number;
  /** After each confirmed part, with the count delivered so far; awaited before the next. */
  onPart?: (sent: number) => Promise<void>;
  signal?: AbortSignal;
}

export interface TelegramChannel {
  readonly name: 'telegram';
  /** Resolves when every part from `from` on was accepted; rejects with a DeliveryError. */
  send(parts: readonly TelegramPart[], delivery: TelegramSend): Promise<SendOutcome>;
  close(): Promise<void>;
}

/** The Bot API refused the token or the method: nothing can be sent; stop the run. */
export class TelegramSetupError extends Error {
  override readonly name = 'TelegramSetupError';
}

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

export function telegramChannel(deps: { api: BotApiClient; pacer: Pacer; log: Logger }): TelegramChannel {
  const { api, pacer, log } = deps;

  async function paced(chatId: string, signal: AbortSignal | undefined, method: string, params: Record<string, unknown>): Promise<{ message_id?: number }> {
    const release = await pacer.acquire(chatId, signal);
    try {
      return await api.call(method, params);
    } finally {
      release();
    }
  }

  async function sendPart(target: TelegramTarget, part: TelegramPart, signal: AbortSignal | undefined): Promise<{ message_id?: number }> {
    const where = { chat_id: target.chatId, ...(target.threadId === undefined ? {} : { message_thread_id: target.threadId }) };
    const text = (html: string, plain: boolean) =>
      paced(target.chatId, signal, 'sendMessage', {
        ...where,
        text: plain ? plainText(html, TEXT_LIMIT) : html,
        ...(plain ? {} : { parse_mode: 'HTML' }),
        ...(part.kind === 'text' ? { link_preview_options: { is_disabled: part.disableLinkPreview } } : {}),
      });
    if (part.kind === 'text') return withPlainFallback((plain) => text(part.html, plain), log);
    const photo = (plain: boolean) =>
      paced(target.chatId, signal, 'sendPhoto', {
        ...where,
        photo: part.photoUrl,
        caption: plain ? plainText(part.captionHtml, CAPTION_LIMIT) : part.captionHtml,
        ...(plain ? {} : { parse_mode: 'HTML' }),
      });
    try {
      return await withPlainFallback(photo, log);
    } catch (err) {
      // An image Telegram cannot fetch must not cost the reader the item: send its text alone.
      if (!(err instanceof BotApiError && err.code === 400 && /photo|HTTP URL|web page content|IMAGE_PROCESS|file identifier/i.test(err.description)))
        throw err;
      log.warn({ chat: target.chatId, err: err.description }, 'telegram: photo refused; sending the caption as text');
      return withPlainFallback((plain) => text(part.captionHtml, plain), log);
    }
  }

  return {
    name: 'telegram',
    async send(parts, delivery) {
      const target = parseTelegramAddress(delivery.address);
      const ids: number[] = [];
      for (let i = delivery.from; i < parts.length; i++) {
        try {
          const message = await sendPart(target, parts[i]!, delivery.signal);
          if (message.message_id !== undefined) ids.push(message.message_id);
        } catch (err) {
          throw deliveryError(err, target, pacer, `part ${i + 1} of ${parts.length}`);
        }
        await delivery.onPart?.(i + 1);
      }
      return { response: `${parts.length - delivery.from} message(s) sent${ids.length ? `, last message_id ${ids.at(-1)}` : ''}` };
    },
    close: () => api.close(),
  };
}

/** One resend as plain text when Telegram cannot parse our HTML; never more. */
async function withPlainFallback<T>(send: (plain: boolean) => Promise<T>, log: Logger): Promise<T> {
  try {
    return await send(false);
  } catch (err) {
    if (!(err instanceof BotApiError && err.code === 400 && /can't parse entities/i.test(err.description))) throw err;
    log.warn({ err: err.description }, 'telegram: HTML refused; resending the part as plain text');
    return send(true);
  }
}

/** Visible text of our HTML: links keep their address, tags go, entities are decoded. */
export function plainText(html: string, limit: number): string {
  const text = decodeHTML(
    html
      .replace(/<a\s[^>]*href\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a\s*>/gi, (_m, _q, href: string, inner: string) => `${inner} (${href})`)
      .replace(/<[^>]*>/g, ''),
  );
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function deliveryError(err: unknown, target: TelegramTarget, pacer: Pacer, which: string): Error {
  if (err instanceof DeliveryError || err instanceof TelegramSetupError) return err;
  if (err instanceof BotApiNetworkError) {
    return new DeliveryError(`${which}: ${err.message}`, { permanent: false, uncertain: err.uncertain, cause: err });
  }
  if (!(err instanceof BotApiError)) return err instanceof Error ? err : new Error(String(err));
  const msg = `${which}: ${err.code} ${err.description}`;
  if (err.code === 401 || err.code === 404) {
    return new TelegramSetupError(
      `the Bot API refused the bot token or method (${err.code} ${err.description}); check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT`,
    );
  }
  if (err.code === 429) {
    const wait = err.retryAfterMs ?? 1000;
    pacer.hold(target.chatId, wait);
    return new DeliveryError(msg, { permanent: false, retryAfterMs: wait, code: 429 });
  }
  // Blocked by the user, kicked, deactivated, or a chat that no longer exists: this chat will
  // never take a message again, so the subscription ends now rather than after retries.
  if (err.code === 403 || (err.code === 400 && /chat not found|user is deactivated|group chat was deactivated/i.test(err.description))) {
    return new DeliveryError(msg, { permanent: true, suppress: true, code: err.code });
  }
  return new DeliveryError(msg, { permanent: err.code >= 400 && err.code < 500, code: err.code });
}
