// The one way Tidings talks HTTP. Every source URL is hostile until proven otherwise, so each
// request runs under: scheme and address checks (before connecting, after DNS, on every
// redirect hop), a total deadline, an idle timeout, a decoded-size cap and a per-host limit.
import type { Dispatcher } from 'undici';
import { parseAllowList, refuseHost } from './address-guard.js';
import { ACCEPT_ENCODING, readBody } from './body.js';
import { guardedConnector, systemResolve } from './connector.js';
import { Agent, request } from './undici-parts.js';
import { parseRetryAfter, redactUrl, toFetchError } from './fetch-errors.js';
import { createHostLimiter } from './limiter.js';
import { FetchError, type FetchRequest, type FetchResult, type Fetcher, type FetcherOptions } from './types.js';

export const DEFAULT_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.8, */*;q=0.5';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Bytes of an unwanted body (redirect, error page) read so the connection can be reused. */
const DUMP_LIMIT = 64 * 1024;

function validate(opts: FetcherOptions): void {
  const positive = ['timeoutMs', 'idleTimeoutMs', 'maxBytes', 'perHostConcurrency'] as const;
  for (const key of positive) {
    if (!(Number.isFinite(opts[key]) && opts[key] > 0)) throw new Error(`fetcher option ${key} must be a positive number, got ${opts[key]}`);
  }
  if (!(Number.isInteger(opts.maxRedirects) && opts.maxRedirects >= 0)) {
    throw new Error(`fetcher option maxRedirects must be a whole number ≥ 0, got ${opts.maxRedirects}`);
  }
  if (!opts.userAgent.trim()) throw new Error('fetcher option userAgent must say who we are (e.g. "Tidings/0.1 (+https://…)")');
}

/** Parses and checks a URL given by a user or a Location header; throws a FetchError. */
function checkTarget(raw: string, base: URL | undefined, allow: ReturnType<typeof parseAllowList>): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new FetchError('bad-url', `"${redactUrl(raw)}" is not a valid URL`, redactUrl(raw));
  }
  const where = base ? ` (redirected from ${redactUrl(base)})` : '';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError('bad-scheme', `only http and https URLs are fetched, not ${url.protocol}${where}`, redactUrl(url));
  }
  // WHATWG parsing already turned 2130706433, 0x7f000001, 0177.0.0.1 and 127.1 into 127.0.0.1.
  const why = refuseHost(url.hostname, allow);
  if (why) throw new FetchError('blocked-address', why + where, redactUrl(url));
  return url;
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function basicAuth(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return `Basic ${Buffer.from(`${decode(url.username)}:${decode(url.password)}`).toString('base64')}`;
}

export interface FetcherMode {
  /**
   * A run that fetches each source once and exits (the CLI's ingest): a request that is the only
   * one for its host gets a connection of its own, closed with its response, so no per-host state
   * outlives its fetch; `close()` then drops whatever is left instead of waiting on it. A service
   * must keep the default: its next pass reuses the connections.
   */
  oneShot?: boolean;
}

export function createFetcher(opts: FetcherOptions, mode: FetcherMode = {}): Fetcher {
  validate(opts);
  const allow = parseAllowList(opts.allow);
  const limiter = createHostLimiter(opts.perHostConcurrency);
  const options = {
    // Every connection, from either agent, is opened by the guarded connector.
    connect: guardedConnector(allow, opts.lookup ?? systemResolve, opts.timeoutMs),
    // The total deadline normally fires first; this is the backstop if a timer is ever lost.
    headersTimeout: opts.timeoutMs + 1000,
    bodyTimeout: opts.idleTimeoutMs,
  };
  // One keep-alive agent for the process: connection reuse is most of the speed of a 304 pass.
  // The limiter already holds a host to perHostConcurrency requests; undici needs no more sockets.
  const agent = new Agent({ ...options, keepAliveTimeout: 10_000, connections: opts.perHostConcurrency });
  // A bare client per origin (no pool in front, no per-origin queue kept), gone at its disconnect.
  const single = mode.oneShot ? new Agent({ ...options, connections: 1, pipelining: 1 }) : undefined;

  async function fetchUrl(input: string, req: FetchRequest = {}): Promise<FetchResult> {
    let url = checkTarget(input, undefined, allow);
    let redirectedFrom: URL | undefined;
    // Credentials travel as a header (never in a URL we echo) and only to the origin they came with.
    const auth = basicAuth(url);
    const authOrigin = url.origin;
    const deadline = new AbortController();
    const signal = req.signal ? AbortSignal.any([req.signal, deadline.signal]) : deadline.signal;
    let timer: NodeJS.Timeout | undefined;
    const startDeadline = () => {
      // Time spent queued behind this host's other requests is not the server's fault.
      timer ??= setTimeout(() => {
        deadline.abort(new FetchError('timeout', `no complete response from ${url.host} within ${opts.timeoutMs} ms`, redactUrl(url)));
      }, opts.timeoutMs);
    };

    try {
      for (let redirects = 0; ; redirects++) {
        const release = await limiter.acquire(url.hostname, signal);
        startDeadline();
        try {
          const headers: Record<string, string> = {
            'user-agent': opts.userAgent,
            accept: req.accept ?? DEFAULT_ACCEPT,
            'accept-encoding': ACCEPT_ENCODING,
          };
          if (req.etag) headers['if-none-match'] = req.etag;
          if (req.lastModified) headers['if-modified-since'] = req.lastModified;
          if (auth && url.origin === authOrigin) headers.authorization = auth;
          const alone = single !== undefined && limiter.pending(url.hostname) === 1;
          const call = { origin: url.origin, path: url.pathname + url.search, method: 'GET' as const, headers, signal };
          // reset: undici sends `connection: close` and destroys the socket after the response.
          const res = alone ? await request(single, { ...call, reset: true }) : await request(agent, call);
          const { statusCode } = res;
          const location = header(res.headers, 'location');
          if (REDIRECTS.has(statusCode) && location) {
            await res.body.dump({ limit: DUMP_LIMIT });
            if (redirects >= opts.maxRedirects) {
              throw new FetchError('too-many-redirects', `too many redirects (more than ${opts.maxRedirects})`, redactUrl(url));
            }
            redirectedFrom = url;
            url = checkTarget(location, url, allow);
            continue;
          }
          const etag = header(res.headers, 'etag');
          const lastModified = header(res.headers, 'last-modified');
          if (statusCode === 304) {
            await res.body.dump({ limit: DUMP_LIMIT });
            return {
              status: 'not-modified',
              url: redactUrl(url),
              etag: etag ?? req.etag ?? undefined,
              lastModified: lastModified ?? req.lastModified ?? undefined,
            };
          }
          if (statusCode < 200 || statusCode > 299) {
            await res.body.dump({ limit: DUMP_LIMIT }).catch(() => {});
            const retryAfterMs = statusCode === 429 || statusCode === 503 ? parseRetryAfter(header(res.headers, 'retry-after')) : undefined;
            throw new FetchError('http-status', `${url.host} answered HTTP ${statusCode}`, redactUrl(url), statusCode, retryAfterMs);
          }
          const length = header(res.headers, 'content-length');
          const body = await readBody(res.body, {
            contentEncoding: header(res.headers, 'content-encoding'),
            contentLength: length && /^\d+$/.test(length) ? Number(length) : undefined,
            maxBytes: opts.maxBytes,
            url: redactUrl(url),
          });
          return { status: 'ok', url: redactUrl(url), httpStatus: statusCode, contentType: header(res.headers, 'content-type'), body, etag, lastModified };
        } finally {
          release();
        }
      }
    } catch (err) {
      if (deadline.signal.aborted && deadline.signal.reason instanceof FetchError) throw deadline.signal.reason;
      if (req.signal?.aborted) {
        throw new FetchError('network', `the fetch of ${redactUrl(url)} was cancelled`, redactUrl(url));
      }
      throw toFetchError(err, { url, redirectedFrom, idleTimeoutMs: opts.idleTimeoutMs });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    fetch: fetchUrl,
    close: async () => {
      if (!single) return agent.close();
      // Nothing of a finished one-shot run waits on these sockets; a graceful close of each costs
      // a round of events per host at exit.
      await Promise.all([agent.destroy(), single.destroy()]);
    },
  };
}
