// Small pieces every subscriber route shares: the deps they take, the language of a request,
// the link to the other language, and HTML replies.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { SenderInfo } from '../digest/model.js';
import { type Lang, negotiateLang } from '../i18n/index.js';
import type { Logger } from '../log.js';
import type { Database } from '../store/schema.js';
import type { SendConfirmation } from '../subscribers/confirm-mail.js';
import type { TokenSigner } from '../subscribers/tokens.js';
import { formValue } from './forms.js';

export const HTML = 'text/html; charset=utf-8';

export interface SubscribeLimits {
  /** Sign-up POSTs one IP may make per hour (in memory, per process); then a 429 page. */
  perIpPerHour: number;
  /** Sign-ups per address per hour (in memory) and confirmation mails per address per hour (in the database). */
  perAddressPerHour: number;
  /** At most one confirmation mail per subscription within this time. */
  confirmCooldownMs: number;
}

export const DEFAULT_LIMITS: SubscribeLimits = { perIpPerHour: 20, perAddressPerHour: 3, confirmCooldownMs: 10 * 60_000 };

/** What the subscriber pages need beside the archive's deps (see HttpDeps.subscribers). */
export interface SubscriberPagesOptions {
  tokens: TokenSigner;
  sendConfirmation: SendConfirmation;
  /** How long a confirm link works (config.delivery.confirmTokenMs). */
  confirmTokenMs: number;
  limits?: Partial<SubscribeLimits>;
  /** A t.me link connecting a Telegram chat to this subscriber (bot/link.ts); absent: not offered. */
  telegramLink?: (subscriberId: number, now: Date) => string | undefined;
}

export interface PageDeps extends SubscriberPagesOptions {
  db: Kysely<Database>;
  log: Logger;
  now: () => Date;
  sender: SenderInfo;
}

/** The page language: ?lang= or a form's lang field, else `preferred`, else Accept-Language. */
export function langOf(request: FastifyRequest, preferred?: string | null): Lang {
  const query = (request.query as Record<string, unknown> | undefined)?.lang;
  return negotiateLang({ explicit: query ?? formValue(request.body, 'lang'), preferred, acceptLanguage: request.headers['accept-language'] });
}

/** The GET address of `path` in the other language, keeping the given parameters (a token). */
export function switchHref(path: string, lang: Lang, params: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, v);
  search.set('lang', lang === 'zh' ? 'en' : 'zh');
  return `${path}?${search.toString()}`;
}

export function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type(HTML).send(body);
}

/** The token of a link: the query's, else the form's (one-click clients may post either). */
export function tokenOf(request: FastifyRequest, from: 'query-or-body' | 'body'): string | undefined {
  const query = (request.query as Record<string, unknown> | undefined)?.token;
  if (from === 'query-or-body' && typeof query === 'string' && query !== '') return query;
  return formValue(request.body, 'token');
}
