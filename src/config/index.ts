// The only reader of process.env. One zod schema turns the environment into a frozen, typed
// Config; a bad value stops start-up naming the variable and what is expected — and for secrets,
// never the value itself.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { type LOG_LEVELS, schema } from './schema.js';
import { type EmailConfig, emailSettings, redactedEmail } from './email.js';
import { type AdminConfig, adminSettings, redactedAdmin } from './admin.js';
import { redactedTelegram, type TelegramConfig, telegramSettings } from './telegram.js';
import type { FetcherOptions } from '../sources/types.js';
import type { PacingLimits } from '../deliver/pacing.js';
import { VERSION } from './version.js';

export { VERSION };

/** Variables whose values must never appear in an error, a log line or a config dump. */
export const SECRET_VARS = new Set([
  'DATABASE_URL',
  'SMTP_URL',
  'TELEGRAM_BOT_TOKEN',
  'TIDINGS_SECRET',
  'LLM_API_KEY',
  'LLM_BASE_URL',
  'BOUNCE_WEBHOOK_SECRET',
  'DKIM_PRIVATE_KEY',
  'TELEGRAM_WEBHOOK_SECRET',
  'ADMIN_PASSWORD_HASH',
  'ADMIN_TOKEN',
  'METRICS_TOKEN',
]);

/** The OpenAI-compatible summarizer's settings, named as llmSummarizer takes them. */
export interface LlmConfig {
  baseUrl: string;
  model: string;
  apiKey: string | undefined;
  timeoutMs: number;
  /** Tokens one run may spend before the rest of its articles get extractive summaries. */
  maxTokensPerRun: number;
  maxRetries: number;
}

export type Env = Record<string, string | undefined>;

export interface Config {
  dataDir: string;
  databaseUrl: string;
  /** Unset: the service logs at info, CLI commands at warn (their output is for people). */
  logLevel: (typeof LOG_LEVELS)[number] | undefined;
  /** Exactly what the fetcher takes, minus the test-only DNS hook. */
  fetch: Omit<FetcherOptions, 'lookup'>;
  ingest: { concurrency: number; intervalMinutes: number; pauseAfter: number };
  /** The worker-thread pool for parsing, extraction and summarizing (src/work/pool.ts). */
  work: { size: number; taskTimeoutMs: number; maxHeapMb: number };
  sender: {
    organization: string;
    /** Required before anything is sent (issue 4); previews show a placeholder without it. */
    postalAddress: string | undefined;
    /** TIDINGS_PUBLIC_URL was set (not the local default): real sending needs it. */
    publicUrlConfigured: boolean;
    /** Where the web pages are reachable; defaults to the local HTTP address. */
    publicUrl: string;
  };
  /** A folder of the user's own templates (same file names as templates/); missing files fall back. */
  templatesDir: string | undefined;
  http: { host: string; port: number; trustProxy: boolean | string; allowInsecureAdmin: boolean };
  /** METRICS_TOKEN; absent: /metrics answers loopback clients only. */
  metricsToken: string | undefined;
  /** BOUNCE_WEBHOOK_SECRET; absent: no bounce webhook. */
  bounceWebhookSecret: string | undefined;
  /** TIDINGS_SECRET; absent: a generated key in the data folder (see subscribers/secret.ts). */
  secret: string | undefined;
  delivery: { concurrency: number; leaseMs: number; maxAttempts: number; softBounceLimit: number; confirmTokenMs: number };
  /** SMTP or the outbox, the sender, DKIM (see config-email.ts). */
  email: EmailConfig;
  /** The bot and the Telegram channel (see config-telegram.ts). */
  telegram: TelegramConfig;
  /** Telegram delivery: flood-limit pacing and how many chats are served at once. */
  telegramDelivery: { pacing: PacingLimits; concurrency: number };
  /** The admin web UI and API (see config-admin.ts). */
  admin: AdminConfig;
  summary: {
    sentences: number;
    /** Unset without LLM_BASE_URL: summaries are extractive. */
    llm: LlmConfig | undefined;
  };
}

const DEFAULT_UA = `Tidings/${VERSION} (newsletter digest bot; +https://github.com/tidings/tidings)`;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix these in .env or the environment (see .env.example).`);
  }
}

function describe(issue: z.core.$ZodIssue, env: Env): string {
  const name = String(issue.path[0] ?? '?');
  const raw = env[name];
  const shown = SECRET_VARS.has(name) ? '' : raw === undefined ? '' : ` (got ${JSON.stringify(raw.slice(0, 80))})`;
  let expected = issue.message;
  if (issue.code === 'invalid_value' && 'values' in issue) expected = `one of ${issue.values.join(', ')}`;
  return `${name}: expected ${expected.replace(/^Invalid input: expected /, '')}${shown}`;
}

/** Empty strings mean "unset", as in most .env files. */
function withoutEmpty(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
}

export function loadConfig(rawEnv: Env): Readonly<Config> {
  const env = withoutEmpty(rawEnv);
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => describe(i, env)));
  const e = parsed.data;
  if (e.LLM_BASE_URL && !e.LLM_MODEL) throw new ConfigError(['LLM_MODEL: expected a model name when LLM_BASE_URL is set (e.g. llama3.1:8b)']);
  const dataDir = path.resolve(e.TIDINGS_DATA_DIR);
  const config: Config = {
    dataDir,
    databaseUrl: e.DATABASE_URL ?? path.join(dataDir, 'tidings.db'),
    logLevel: e.LOG_LEVEL,
    fetch: {
      userAgent: e.FETCH_USER_AGENT ?? DEFAULT_UA,
      timeoutMs: e.FETCH_TIMEOUT_MS,
      idleTimeoutMs: e.FETCH_IDLE_TIMEOUT_MS,
      maxBytes: e.FETCH_MAX_BYTES,
      maxRedirects: e.FETCH_MAX_REDIRECTS,
      perHostConcurrency: e.FETCH_PER_HOST_CONCURRENCY,
      allow: e.FETCH_ALLOW,
    },
    ingest: { concurrency: e.INGEST_CONCURRENCY, intervalMinutes: e.SOURCE_INTERVAL_MINUTES, pauseAfter: e.SOURCE_PAUSE_AFTER },
    work: { size: e.WORK_POOL_SIZE ?? availableParallelism(), taskTimeoutMs: e.WORK_TASK_TIMEOUT_MS, maxHeapMb: e.WORK_MAX_HEAP_MB },
    sender: {
      organization: e.TIDINGS_ORGANIZATION,
      postalAddress: e.TIDINGS_POSTAL_ADDRESS,
      publicUrlConfigured: e.TIDINGS_PUBLIC_URL !== undefined,
      publicUrl: e.TIDINGS_PUBLIC_URL ?? `http://${e.HTTP_HOST.includes(':') ? `[${e.HTTP_HOST}]` : e.HTTP_HOST}:${e.HTTP_PORT}`,
    },
    templatesDir: e.TIDINGS_TEMPLATES_DIR ? path.resolve(e.TIDINGS_TEMPLATES_DIR) : undefined,
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, trustProxy: e.HTTP_TRUST_PROXY ?? false, allowInsecureAdmin: e.HTTP_ALLOW_INSECURE_ADMIN },
    metricsToken: e.METRICS_TOKEN,
    bounceWebhookSecret: e.BOUNCE_WEBHOOK_SECRET,
    secret: e.TIDINGS_SECRET,
    delivery: {
      concurrency: e.DELIVERY_CONCURRENCY,
      leaseMs: e.DELIVERY_LEASE_SECONDS * 1000,
      maxAttempts: e.DELIVERY_MAX_ATTEMPTS,
      softBounceLimit: e.SOFT_BOUNCE_LIMIT,
      confirmTokenMs: e.CONFIRM_TOKEN_HOURS * 3_600_000,
    },
    telegram: telegramSettings(e, (problem) => {
      throw new ConfigError([problem]);
    }),
    telegramDelivery: {
      pacing: {
        global: e.TELEGRAM_RATE_GLOBAL,
        windowMs: 1000,
        perChatMs: e.TELEGRAM_RATE_PER_CHAT_MS,
        group: e.TELEGRAM_RATE_GROUP_PER_MIN,
        groupWindowMs: 60_000,
      },
      concurrency: e.TELEGRAM_CONCURRENCY,
    },
    email: emailSettings(e, dataDir, (problem) => {
      throw new ConfigError([problem]);
    }),
    admin: adminSettings(e, (problem) => {
      throw new ConfigError([problem]);
    }),
    summary: {
      sentences: e.SUMMARY_SENTENCES,
      llm:
        e.LLM_BASE_URL && e.LLM_MODEL
          ? {
              baseUrl: e.LLM_BASE_URL,
              model: e.LLM_MODEL,
              apiKey: e.LLM_API_KEY,
              timeoutMs: e.LLM_TIMEOUT_MS,
              maxTokensPerRun: e.LLM_TOKEN_BUDGET,
              maxRetries: e.LLM_MAX_RETRIES,
            }
          : undefined,
    },
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): Readonly<T> {
  // Typed arrays (the password hash's bytes) cannot be frozen.
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The config as an admin may see it: secrets shown as <redacted>. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const databaseUrl = /^postgres/i.test(config.databaseUrl) ? '<redacted>' : config.databaseUrl;
  const llm = config.summary.llm;
  // The base URL without its query string, as the summarizer logs it; the key never.
  const summary = llm
    ? { ...config.summary, llm: { ...llm, baseUrl: redactedUrl(llm.baseUrl), apiKey: llm.apiKey === undefined ? undefined : '<redacted>' } }
    : config.summary;
  const bounceWebhookSecret = config.bounceWebhookSecret === undefined ? undefined : '<redacted>';
  const metricsToken = config.metricsToken === undefined ? undefined : '<redacted>';
  return {
    ...config,
    databaseUrl,
    summary,
    secret: config.secret === undefined ? undefined : '<redacted>',
    bounceWebhookSecret,
    metricsToken,
    email: redactedEmail(config.email),
    telegram: redactedTelegram(config.telegram),
    admin: redactedAdmin(config.admin),
  };
}

function redactedUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.origin}${url.pathname}${url.search || url.hash ? '?<redacted>' : ''}`;
}

/** Reads `.env` (if present; real environment variables win) and the process environment. */
export async function loadConfigFromProcess(): Promise<Readonly<Config>> {
  const dotenv = await import('dotenv');
  dotenv.config({ quiet: true });
  return loadConfig(process.env);
}
