// Turning whatever went wrong below us (undici, sockets, DNS, zlib, our own guard) into a
// FetchError whose message a user can act on and which never repeats URL credentials.
import type { BlockedAddressError } from './connector.js';
import { FetchError } from './types.js';

/** The URL without user:password, for messages, logs and results. */
export function redactUrl(url: URL | string): string {
  if (typeof url === 'string') return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1');
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/** Retry-After (delta-seconds or an HTTP date) in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e && out.length < 5; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}

const NETWORK_HINTS: Record<string, string> = {
  ENOTFOUND: 'the hostname does not resolve (check the URL for typos)',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  ECONNREFUSED: 'the connection was refused (nothing listens on that port)',
  ECONNRESET: 'the server reset the connection',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_SOCKET: 'the server closed the connection unexpectedly',
  UND_ERR_HEADERS_OVERFLOW: 'the server sent oversized headers',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'the body did not match its Content-Length',
  HPE_INVALID_CONSTANT: 'the server did not speak valid HTTP',
  UND_ERR_CLOSED: 'the fetcher was already closed',
  UND_ERR_DESTROYED: 'the fetcher was already closed',
};

export interface ErrorContext {
  url: URL;
  /** The previous hop, when `url` came from a redirect. */
  redirectedFrom?: URL;
  idleTimeoutMs: number;
}

export function toFetchError(err: unknown, ctx: ErrorContext): FetchError {
  const url = redactUrl(ctx.url);
  const chain = causes(err);
  const own = chain.find((e): e is FetchError => e instanceof FetchError);
  if (own) return own;
  // By its code, not instanceof: importing connector.ts would load undici into every process
  // that only parses Retry-After (the LLM client, so every command's deps).
  const blocked = chain.find((e): e is BlockedAddressError => e instanceof Error && (e as { code?: unknown }).code === 'ERR_BLOCKED_ADDRESS');
  if (blocked) {
    const where = ctx.redirectedFrom ? ` (redirected from ${redactUrl(ctx.redirectedFrom)})` : '';
    return new FetchError('blocked-address', blocked.message + where, url);
  }
  const code = chain.map((e) => (e as { code?: unknown }).code).find((c): c is string => typeof c === 'string');
  const host = ctx.url.host;
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new FetchError('timeout', `${host} sent no data for ${ctx.idleTimeoutMs} ms in the middle of the response`, url);
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new FetchError('timeout', `connecting to ${host} timed out`, url);
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new FetchError('timeout', `${host} did not send response headers in time`, url);
  const hint = (code && NETWORK_HINTS[code]) ?? (err instanceof Error ? err.message : String(err));
  return new FetchError('network', `fetching from ${host} failed: ${hint}${code ? ` (${code})` : ''}`, url);
}
