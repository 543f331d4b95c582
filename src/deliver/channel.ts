// The delivery edge: one file per transport (email.ts, outbox.ts, telegram.ts). The ledger
// (store/deliveries.ts) says what to send and records what happened, the one send loop
// (send-loop.ts) drives every channel; a transport only sends one message and says how it went.
import type { RenderedEmail } from '../digest/personalize.js';
import type { Recipient } from '../digest/model.js';

export type ChannelName = 'email' | 'telegram';

/**
 * A send that did not succeed, saying which side failed and what to do next.
 * - permanent: retrying cannot help (SMTP 5xx, Telegram 403); the row fails and, where the
 *   address itself is bad, it is suppressed.
 * - retryAfterMs: the other side asked us to wait (SMTP 421/4xx with a hint, Telegram 429).
 * - uncertain: the message may have been accepted (connection lost after the data was sent);
 *   email retries with the same Message-ID, Telegram does not retry blindly.
 */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  readonly retryAfterMs: number | undefined;
  readonly uncertain: boolean;
  /** The remote reply code, when there was one (SMTP 550, HTTP 403 …). */
  readonly code: number | undefined;
  /** Suppress the address (hard bounce: no such user, blocked the bot …), not only fail this row. */
  readonly suppress: boolean;

  constructor(message: string, opts: { permanent: boolean; retryAfterMs?: number; uncertain?: boolean; code?: number; suppress?: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DeliveryError';
    this.permanent = opts.permanent;
    this.retryAfterMs = opts.retryAfterMs;
    this.uncertain = opts.uncertain ?? false;
    this.code = opts.code;
    this.suppress = opts.suppress ?? false;
  }
}

/** What every recipient of one digest shares; built once per digest by the caller. */
export interface EmailContent {
  digestId: number;
  /** The digest's rendered email, placeholders still in it (see digest/personalize.ts). */
  rendered: RenderedEmail;
  from: { name: string; address: string };
  /** List-Id value, e.g. `Industry News <industry-news.news.example.org>`. */
  listId: string;
}

/** One recipient of one digest. */
export interface EmailDelivery {
  deliveryId: number;
  to: string;
  /** Deterministic per (digest, subscriber): a resend after a crash reuses it. */
  messageId: string;
  recipient: Recipient;
  /** Optional mailto: for List-Unsubscribe, beside recipient.unsubscribeUrl (https). */
  unsubscribeMailto?: string;
}

export interface SendOutcome {
  /** The server's reply or the file written, for the ledger's log. */
  response: string;
}

export interface EmailChannel {
  readonly name: 'email';
  /** Resolves when the message was accepted; rejects with a DeliveryError otherwise. */
  send(content: EmailContent, delivery: EmailDelivery): Promise<SendOutcome>;
  close(): Promise<void>;
}
