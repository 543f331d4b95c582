// The bot role: the Telegram bot by long polling inside the service. Without a token, or with
// TELEGRAM_MODE=webhook (the web role answers then), there is nothing to run. A failure to reach
// the Bot API at start-up is logged and the role left off: the rest of the service keeps working.
import { describeApiError, pollUntil, publishCommands } from '../bot/run.js';
import { buildBot } from '../bot/wiring.js';
import type { Root } from '../main.js';

export async function startBot(deps: Root): Promise<{ stop(): Promise<void> } | null> {
  const { telegram } = deps.config;
  if (!telegram.botToken) {
    deps.log.info('bot role: TELEGRAM_BOT_TOKEN is not set, so there is no bot to run');
    return null;
  }
  if (telegram.mode === 'webhook') {
    deps.log.info('bot role: TELEGRAM_MODE=webhook, so the web role answers the bot');
    return null;
  }
  const built = buildBot(deps);
  if (!built) return null;
  const { bot, deps: bd } = built;
  try {
    bot.botInfo = await bot.telegram.getMe();
    await publishCommands(bot, deps.log, bd.redact);
  } catch (err) {
    deps.log.error({ err: describeApiError(err, bd.redact, telegram.apiRoot) }, 'bot role: the Bot API did not answer; the bot is off until the next start');
    return null;
  }
  const abort = new AbortController();
  const polling = pollUntil(bot, abort.signal).catch((err: unknown) => {
    deps.log.error({ err: describeApiError(err, bd.redact, telegram.apiRoot) }, 'bot polling stopped');
  });
  deps.log.info({ bot: bot.botInfo.username }, 'bot is answering (long polling)');
  return {
    stop: async () => {
      abort.abort();
      await polling;
    },
  };
}
