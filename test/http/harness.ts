// A server with the subscriber pages over a test store, a fake email channel that records what
// it is handed (and builds each message with the real MIME builder, so a confirmation mail that
// could not be sent fails here), and helpers to post forms the way browsers and mail clients do.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { EmailChannel, EmailContent, EmailDelivery } from '../../src/deliver/channel.js';
import { createDeliveries } from '../../src/store/deliveries.js';
import { buildMessage } from '../../src/deliver/mime.js';
import type { SenderInfo } from '../../src/digest/model.js';
import { personalize } from '../../src/digest/personalize.js';
import type { SubscribeLimits } from '../../src/http/page-kit.js';
import { buildServer } from '../../src/http/server.js';
import type { Logger } from '../../src/log.js';
import { silentLogger } from '../../src/log.js';
import { claimDigest } from '../../src/store/digests.js';
import type { Database } from '../../src/store/schema.js';
import { confirmationMailer } from '../../src/subscribers/confirm-mail.js';
import { type TokenSigner, tokenSigner } from '../../src/subscribers/tokens.js';

export const SENDER: SenderInfo = { organization: 'Cotton Growers', postalAddress: '12 Mill Street\nManchester', publicUrl: 'https://news.example.org' };
export const T0 = new Date('2026-11-24T08:00:00.000Z');
export const CONFIRM_MS = 72 * 3_600_000;
export const HOOK_SECRET = 'hook-secret-0123456789abcdef';

export interface SentMail {
  content: EmailContent;
  delivery: EmailDelivery;
  subject: string;
  html: string;
  text: string;
}

export function fakeEmailChannel(): EmailChannel & { sent: SentMail[] } {
  const sent: SentMail[] = [];
  return {
    name: 'email',
    sent,
    async send(content, delivery) {
      buildMessage(content, delivery, new Date());
      sent.push({ content, delivery, ...personalize(content.rendered, delivery.recipient) });
      return { response: '250 ok' };
    },
    async close() {},
  };
}

export interface Clock {
  now: Date;
  advance(ms: number): void;
}

export function clock(start = T0): Clock {
  const c = {
    now: start,
    advance(ms: number) {
      c.now = new Date(c.now.getTime() + ms);
    },
  };
  return c;
}

export const TOKENS: TokenSigner = tokenSigner(Buffer.alloc(32, 7));

export function pagesServer(opts: {
  db: Kysely<Database>;
  clock: Clock;
  channel: EmailChannel;
  limits?: Partial<SubscribeLimits>;
  log?: Logger;
  bounces?: boolean;
}): FastifyInstance {
  const now = () => opts.clock.now;
  const sendConfirmation = confirmationMailer({
    channel: opts.channel,
    from: { name: 'Cotton Growers', address: 'news@example.org' },
    sender: SENDER,
    domain: 'news.example.org',
    now,
  });
  return buildServer({
    db: opts.db,
    log: opts.log ?? silentLogger(),
    now,
    sender: SENDER,
    subscribers: { tokens: TOKENS, sendConfirmation, confirmTokenMs: CONFIRM_MS, limits: opts.limits },
    bounces: opts.bounces === false ? undefined : { secret: HOOK_SECRET, softBounceLimit: 3 },
  });
}

/** An urlencoded form body, repeated names allowed. */
export function urlencoded(fields: Record<string, string | string[]>): { payload: string; headers: Record<string, string> } {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  return { payload: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

/** A multipart/form-data body as browsers and mail clients send it (CRLF, quoted names). */
export function multipart(fields: Record<string, string>, boundary = '----tidingsBoundary7MA4YWxk'): { payload: string; headers: Record<string, string> } {
  let body = '';
  for (const [k, v] of Object.entries(fields)) body += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  body += `--${boundary}--\r\n`;
  return { payload: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** The confirm token inside a confirmation mail's link. */
export function tokenIn(text: string, path = '/confirm'): string {
  const m = new RegExp(`https://news\\.example\\.org${path}\\?token=([A-Za-z0-9_.%-]+)`).exec(text);
  if (!m) throw new Error(`no ${path} link in: ${text.slice(0, 300)}`);
  return decodeURIComponent(m[1]!);
}

/** A digest of the newsletter with its ledger written: how many rows it got. */
export async function ledgerFor(db: Kysely<Database>, newsletterId: number, slot: Date): Promise<{ digestId: number; rows: number }> {
  const claimed = await claimDigest(db, newsletterId, slot, slot);
  if (!claimed) throw new Error('slot already claimed');
  const rows = await createDeliveries(db, { digestId: claimed.id, newsletterId, domain: 'news.example.org', now: slot });
  return { digestId: claimed.id, rows };
}
