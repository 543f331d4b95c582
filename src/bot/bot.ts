// The telegraf bot: at-most-once update handling, the dispatcher, and an error handler that logs
// (redacted) and keeps going. The same instance serves long polling (run.ts) and the webhook
// route (webhook.ts); the Bot API root is configurable, so a self-hosted Bot API server or the
// test emulator works as well as api.telegram.org.
import { Telegraf } from 'telegraf';
import { claimUpdate, pruneUpdates } from '../store/bot.js';
import { dispatcher } from './dispatch.js';
import { resolveLang, say } from '../i18n/index.js';
import { safeError } from './redact.js';
import type { BotDeps } from './turn.js';

export interface BotOptions {
  token: string;
  /** TELEGRAM_API_ROOT, without a trailing slash. */
  apiRoot: string;
  /** A handler running longer than this is abandoned (and logged); telegraf's default is 90 s. */
  handlerTimeoutMs?: number;
}

/** Telegram redelivers an unanswered update for up to a day; older claims are no longer needed. */
const KEEP_UPDATES_MS = 2 * 24 * 3_600_000;
const PRUNE_EVERY = 500;

export function createBot(opts: BotOptions, deps: BotDeps): Telegraf {
  // The root must end in "/": telegraf resolves "./bot<token>/<method>" against it.
  const bot = new Telegraf(opts.token, { telegram: { apiRoot: `${opts.apiRoot}/`, webhookReply: false }, handlerTimeout: opts.handlerTimeoutMs ?? 60_000 });
  let claimed = 0;

  bot.use(async (ctx, next) => {
    const id = ctx.update.update_id;
    // Claimed before anything runs: a webhook retry, a second replica or a restart polling the
    // same update finds the row and does nothing. A handler that fails is not run again.
    if (!(await claimUpdate(deps.db, id, deps.now()))) {
      deps.log.debug({ updateId: id }, 'telegram update already handled');
      return;
    }
    if (++claimed % PRUNE_EVERY === 0) await pruneUpdates(deps.db, new Date(deps.now().getTime() - KEEP_UPDATES_MS));
    await next();
  });
  bot.use(dispatcher(deps));

  bot.catch(async (err, ctx) => {
    deps.log.error({ err: safeError(err, deps.redact), updateId: ctx.update.update_id }, 'telegram update failed');
    const chat = ctx.chat;
    if (!chat || chat.type === 'channel') return;
    // Best effort: the failure may be that Telegram cannot be reached at all.
    await ctx.telegram.sendMessage(chat.id, say(resolveLang(ctx.from?.language_code), 'failed')).catch(() => undefined);
  });
  return bot;
}

/** Runs an update through the bot; never throws (the webhook answers 200 either way). */
export async function handleUpdate(bot: Telegraf, update: unknown, deps: Pick<BotDeps, 'log' | 'redact'>): Promise<void> {
  try {
    await bot.handleUpdate(update as Parameters<Telegraf['handleUpdate']>[0]);
  } catch (err) {
    // getMe failing before the first update (handleUpdate asks for the bot's own name) lands here.
    deps.log.error({ err: safeError(err, deps.redact) }, 'telegram update failed');
  }
}
