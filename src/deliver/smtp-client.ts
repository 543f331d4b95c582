// Tidings' own SMTP client for the send hot path: SMTP_URL → a pool of pipelined sessions with a
// rate limit. It replaced nodemailer's pooled transport there because that one spent most of its
// time in per-byte dot-stuffing streams and stream plumbing (bench `send_channel`: nodemailer's
// pool alone reached 0.10× of a raw pipelined client with one prebuilt message); our messages
// arrive built and dot-stuffed, so a send is two socket writes. nodemailer still signs DKIM.
import { type RateClock, SmtpPool, TokenBucket, realClock } from './smtp-pool.js';
import { type Envelope, type MessageBody, type SessionOptions, SmtpSession } from './smtp-session.js';

export interface SmtpClientOptions {
  /** smtp://[user:pass@]host[:587] (STARTTLS when offered) or smtps://…[:465]; `?tls=required` refuses plain text. */
  url: string;
  connections: number;
  /** Messages per second across the pool; 0 = unlimited. */
  ratePerSecond: number;
  /** Messages over one connection before it is replaced. */
  messagesPerConnection: number;
  /** Connect, greeting and reply deadlines. */
  timeoutMs: number;
  /** Verify the server's certificate (default true); false only for a self-signed relay you control. */
  rejectUnauthorized?: boolean;
  /** Extra trusted certificates (a private CA). */
  ca?: string | Buffer;
  /** The EHLO name (default: this machine's fully qualified name or address literal). */
  name?: string;
  clock?: RateClock;
}

export interface SmtpClient {
  /** Resolves with the server's final reply; rejects with an SmtpError (or a permanent DeliveryError). */
  send(envelope: Envelope, body: MessageBody): Promise<string>;
  close(): Promise<void>;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1)$/i;

/**
 * How to reach the server SMTP_URL names. A login is only sent over TLS — STARTTLS is then
 * required — except to a loopback address, where nothing crosses a network.
 */
export function sessionOptions(opts: Pick<SmtpClientOptions, 'url' | 'timeoutMs' | 'rejectUnauthorized' | 'ca' | 'name'>): SessionOptions {
  const url = new URL(opts.url);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('SMTP_URL: expected an smtp:// or smtps:// URL');
  const secure = url.protocol === 'smtps:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const auth = url.username || url.password ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined;
  const tls = url.searchParams.get('tls');
  // `tls.rejectUnauthorized=false` is how SMTP_URL said it before SMTP_TLS_REJECT_UNAUTHORIZED.
  const insecure = opts.rejectUnauthorized === false || url.searchParams.get('tls.rejectUnauthorized') === 'false';
  return {
    host,
    port: Number(url.port) || (secure ? 465 : 587),
    secure,
    requireTls: tls === 'required' || (auth !== undefined && !LOOPBACK.test(host)),
    auth,
    rejectUnauthorized: !insecure,
    ca: opts.ca,
    name: opts.name,
    timeoutMs: opts.timeoutMs,
  };
}

export function smtpClient(opts: SmtpClientOptions): SmtpClient {
  const session = sessionOptions(opts);
  const pool = new SmtpPool({
    connections: opts.connections,
    messagesPerConnection: opts.messagesPerConnection,
    open: () => SmtpSession.open(session),
  });
  const bucket = opts.ratePerSecond > 0 ? new TokenBucket(opts.ratePerSecond, opts.clock ?? realClock) : undefined;
  return {
    async send(envelope, body) {
      if (bucket) await bucket.take();
      return pool.send(envelope, body);
    },
    async close() {
      pool.close();
    },
  };
}
