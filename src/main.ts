// The composition root: one per process. Config and logger in, every adapter built here and only
// here, each at most once (the database, the fetcher, the worker pool, the email transport with
// its one rate limit, the Bot API client with its one pacer), and the delivery loop's wake-up
// shared by every front-end this process runs. The CLI, `tidings start` (whose --role picks the
// loops service/service.ts starts on this root) and the test replicas all come through
// createRoot; nothing else calls the builders in deps.ts.
import type { Config } from './config/index.js';
import type { EmailChannel } from './deliver/channel.js';
import type { TelegramSendDeps } from './deliver/telegram-send.js';
import type { BotApiClient } from './deliver/telegram-api.js';
import type { BuildDeps } from './digest/build.js';
import { type Deps, buildDeps, buildEmailChannel, digestDeps } from './deps.js';
import type { Logger } from './log.js';

export interface Root extends Deps {
  /** The process's email transport (SMTP pool or outbox), built at first use. */
  email(): EmailChannel;
  /** The process's Bot API client, or null without TELEGRAM_BOT_TOKEN. */
  botApi(): BotApiClient | null;
  /** The Telegram send loop's deps (one pacer for the whole process), or null without a token. */
  telegram(): TelegramSendDeps | null;
  /** How digests are built and their deliveries written. */
  build(): BuildDeps;
  /** New deliveries are queued: cut the idle wait of this process's delivery loops short. */
  wake(): void;
  /** A delivery loop listens for wake(); returns the unsubscribe. */
  onWake(listener: () => void): () => void;
}

export async function createRoot(config: Readonly<Config>, log: Logger, opts: { migrate?: boolean } = {}): Promise<Root> {
  const deps = await buildDeps(config, log, opts);
  // The Bot API client and the Telegram channel (undici, ~0.3 s to import on a busy machine) are
  // loaded only when a bot token is configured: without one, botApi() and telegram() are null.
  const tg = config.telegram.botToken ? await loadTelegram() : undefined;
  let email: EmailChannel | undefined;
  let api: BotApiClient | null | undefined;
  let telegram: TelegramSendDeps | null | undefined;
  const listeners = new Set<() => void>();
  const closeDeps = deps.close;
  const root: Root = Object.assign(deps, {
    email() {
      if (!email) {
        email = buildEmailChannel(config, log);
        // Once per process, whatever the number of front-ends sending through it.
        log.info(
          { smtp: Boolean(config.email.smtpUrl), connections: config.email.poolConnections, ratePerSecond: config.email.ratePerSecond },
          'email transport built',
        );
      }
      return email;
    },
    botApi() {
      const { botToken, apiRoot } = config.telegram;
      if (api === undefined)
        api = botToken && tg ? tg.botApiClient({ apiRoot, token: botToken, connections: config.telegramDelivery.pacing.global + 4 }) : null;
      return api;
    },
    telegram() {
      if (telegram === undefined) {
        const client = root.botApi();
        telegram =
          client && tg
            ? {
                db: deps.store.db,
                dialect: deps.store.dialect,
                channel: tg.telegramChannel({ api: client, pacer: new tg.Pacer(config.telegramDelivery.pacing), log }),
                log,
                now: () => root.now(),
                partsFor: tg.telegramPartsLoader(deps.store.db),
              }
            : null;
      }
      return telegram;
    },
    build: () => digestDeps(root),
    wake() {
      for (const listener of listeners) listener();
    },
    onWake(listener: () => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async close() {
      // The Telegram channel's close is its Bot API client's.
      await Promise.allSettled([email?.close(), api?.close()]);
      await closeDeps();
    },
  });
  return root;
}

async function loadTelegram() {
  const [{ botApiClient }, { Pacer }, { telegramChannel }, { telegramPartsLoader }] = await Promise.all([
    import('./deliver/telegram-api.js'),
    import('./deliver/pacing.js'),
    import('./deliver/telegram.js'),
    import('./deliver/telegram-send.js'),
  ]);
  return { botApiClient, Pacer, telegramChannel, telegramPartsLoader };
}
