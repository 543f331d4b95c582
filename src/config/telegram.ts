// The Telegram part of the config: the bot token and webhook secret (both secrets: never in an
// error or a log line), where the Bot API is (a self-hosted Bot API server, or the test
// emulator), how updates arrive, and who may run admin commands.

export type TelegramMode = 'polling' | 'webhook';

export interface TelegramConfig {
  /** TELEGRAM_BOT_TOKEN (secret); unset: no bot and no Telegram delivery. */
  botToken: string | undefined;
  /** Bot API root without a trailing slash, e.g. https://api.telegram.org. */
  apiRoot: string;
  mode: TelegramMode;
  /** TELEGRAM_WEBHOOK_SECRET (secret): what Telegram sends as X-Telegram-Bot-Api-Secret-Token. */
  webhookSecret: string | undefined;
  /** Telegram user ids allowed to run admin commands. */
  adminIds: readonly number[];
}

/** The parsed variables telegramSettings reads (a slice of the config schema's output). */
export interface TelegramEnv {
  TELEGRAM_BOT_TOKEN?: string | undefined;
  TELEGRAM_API_ROOT: string;
  TELEGRAM_MODE: TelegramMode;
  TELEGRAM_WEBHOOK_SECRET?: string | undefined;
  TELEGRAM_ADMIN_IDS: number[];
}

export const DEFAULT_API_ROOT = 'https://api.telegram.org';

/** What @BotFather hands out: "<bot id>:<35 or so letters, digits, - and _>". */
export function isBotToken(s: string): boolean {
  return /^\d{1,20}:[A-Za-z0-9_-]{20,100}$/.test(s);
}

/** Telegram's rule for secret_token (setWebhook): 1–256 of A-Z a-z 0-9 _ -; we ask for 16 at least. */
export function isWebhookSecret(s: string): boolean {
  return /^[A-Za-z0-9_-]{16,256}$/.test(s);
}

export function isApiRoot(s: string): boolean {
  try {
    const url = new URL(s);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && !url.search && !url.hash;
  } catch {
    return false;
  }
}

/** Comma-separated numeric ids: "12345, 67890". */
export function isIdList(s: string): boolean {
  return s.split(',').every((x) => x.trim() === '' || /^[1-9]\d{0,19}$/.test(x.trim()));
}

export function parseIdList(s: string): number[] {
  return [
    ...new Set(
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .map(Number),
    ),
  ];
}

export function telegramSettings(e: TelegramEnv, fail: (problem: string) => never): TelegramConfig {
  if (e.TELEGRAM_MODE === 'webhook') {
    if (!e.TELEGRAM_BOT_TOKEN) fail('TELEGRAM_BOT_TOKEN: expected a bot token when TELEGRAM_MODE=webhook');
    if (!e.TELEGRAM_WEBHOOK_SECRET)
      fail('TELEGRAM_WEBHOOK_SECRET: expected a secret (16+ of A-Z a-z 0-9 _ -) when TELEGRAM_MODE=webhook, e.g. `openssl rand -hex 32`');
  }
  return {
    botToken: e.TELEGRAM_BOT_TOKEN,
    apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
    mode: e.TELEGRAM_MODE,
    webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
    adminIds: e.TELEGRAM_ADMIN_IDS,
  };
}

export function redactedTelegram(t: TelegramConfig): Record<string, unknown> {
  return { ...t, botToken: t.botToken === undefined ? undefined : '<redacted>', webhookSecret: t.webhookSecret === undefined ? undefined : '<redacted>' };
}
