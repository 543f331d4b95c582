// The SMTP channel: messages we build ourselves (mime.ts, already dot-stuffed), sent by Tidings'
// own pipelined SMTP client (smtp-client.ts) over a few long-lived connections. The client
// replaced nodemailer's pool on this path for a measured reason (see smtp-client.ts); nodemailer
// still signs DKIM (dkim.ts), over the un-stuffed message, exactly as the outbox writes it.
import type { Logger } from '../log.js';
import { DeliveryError, type EmailChannel, type EmailContent, type EmailDelivery, type SendOutcome } from './channel.js';
import type { DkimSigner } from './dkim.js';
import { buildMessage, messageChunks } from './mime.js';
import { type SmtpClientOptions, smtpClient } from './smtp-client.js';
import { deliveryError } from './smtp-errors.js';
import type { RateClock } from './smtp-pool.js';

export interface SmtpChannelOptions {
  /** smtp:// (STARTTLS when offered; required with a login or `?tls=required`) or smtps://, credentials in the URL; never logged. */
  url: string;
  /** Parallel SMTP connections (SMTP_POOL_CONNECTIONS). */
  connections: number;
  /** Messages per second across the pool (SMTP_RATE_PER_SECOND); 0 = unlimited. */
  ratePerSecond: number;
  /** Messages sent over one connection before it is replaced (default 100; some relays cap it). */
  messagesPerConnection?: number;
  dkim?: DkimSigner;
  log?: Logger;
  now?: () => Date;
  /** Socket inactivity and greeting/connect deadlines; a timeout is a transient failure. */
  timeoutMs?: number;
  /** SMTP_TLS_REJECT_UNAUTHORIZED: false accepts any certificate (a self-signed relay; unsafe). */
  rejectUnauthorized?: boolean;
  /** Extra trusted certificates (a private CA). */
  ca?: string | Buffer;
  /** Time for the rate limit (tests). */
  rateClock?: RateClock;
}

const DEFAULT_MESSAGES_PER_CONNECTION = 100;
const DEFAULT_TIMEOUT_MS = 60_000;

/** The client settings smtpChannel uses; exported so they can be checked without a server. */
export function clientOptions(opts: SmtpChannelOptions): SmtpClientOptions {
  return {
    url: opts.url,
    connections: opts.connections,
    ratePerSecond: opts.ratePerSecond,
    messagesPerConnection: opts.messagesPerConnection ?? DEFAULT_MESSAGES_PER_CONNECTION,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    rejectUnauthorized: opts.rejectUnauthorized ?? true,
    ca: opts.ca,
    clock: opts.rateClock,
  };
}

export function smtpChannel(opts: SmtpChannelOptions): EmailChannel {
  const client = smtpClient(clientOptions(opts));
  const now = opts.now ?? (() => new Date());
  let closed = false;

  return {
    name: 'email',
    async send(content: EmailContent, delivery: EmailDelivery): Promise<SendOutcome> {
      if (closed) throw new DeliveryError('the SMTP channel is closed', { permanent: false });
      let raw: (string | Buffer)[];
      let envelope: { from: string; to: string };
      try {
        const message = buildMessage(content, delivery, now());
        // DKIM signs the message as it is meant to arrive, before SMTP's dot-stuffing.
        raw = messageChunks(message, opts.dkim ? [opts.dkim(message)] : [], { dotStuffed: true });
        envelope = message.envelope;
      } catch (err) {
        // The same input builds the same way every time: retrying cannot help.
        throw new DeliveryError(`message not built: ${(err as Error).message}`, { permanent: true, cause: err });
      }
      try {
        return { response: await client.send(envelope, raw) };
      } catch (err) {
        const mapped = deliveryError(err, (err as { dataSent?: boolean }).dataSent === true);
        opts.log?.debug({ deliveryId: delivery.deliveryId, code: mapped.code, permanent: mapped.permanent, uncertain: mapped.uncertain }, 'smtp send failed');
        throw mapped;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
