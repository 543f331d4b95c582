// The environment as one zod schema: every variable Tidings reads, its type, range and default.
// config.ts turns the parsed result into the frozen Config and words the errors.
import { z } from 'zod';
import { isSmtpUrl } from './email.js';
import { DEFAULT_API_ROOT, isApiRoot, isBotToken, isIdList, isWebhookSecret, parseIdList } from './telegram.js';
import { isHostName, isMailAddress } from '../subscribers/address.js';
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .refine((s) => /^\d+$/.test(s) && Number(s) >= min && Number(s) <= max, `a whole number between ${min} and ${max}`)
    .transform(Number);

const TRUE = /^(true|1)$/i;
const FALSE = /^(false|0)$/i;
const bool = z
  .string()
  .trim()
  .refine((s) => TRUE.test(s) || FALSE.test(s), 'true or false')
  .transform((s) => TRUE.test(s));

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const schema = z.object({
  TIDINGS_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .min(1)
    .refine((s) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^postgres(ql)?:\/\//i.test(s), {
      message: 'a postgres:// URL, or a SQLite file path',
    })
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  FETCH_TIMEOUT_MS: int(100, 600_000).default(20_000),
  FETCH_IDLE_TIMEOUT_MS: int(100, 600_000).default(10_000),
  FETCH_MAX_BYTES: int(1024, 1024 ** 3).default(15 * 1024 * 1024),
  FETCH_MAX_REDIRECTS: int(0, 20).default(5),
  FETCH_PER_HOST_CONCURRENCY: int(1, 64).default(4),
  FETCH_ALLOW: list.default([]),
  FETCH_USER_AGENT: z.string().min(1).optional(),
  INGEST_CONCURRENCY: int(1, 256).default(32),
  SOURCE_INTERVAL_MINUTES: int(1, 10_080).default(60),
  SOURCE_PAUSE_AFTER: int(1, 1000).default(10),
  WORK_POOL_SIZE: int(1, 256).optional(),
  WORK_TASK_TIMEOUT_MS: int(100, 600_000).default(10_000),
  WORK_MAX_HEAP_MB: int(16, 65_536).default(512),
  TIDINGS_PUBLIC_URL: z
    .string()
    .refine((s) => /^https?:\/\/[^/\s]+/i.test(s), 'an http(s) URL such as https://news.example.org')
    .transform((s) => s.replace(/\/+$/, ''))
    .optional(),
  TIDINGS_ORGANIZATION: z.string().min(1).default('Tidings'),
  TIDINGS_POSTAL_ADDRESS: z.string().min(1).optional(),
  TIDINGS_TEMPLATES_DIR: z.string().min(1).optional(),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: int(0, 65535).default(8080),
  SUMMARY_SENTENCES: int(1, 20).default(3),
  // Never echoed in errors (SECRET_VARS): a base URL may carry a key in its query string.
  LLM_BASE_URL: z.string().trim().refine(isLlmBaseUrl, 'an http(s) URL without user:password, such as http://127.0.0.1:11434/v1').optional(),
  LLM_MODEL: z.string().trim().min(1).optional(),
  LLM_API_KEY: z.string().trim().min(1).optional(),
  LLM_TIMEOUT_MS: int(100, 600_000).default(60_000),
  LLM_TOKEN_BUDGET: int(0).default(200_000),
  LLM_MAX_RETRIES: int(0, 10).default(2),
  // Mail. Without SMTP_URL every message is written to <TIDINGS_DATA_DIR>/outbox as an .eml file.
  SMTP_URL: z.string().trim().refine(isSmtpUrl, 'an smtp:// or smtps:// URL such as smtps://user:password@smtp.example.org:465').optional(),
  SMTP_POOL_CONNECTIONS: int(1, 100).default(5),
  SMTP_RATE_PER_SECOND: int(0, 100_000).default(0),
  // false accepts any certificate from the relay (a self-signed one you control); unsafe elsewhere.
  SMTP_TLS_REJECT_UNAUTHORIZED: bool.default(true),
  MAIL_FROM: z.string().trim().refine(isMailAddress, 'a plain address such as news@example.org').optional(),
  MAIL_FROM_NAME: z.string().trim().min(1).optional(),
  DKIM_DOMAIN: z.string().trim().refine(isHostName, 'a domain name such as example.org').optional(),
  DKIM_SELECTOR: z.string().trim().refine(isHostName, 'a selector such as tidings2026').optional(),
  DKIM_PRIVATE_KEY: z.string().optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().trim().min(1).optional(),
  // Signs unsubscribe/confirm links; without it a random key is kept in the data folder.
  TIDINGS_SECRET: z
    .string()
    .refine((s) => Buffer.byteLength(s) >= 32, 'at least 32 bytes (e.g. `openssl rand -hex 32`)')
    .optional(),
  DELIVERY_CONCURRENCY: int(1, 256).default(8),
  DELIVERY_LEASE_SECONDS: int(10, 86_400).default(300),
  DELIVERY_MAX_ATTEMPTS: int(1, 100).default(8),
  SOFT_BOUNCE_LIMIT: int(1, 100).default(3),
  CONFIRM_TOKEN_HOURS: int(1, 24 * 90).default(72),
  // Guards POST /hooks/bounces; unset, the endpoint does not exist.
  BOUNCE_WEBHOOK_SECRET: z
    .string()
    .refine((s) => Buffer.byteLength(s) >= 16, 'at least 16 characters (e.g. `openssl rand -hex 16`)')
    .optional(),
  // Behind a reverse proxy: true (trust X-Forwarded-For from anyone) or the proxies' addresses.
  HTTP_TRUST_PROXY: z
    .string()
    .trim()
    .refine(
      (s) => TRUE.test(s) || FALSE.test(s) || /^[0-9a-f.:/]+(\s*,\s*[0-9a-f.:/]+)*$/i.test(s),
      'true, false, or comma-separated proxy addresses/CIDR ranges',
    )
    .transform((s) => (TRUE.test(s) ? true : FALSE.test(s) ? false : s))
    .optional(),
  // Telegram (config-telegram.ts). The token and the webhook secret are SECRET_VARS.
  TELEGRAM_BOT_TOKEN: z.string().trim().refine(isBotToken, 'a bot token from @BotFather, such as 123456789:AAE…').optional(),
  TELEGRAM_API_ROOT: z
    .string()
    .trim()
    .refine(isApiRoot, 'an http(s) URL without user:password or query, such as https://api.telegram.org')
    .default(DEFAULT_API_ROOT),
  TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
  TELEGRAM_WEBHOOK_SECRET: z.string().trim().refine(isWebhookSecret, '16 to 256 characters of A-Z a-z 0-9 _ - (e.g. `openssl rand -hex 32`)').optional(),
  TELEGRAM_ADMIN_IDS: z.string().refine(isIdList, 'comma-separated numeric Telegram user ids, such as 12345678,87654321').transform(parseIdList).default([]),
  // Telegram delivery pacing (deliver/pacing.ts): Telegram's flood limits, per sending process.
  TELEGRAM_RATE_GLOBAL: int(1, 1000).default(30),
  TELEGRAM_RATE_PER_CHAT_MS: int(0, 60_000).default(1000),
  TELEGRAM_RATE_GROUP_PER_MIN: int(1, 1000).default(20),
  TELEGRAM_CONCURRENCY: int(1, 1000).default(64),
  // The admin web UI and API (config-admin.ts). Both credentials are SECRET_VARS.
  ADMIN_PASSWORD_HASH: z.string().trim().optional(),
  ADMIN_TOKEN: z.string().trim().optional(),
  ADMIN_SESSION_HOURS: int(1, 24 * 30).default(12),
  // GET /metrics (src/ops): a bearer token for scrapers; unset, only loopback clients may read it. A SECRET_VAR.
  METRICS_TOKEN: z
    .string()
    .trim()
    .refine((s) => s.length >= 16, 'at least 16 characters (e.g. `openssl rand -hex 16`)')
    .optional(),
  // Admin logins over plain http:// to another machine are refused at start-up unless this is true.
  HTTP_ALLOW_INSECURE_ADMIN: bool.default(false),
});

function isLlmBaseUrl(s: string): boolean {
  try {
    const url = new URL(s);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  } catch {
    return false;
  }
}
