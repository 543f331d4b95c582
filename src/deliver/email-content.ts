// What the send loop needs per digest (the rendered email, List-Id, sender) and per row (links,
// name), loaded from the store once per digest however many recipients it has.
import type { Kysely } from 'kysely';
import { cachedLoader } from './cached-loader.js';
import { recipientLinks } from '../http/links.js';
import { digestForMail } from '../store/deliveries.js';
import type { Database, DeliveryRow } from '../store/schema.js';
import type { TokenSigner } from '../subscribers/tokens.js';
import type { EmailContent, EmailDelivery } from './channel.js';

export interface ContentOptions {
  from: { name: string; address: string };
  /** Host used in List-Id and Message-IDs. */
  domain: string;
}

/** Loads (and caches) the shared part of a digest's mails; refuses a digest that is not ready. */
export function emailContentLoader(db: Kysely<Database>, opts: ContentOptions): (digestId: number) => Promise<EmailContent> {
  return cachedLoader(async (digestId: number): Promise<EmailContent> => {
    const row = await digestForMail(db, digestId);
    if (row?.status !== 'ready' || row.html === null || row.text === null || row.subject === null) {
      throw new Error(`digest ${digestId} is not ready to send (status ${row?.status ?? 'missing'})`);
    }
    return {
      digestId,
      rendered: { subject: row.subject, preheader: row.preheader ?? '', html: row.html, text: row.text },
      from: opts.from,
      listId: `${row.name} <${row.slug}.${opts.domain}>`,
    };
  });
}

export function deliveryBuilder(tokens: TokenSigner, publicUrl: string): (row: DeliveryRow, subscriber: { name: string | null }) => EmailDelivery {
  return (row, subscriber) => ({
    deliveryId: row.id,
    to: row.address,
    messageId: row.message_id,
    recipient: { name: subscriber.name, ...recipientLinks(tokens, publicUrl, { subscriptionId: row.subscription_id, subscriberId: row.subscriber_id }) },
  });
}
