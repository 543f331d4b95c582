// Long polling until stopped, and the one-line explanations of the Bot API failures an operator
// meets when starting the bot (wrong token, unreachable API root, a second poller).
import type { Telegraf } from 'telegraf';
import type { Logger } from '../log.js';
import { commandMenu } from '../i18n/index.js';
import { errorLine, type Redactor, safeError } from './redact.js';

/** What went wrong talking to the Bot API, for a person: one line, no token. */
export function describeApiError(err: unknown, redact: Redactor, apiRoot: string): string {
  const e = err as { code?: unknown; name?: unknown; type?: unknown };
  if (e.code === 401) return 'the Bot API refused TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token @BotFather gave you';
  if (e.code === 404) return `${apiRoot} answered 404: TELEGRAM_BOT_TOKEN or TELEGRAM_API_ROOT is wrong`;
  if (e.code === 409)
    return 'Telegram refused long polling (409 Conflict): another `tidings bot` is running, or a webhook is set (TELEGRAM_MODE=webhook serves it from `tidings serve`)';
  if (e.name === 'FetchError' || e.type === 'system' || typeof e.code === 'string') {
    const cause = typeof e.code === 'string' ? e.code : errorLine(err, redact);
    return `cannot reach the Telegram Bot API at ${apiRoot} (${cause}): check TELEGRAM_API_ROOT and the network`;
  }
  return `Telegram Bot API error: ${errorLine(err, redact)}`;
}

/** Registers the command menu (en and zh); a failure is logged, not fatal. */
export async function publishCommands(bot: Telegraf, log: Logger, redact: Redactor): Promise<void> {
  try {
    await bot.telegram.setMyCommands(commandMenu('en'));
    await bot.telegram.setMyCommands(commandMenu('zh'), { language_code: 'zh' });
  } catch (err) {
    log.warn({ err: safeError(err, redact) }, 'could not publish the command menu');
  }
}

const ALLOWED_UPDATES = ['message', 'channel_post', 'callback_query'] as const;

/**
 * Polls until `signal` aborts (then finishes the updates in hand) or polling fails for good
 * (401, 409): that error is thrown. Transient network errors are retried by telegraf itself.
 * Not bot.launch(): a stop requested while launch is still starting would be lost.
 */
export async function pollUntil(bot: Telegraf, signal: AbortSignal): Promise<void> {
  await bot.telegram.deleteWebhook({ drop_pending_updates: false });
  if (signal.aborted) return;
  // startPolling is public at runtime (launch uses it) but not in telegraf's typings.
  const running = (bot as unknown as { startPolling(allowed: readonly string[]): Promise<void> }).startPolling(ALLOWED_UPDATES);
  const stop = () => bot.stop('signal');
  signal.addEventListener('abort', stop, { once: true });
  try {
    await running;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
