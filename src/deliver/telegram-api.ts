// A minimal Bot API client for delivery: POST JSON to `<apiRoot>/bot<token>/<method>` over a
// keep-alive pool. The token is part of every URL, so no URL ever leaves this file: errors carry
// the method and Telegram's description only, and anything foreign is passed through `redact`.
import { Agent, request } from 'undici';

/** Telegram answered `ok: false` (or an HTTP error without a JSON body). */
export class BotApiError extends Error {
  override readonly name = 'BotApiError';
  constructor(
    readonly method: string,
    readonly code: number,
    readonly description: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`${method}: ${code} ${description}`);
  }
}

/**
 * No answer. `uncertain`: the request may have reached Telegram (the connection broke or timed
 * out after it was written), so the message may have been delivered; otherwise it never left.
 */
export class BotApiNetworkError extends Error {
  override readonly name = 'BotApiNetworkError';
  constructor(
    readonly method: string,
    message: string,
    readonly uncertain: boolean,
  ) {
    super(`${method}: ${message}`);
  }
}

export interface BotApiClient {
  call<T = unknown>(method: string, params: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

export interface BotApiClientOptions {
  apiRoot: string;
  token: string;
  /** Per request, connect to last byte (default 30 s). */
  timeoutMs?: number;
  connections?: number;
}

// Failures before the request could have been written: safe to send again.
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

export function redactToken(text: string, token: string): string {
  return text
    .split(token)
    .join('<redacted>')
    .replace(/\/bot\d{1,20}:[A-Za-z0-9_-]+/g, '/bot<redacted>');
}

export function botApiClient(opts: BotApiClientOptions): BotApiClient {
  const timeout = opts.timeoutMs ?? 30_000;
  const agent = new Agent({
    connections: opts.connections ?? 64,
    keepAliveTimeout: 30_000,
    connectTimeout: Math.min(timeout, 10_000),
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const base = opts.apiRoot.replace(/\/+$/, '');
  const redact = (s: string) => redactToken(s, opts.token);
  return {
    async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
      let status: number;
      let text: string;
      try {
        const res = await request(`${base}/bot${opts.token}/${method}`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(params),
        });
        status = res.statusCode;
        text = await res.body.text();
      } catch (err) {
        throw networkError(method, err, redact);
      }
      let body: { ok?: boolean; result?: unknown; error_code?: number; description?: string; parameters?: { retry_after?: number } } | undefined;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (body?.ok === true && status < 300) return body.result as T;
      const retryAfter = body?.parameters?.retry_after;
      throw new BotApiError(
        method,
        body?.error_code ?? status,
        redact(body?.description ?? `HTTP ${status} without a Bot API reply`),
        typeof retryAfter === 'number' ? retryAfter * 1000 : undefined,
      );
    },
    close: () => agent.close(),
  };
}

function networkError(method: string, err: unknown, redact: (s: string) => string): BotApiNetworkError {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const message = redact(`${e.message ?? String(err)}${code ? ` (${code})` : ''}`);
  return new BotApiNetworkError(method, message, !(code && NOT_SENT.has(code)));
}
