// Email as a DeliveryChannel of the one send loop (send-loop.ts): a row is one mail, built from
// the digest's shared content (cached per digest) and the recipient's links and name, sent
// through the process's transport; rows are claimed in batches, and a hard bounce suppresses
// the address.
import type { DeliveryRow } from '../store/schema.js';
import type { EmailChannel, EmailContent, EmailDelivery } from './channel.js';
import { type DeliveryChannel, runSendLoop, type SendLoopDeps, type SendOptions, type SendProgress } from './send-loop.js';

export interface SendDeps extends SendLoopDeps {
  email: EmailChannel;
  /** What every recipient of a digest shares (cached by the caller per digest). */
  contentFor: (digestId: number) => Promise<EmailContent>;
  /** Per-recipient links and name for a claimed row. */
  deliveryFor: (row: DeliveryRow, subscriber: { name: string | null }) => EmailDelivery;
}

export function emailDelivery(deps: Pick<SendDeps, 'email' | 'contentFor' | 'deliveryFor'>): DeliveryChannel {
  return {
    name: 'email',
    claimLimit: (concurrency) => Math.max(concurrency * 8, 64),
    // Lanes mostly wait on SMTP replies: letting a few marks gather costs nothing.
    markGather: (concurrency) => ({ ms: 2, batch: Math.max(1, concurrency >> 1) }),
    hardBounce: { status: 'bounced', suppress: true },
    async send(row, { name }) {
      const content = await deps.contentFor(row.digest_id);
      await deps.email.send(content, deps.deliveryFor(row, { name }));
    },
  };
}

/** Sends every due email row (of one digest, when given) and returns the tallies. */
export function sendPending(deps: SendDeps, opts: SendOptions): Promise<SendProgress> {
  return runSendLoop(deps, emailDelivery(deps), opts);
}
