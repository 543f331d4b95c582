// Settings that are each valid but together leave the service open: checked before `tidings
// start` binds anything. Errors stop the start, warnings are logged. Every line names the setting
// and what to do — never a value (a secret could be in any of them).
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { sessionOptions } from '../deliver/smtp-client.js';
import { SECRET_FILE } from '../subscribers/secret.js';

export interface StartupProblems {
  errors: string[];
  warnings: string[];
}

export interface StartupCheckOptions {
  /** The service's roles (a Set or a list); the web checks apply only with 'web'. */
  roles: Iterable<string>;
  /** The .env file to check (default: ./.env, where the config was read from). */
  envFile?: string;
  /** Default process.platform; file modes mean nothing on Windows. */
  platform?: NodeJS.Platform;
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOST.test(host.trim());
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return '';
  }
}

/** Permission bits for group and others, or undefined when the file is not there. */
function openBits(file: string): number | undefined {
  try {
    return statSync(file).mode & 0o077;
  } catch {
    return undefined;
  }
}

export function startupProblems(config: Readonly<Config>, opts: StartupCheckOptions): StartupProblems {
  const errors: string[] = [];
  const warnings: string[] = [];
  const web = [...opts.roles].includes('web');
  const adminCredentials = config.admin.passwordHash !== undefined || config.admin.token !== undefined;
  const exposed = !isLoopbackHost(config.http.host);

  if (config.telegram.mode === 'webhook' && !config.telegram.webhookSecret) {
    errors.push(
      'TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET: without it anyone could post fake updates to the bot. Make one with `openssl rand -hex 32`.',
    );
  }
  if (web && exposed && !adminCredentials) {
    errors.push(
      `HTTP_HOST is not a loopback address (the service is reachable from other machines), but neither ADMIN_PASSWORD_HASH nor ADMIN_TOKEN is set: the admin pages would be open to anyone. Set one (\`tidings admin password\` / \`tidings admin token\`) or listen on 127.0.0.1.`,
    );
  }
  if (web && adminCredentials && !config.http.allowInsecureAdmin) {
    const publicUrl = config.sender.publicUrl;
    if (/^http:/i.test(publicUrl) && !isLoopbackHost(hostOf(publicUrl))) {
      errors.push(
        'TIDINGS_PUBLIC_URL is http://, not https://, for a host other than this machine, and admin credentials are set: admin logins would cross the network in clear. Serve Tidings behind HTTPS and set TIDINGS_PUBLIC_URL=https://…, or set HTTP_ALLOW_INSECURE_ADMIN=true if the network is trusted.',
      );
    }
  }
  if (config.telegram.mode === 'webhook' && web && /^http:/i.test(config.sender.publicUrl)) {
    warnings.push('TELEGRAM_MODE=webhook with an http:// TIDINGS_PUBLIC_URL: Telegram only delivers webhooks to https:// URLs.');
  }
  if (config.http.trustProxy === true && exposed) {
    warnings.push(
      "HTTP_TRUST_PROXY=true while HTTP_HOST is reachable from other machines: any client can set X-Forwarded-For and dodge the rate limits. List your proxies' addresses instead.",
    );
  }

  if ((opts.platform ?? process.platform) !== 'win32') fileProblems(config, opts, errors, warnings);

  smtpProblems(config, errors, warnings);
  endpointProblems(config, warnings);
  reusedSecrets(config, errors);
  return { errors, warnings };
}

function fileProblems(config: Readonly<Config>, opts: StartupCheckOptions, errors: string[], warnings: string[]): void {
  const secretFile = path.join(config.dataDir, SECRET_FILE);
  if (config.secret === undefined && (openBits(secretFile) ?? 0) !== 0) {
    errors.push(`The generated link-signing key ${secretFile} can be read by other users of this machine: run \`chmod 600 ${secretFile}\`.`);
  }
  const envFile = path.resolve(opts.envFile ?? '.env');
  if ((openBits(envFile) ?? 0) & 0o044) {
    warnings.push(`${envFile} holds the settings, secrets included, and other users of this machine can read it: run \`chmod 600 ${envFile}\`.`);
  }
}

function smtpProblems(config: Readonly<Config>, errors: string[], warnings: string[]): void {
  const url = config.email.smtpUrl;
  if (!url) return;
  const s = sessionOptions({ url, timeoutMs: 1, rejectUnauthorized: config.email.tlsRejectUnauthorized });
  if (!s.auth || isLoopbackHost(s.host)) return;
  // The client refuses to log in without TLS (STARTTLS is then required): this only guards that rule.
  if (!s.secure && !s.requireTls) errors.push('SMTP_URL sends a password over smtp:// to another machine without TLS: use smtps:// or add ?tls=required.');
  if (!s.rejectUnauthorized) {
    warnings.push(
      "SMTP_TLS_REJECT_UNAUTHORIZED=false (or tls.rejectUnauthorized=false in SMTP_URL) with an SMTP login: anyone on the path can pose as the relay and read the password. Trust the relay's certificate instead.",
    );
  }
}

function endpointProblems(config: Readonly<Config>, warnings: string[]): void {
  const { apiRoot, botToken } = config.telegram;
  if (botToken && /^http:/i.test(apiRoot) && !isLoopbackHost(hostOf(apiRoot))) {
    warnings.push('TELEGRAM_API_ROOT is http:// on another machine: the bot token (part of every request URL) crosses the network in clear.');
  }
  const llm = config.summary.llm;
  if (llm?.apiKey && /^http:/i.test(llm.baseUrl) && !isLoopbackHost(hostOf(llm.baseUrl))) {
    warnings.push('LLM_API_KEY is sent to an http:// LLM_BASE_URL on another machine: the key crosses the network in clear.');
  }
  const db = config.databaseUrl;
  if (/^postgres/i.test(db) && !isLoopbackHost(hostOf(db)) && !/[?&](sslmode=(require|verify-ca|verify-full)|ssl=(true|1))\b/i.test(db)) {
    warnings.push(
      'DATABASE_URL reaches PostgreSQL on another machine without sslmode=require: the password and the data cross the network unencrypted, unless that network is private.',
    );
  }
}

/** One value guarding two doors: whoever holds the weaker one (a metrics scraper) holds both. */
function reusedSecrets(config: Readonly<Config>, errors: string[]): void {
  const named: [string, string | undefined][] = [
    ['ADMIN_TOKEN', config.admin.token],
    ['METRICS_TOKEN', config.metricsToken],
    ['BOUNCE_WEBHOOK_SECRET', config.bounceWebhookSecret],
    ['TELEGRAM_WEBHOOK_SECRET', config.telegram.webhookSecret],
    ['TIDINGS_SECRET', config.secret],
  ];
  const set = named.filter((n): n is [string, string] => n[1] !== undefined);
  for (let i = 0; i < set.length; i++) {
    for (let j = i + 1; j < set.length; j++) {
      if (set[i]![1] === set[j]![1]) errors.push(`${set[i]![0]} and ${set[j]![0]} have the same value: give each its own (\`openssl rand -hex 32\`).`);
    }
  }
}
