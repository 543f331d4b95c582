// The bot's deps from the process's Deps: the few pieces each command uses, a source adder that
// reads the source first (as `tidings sources add` does), and /sendnow building the digest with
// the same deps as `tidings send`, then letting the send loops work through the ledger.
import type { Telegraf } from 'telegraf';
import type { Deps } from '../deps.js';
import { addSource } from '../store/sources.js';
import { type BotOptions, createBot, handleUpdate } from './bot.js';
import { type Redactor, redactor, routeTelegrafDebug, safeError } from './redact.js';
import { linkUrl } from './link.js';
import { publishCommands } from './run.js';
import { type TelegramWebhookOptions, WEBHOOK_PATH } from './webhook.js';
import type { BotDeps, SendNowResult } from './turn.js';

/** Knows the token and the webhook secret of this config. */
export function telegramRedactor(deps: Pick<Deps, 'config'>): Redactor {
  return redactor([deps.config.telegram.botToken, deps.config.telegram.webhookSecret]);
}

export function botDeps(deps: Deps, redact: Redactor = telegramRedactor(deps)): BotDeps {
  const { config } = deps;
  return {
    db: deps.store.db,
    log: deps.log,
    now: deps.now,
    adminIds: config.telegram.adminIds,
    redact,
    organization: config.sender.organization,
    tokens: deps.tokens,
    async addSource(url) {
      const { probeSource } = await import('../sources/probe.js');
      const probe = await probeSource(url, 'auto', {}, { ...deps, readers: deps.readers });
      return addSource(deps.store.db, { kind: probe.kind, url, name: probe.feed.feed.title || url, intervalMinutes: config.ingest.intervalMinutes }, deps.now());
    },
    sendNow: (newsletter) => buildAndSend(deps, newsletter, redact),
  };
}

async function buildAndSend(deps: Deps, newsletter: Parameters<BotDeps['sendNow']>[0], redact: Redactor): Promise<SendNowResult> {
  const [{ buildDigest }, { digestDeps }] = await Promise.all([import('../digest/build.js'), import('../deps.js')]);
  const r = await buildDigest(digestDeps(deps), newsletter, deps.now());
  if (r.status === 'ready' && r.digestId !== undefined) {
    const digestId = r.digestId;
    // Not awaited: the admin gets the answer now; the ledger makes a send cut short resumable.
    const failed = (channel: string) => (err: unknown) => deps.log.error({ err: safeError(err, redact), digestId, channel }, 'sending the digest failed');
    void sendEmail(deps, digestId).catch(failed('email'));
    void sendTelegram(deps, digestId).catch(failed('telegram'));
  }
  return { status: r.status, digestId: r.digestId, recipients: r.recipients, reason: r.reason };
}

/** The email send loop for one digest, when sending is configured well enough to start. */
async function sendEmail(deps: Deps, digestId: number): Promise<void> {
  const [{ buildEmailChannel, sendDeps, sendingBlocker }, { sendPending }] = await Promise.all([import('../deps.js'), import('../deliver/worker.js')]);
  const blocker = sendingBlocker(deps.config);
  if (blocker) return void deps.log.warn({ digestId }, `the digest is queued but not mailed: ${blocker}`);
  const email = buildEmailChannel(deps.config, deps.log);
  try {
    const { concurrency, leaseMs, maxAttempts } = deps.config.delivery;
    const progress = await sendPending(sendDeps(deps, email), { concurrency, leaseMs, maxAttempts, digestId });
    deps.log.info({ digestId, ...progress }, 'digest mailed');
  } finally {
    await email.close();
  }
}

/** The Telegram send loop for one digest (paced by the process's one pacer). */
async function sendTelegram(deps: Deps, digestId: number): Promise<void> {
  const [{ telegramSendDeps, telegramSendOptions }, { sendTelegramPending }] = await Promise.all([import('../deps.js'), import('../deliver/telegram-worker.js')]);
  const td = telegramSendDeps(deps);
  if (!td) return;
  try {
    const progress = await sendTelegramPending(td, { ...telegramSendOptions(deps.config), digestId });
    deps.log.info({ digestId, ...progress }, 'digest sent to Telegram');
  } finally {
    await td.channel.close();
  }
}

/** The bot for this config, its debug output redacted; null without TELEGRAM_BOT_TOKEN. */
export function buildBot(deps: Deps, opts: Partial<BotOptions> = {}): { bot: Telegraf; deps: BotDeps } | null {
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
export function webhookBot(deps: Deps): { options: TelegramWebhookOptions; announce: () => Promise<void> } | undefined {
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
    .catch((err: unknown) => deps.log.warn({ err: safeError(err, redact) }, 'could not ask Telegram for the bot name; the preferences page will not offer "Connect Telegram"'));
  return (subscriberId, now) => (username ? linkUrl(username, deps.tokens, subscriberId, now) : undefined);
}
