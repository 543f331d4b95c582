// The SMTP channel: nodemailer's pooled transport sending messages we built ourselves (raw mode,
// explicit envelope), so nodemailer does no MIME work per recipient — it only speaks SMTP, with
// PIPELINING for the envelope, over a few long-lived connections.
import nodemailer from 'nodemailer';
import type { SMTPPoolOptions } from 'nodemailer/lib/smtp-pool';
import type { Logger } from '../log.js';
import { DeliveryError, type EmailChannel, type EmailContent, type EmailDelivery, type SendOutcome } from './channel.js';
import type { DkimSigner } from './dkim.js';
import { buildMessage, messageBytes } from './mime.js';
import { deliveryError } from './smtp-errors.js';

export interface SmtpChannelOptions {
  /** smtp:// (STARTTLS when offered) or smtps://, credentials in the URL; never logged. */
  url: string;
  /** Parallel SMTP connections (SMTP_POOL_CONNECTIONS). */
  connections: number;
  /** Messages per second across the pool (SMTP_RATE_PER_SECOND); 0 = unlimited. */
  ratePerSecond: number;
  /** Messages sent over one connection before it is replaced (default 100, as nodemailer; some relays cap it). */
  messagesPerConnection?: number;
  dkim?: DkimSigner;
  log?: Logger;
  now?: () => Date;
  /** Socket inactivity and greeting/connect deadlines; a timeout is a transient failure. */
  timeoutMs?: number;
}

const DEFAULT_MESSAGES_PER_CONNECTION = 100;
const DEFAULT_TIMEOUT_MS = 60_000;

/** The pool settings smtpChannel hands to nodemailer; exported so they can be checked without timing. */
export function poolOptions(opts: SmtpChannelOptions): SMTPPoolOptions & { pool: true } {
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    pool: true,
    url: opts.url,
    maxConnections: opts.connections,
    maxMessages: opts.messagesPerConnection ?? DEFAULT_MESSAGES_PER_CONNECTION,
    ...(opts.ratePerSecond > 0 ? { rateLimit: opts.ratePerSecond, rateDelta: 1000 } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // nodemailer's own logger would print envelopes; ours logs outcomes, never the URL.
    logger: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

interface Tracking {
  /** The whole message was read into the SMTP data stream. */
  dataSent: boolean;
}

export function smtpChannel(opts: SmtpChannelOptions): EmailChannel {
  const transport = nodemailer.createTransport(poolOptions(opts));
  const now = opts.now ?? (() => new Date());
  // Knowing whether the message had gone out when a connection broke is what makes a failure
  // "uncertain". A stream step sees each message's stream as it is handed to the connection.
  const tracking = new WeakMap<object, Tracking>();
  transport.use('stream', (mail, done) => {
    const state = tracking.get(mail.data.raw as object);
    if (state && mail.message) {
      mail.message.processFunc((input) => {
        input.once('end', () => {
          state.dataSent = true;
        });
        return input;
      });
    }
    done();
  });
  let closed = false;

  return {
    name: 'email',
    async send(content: EmailContent, delivery: EmailDelivery): Promise<SendOutcome> {
      if (closed) throw new DeliveryError('the SMTP channel is closed', { permanent: false });
      let raw: Buffer;
      let envelope: { from: string; to: string };
      try {
        const message = buildMessage(content, delivery, now());
        raw = messageBytes(message, opts.dkim ? [opts.dkim(message)] : []);
        envelope = message.envelope;
      } catch (err) {
        // The same input builds the same way every time: retrying cannot help.
        throw new DeliveryError(`message not built: ${(err as Error).message}`, { permanent: true, cause: err });
      }
      const state: Tracking = { dataSent: false };
      tracking.set(raw, state);
      try {
        const info = await transport.sendMail({ raw, envelope: { from: envelope.from, to: [envelope.to] } });
        return { response: String(info.response ?? '250 accepted') };
      } catch (err) {
        const mapped = deliveryError(err, state.dataSent);
        opts.log?.debug({ deliveryId: delivery.deliveryId, code: mapped.code, permanent: mapped.permanent, uncertain: mapped.uncertain }, 'smtp send failed');
        throw mapped;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      transport.close();
    },
  };
}
