// The bot's deps from the process's root: the few pieces each command uses, what the core's
// source operations read sources with, and /sendnow through the core with the
// process's digest builder and delivery wake-up (it queues; the delivery loop sends).
import type { Telegraf } from 'telegraf';
import { sendNow } from '../core/send-now.js';
import type { Deps } from '../deps.js';
import type { Root } from '../main.js';
import { type BotOptions, createBot, handleUpdate } from './bot.js';
import { type Redactor, redactor, routeTelegrafDebug, safeError } from './redact.js';
import { linkUrl } from './link.js';
import { publishCommands } from './run.js';
import { type TelegramWebhookOptions, WEBHOOK_PATH } from './webhook.js';
import type { BotDeps } from './turn.js';

/** Knows the token and the webhook secret of this config. */
export function telegramRedactor(deps: Pick<Deps, 'config'>): Redactor {
  return redactor([deps.config.telegram.botToken, deps.config.telegram.webhookSecret]);
}

export function botDeps(deps: Root, redact: Redactor = telegramRedactor(deps)): BotDeps {
  const { config } = deps;
  return {
    db: deps.store.db,
    log: deps.log,
    now: deps.now,
    adminIds: config.telegram.adminIds,
    redact,
    organization: config.sender.organization,
    tokens: deps.tokens,
    sources: { fetcher: deps.fetcher, readers: deps.readers, sourceIntervalMinutes: config.ingest.intervalMinutes },
    sendNow: (actor, newsletter) => sendNow({ db: deps.store.db, now: deps.now, log: deps.log, actor, build: deps.build(), wake: deps.wake }, newsletter),
  };
}

/** The bot for this config, its debug output redacted; null without TELEGRAM_BOT_TOKEN. */
export function buildBot(deps: Root, opts: Partial<BotOptions> = {}): { bot: Telegraf; deps: BotDeps } | null {
  const { telegram } = deps.config;
  if (!telegram.botToken) return null;
  const redact = telegramRedactor(deps);
  const level = deps.config.logLevel;
  routeTelegrafDebug(deps.log, redact, { enable: level === 'debug' || level === 'trace' });
  const bd = botDeps(deps, redact);
  return { bot: createBot({ token: telegram.botToken, apiRoot: telegram.apiRoot, ...opts }, bd), deps: bd };
}

/**
 * TELEGRAM_MODE=webhook: the bot behind POST /telegram/webhook, and `announce` (call it once the
 * server listens) telling Telegram where that is — TIDINGS_PUBLIC_URL + /telegram/webhook, with
 * the secret. Undefined in polling mode or without a token.
 */
export function webhookBot(deps: Root): { options: TelegramWebhookOptions; announce: () => Promise<void> } | undefined {
  const { telegram, sender } = deps.config;
  if (telegram.mode !== 'webhook' || !telegram.webhookSecret) return undefined;
  const built = buildBot(deps);
  if (!built) return undefined;
  const { bot, deps: bd } = built;
  const secret = telegram.webhookSecret;
  const url = `${sender.publicUrl}${WEBHOOK_PATH}`;
  return {
    options: { secret, handle: (update) => handleUpdate(bot, update, bd) },
    async announce() {
      try {
        await bot.telegram.setWebhook(url, { secret_token: secret, allowed_updates: ['message', 'channel_post', 'callback_query'] });
        deps.log.info({ url }, 'telegram webhook set');
      } catch (err) {
        deps.log.error({ err: safeError(err, bd.redact), url }, 'could not set the Telegram webhook; updates will not arrive until it is set');
        return;
      }
      await publishCommands(bot, deps.log, bd.redact);
    },
  };
}

/**
 * The preferences page's "Connect Telegram" link maker, for this bot. Its @username is asked of
 * the Bot API in the background (start-up never waits on Telegram); until it is known, or when
 * the Bot API cannot be asked (logged), no link is offered. Undefined without a token.
 */
export function telegramLinker(deps: Deps): ((subscriberId: number, now: Date) => string | undefined) | undefined {
  const { botToken, apiRoot } = deps.config.telegram;
  if (!botToken) return undefined;
  const redact = telegramRedactor(deps);
  let username: string | undefined;
  void import('telegraf')
    .then(({ Telegram }) => {
      routeTelegrafDebug(deps.log, redact, { enable: deps.config.logLevel === 'debug' || deps.config.logLevel === 'trace' });
      return new Telegram(botToken, { apiRoot: `${apiRoot}/` }).getMe();
    })
    .then((me) => {
      username = me.username;
    })
    .catch((err: unknown) =>
      deps.log.warn({ err: safeError(err, redact) }, 'could not ask Telegram for the bot name; the preferences page will not offer "Connect Telegram"'),
    );
  return (subscriberId, now) => (username ? linkUrl(username, deps.tokens, subscriberId, now) : undefined);
}
