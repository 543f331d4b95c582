// The bot token is part of every Bot API URL (https://api.telegram.org/bot<token>/sendMessage),
// so any error or debug line that mentions a URL can carry it: node-fetch's "request to … failed"
// messages, the stacks made from them, telegraf's debug output. Everything the bot logs or shows
// passes through a redactor first; telegraf's own redaction covers the message only.
import { createRequire } from 'node:module';
import { formatWithOptions } from 'node:util';
import type { Logger } from '../log.js';

export type Redactor = (text: string) => string;

// Anything shaped like a bot token inside a Bot API path, whoever's it is.
const TOKEN_IN_PATH = /\/(bot|user)\d{1,20}:[A-Za-z0-9_-]+/g;

/** Replaces each secret (as given, and percent-encoded as it appears in URLs) and any token-shaped path. */
export function redactor(secrets: readonly (string | undefined)[]): Redactor {
  const known = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4))].flatMap((s) => [s, encodeURIComponent(s)]);
  // Longest first, so a secret containing another is replaced whole.
  known.sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.replace(TOKEN_IN_PATH, '/$1<redacted>');
    for (const s of known) out = out.split(s).join('<redacted>');
    return out;
  };
}

export interface SafeError {
  type: string;
  message: string;
  stack?: string;
  code?: string | number;
}

/** A plain copy of an error that is safe to log or print: message, stack and code, redacted. */
export function safeError(err: unknown, redact: Redactor): SafeError {
  if (!(err instanceof Error)) return { type: typeof err, message: redact(String(err)) };
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    message: redact(err.message),
    ...(err.stack ? { stack: redact(err.stack) } : {}),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
  };
}

/** One line for a person: what went wrong, without internals or secrets. */
export function errorLine(err: unknown, redact: Redactor): string {
  return redact(err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

interface DebugModule {
  enable(namespaces: string): void;
  disable(): string;
  log: (...args: unknown[]) => void;
}

/**
 * telegraf logs through the `debug` package (DEBUG=telegraf:*), straight to stderr, with URLs
 * and error stacks that hold the token. Its output is sent through the redactor into our logger
 * (at debug level) instead; with `enable`, telegraf's namespaces are switched on as well.
 */
export function routeTelegrafDebug(log: Logger, redact: Redactor, opts: { enable: boolean }): void {
  // The `debug` instance telegraf itself loads, whatever the package layout.
  const fromTelegraf = createRequire(createRequire(import.meta.url).resolve('telegraf'));
  const debug = fromTelegraf('debug') as DebugModule;
  debug.log = (...args: unknown[]) => {
    log.debug({ telegraf: redact(formatWithOptions({ colors: false, breakLength: Number.POSITIVE_INFINITY }, ...args)) }, 'telegraf');
  };
  // Added to whatever DEBUG already turns on, not instead of it.
  if (opts.enable) debug.enable([process.env.DEBUG, 'telegraf:*'].filter(Boolean).join(','));
}
