// What a bounce or complaint does to a subscriber. Hard bounces and complaints suppress the
// address at once (complaints also end the subscriptions: the person said "stop"); soft bounces
// are counted, and enough of them within 30 days suppress it too. Providers retry webhooks, so
// an event with the provider's timestamp that was already recorded changes nothing the second time.
import type { Kysely } from 'kysely';
import { eventRecorded } from '../store/consent.js';
import { countEvents, recordEvent, suppress } from '../store/subscriber-events.js';
import { findSubscriberByEmail, listSubscriptionsOf, setChannelStatus, unsubscribe } from '../store/subscribers.js';
import type { Database, SubscriberEventType } from '../store/schema.js';
import type { BounceEvent } from './bounce-formats.js';

export const SOFT_BOUNCE_WINDOW_MS = 30 * 86_400_000;

export type BounceOutcome = 'applied' | 'duplicate' | 'unknown-address';

const EVENT_TYPE: Record<BounceEvent['type'], SubscriberEventType> = {
  'hard-bounce': 'bounce-hard',
  'soft-bounce': 'bounce-soft',
  complaint: 'complaint',
};

export async function applyBounce(db: Kysely<Database>, event: BounceEvent, opts: { now: Date; softBounceLimit: number }): Promise<BounceOutcome> {
  const { now } = opts;
  const subscriber = await findSubscriberByEmail(db, event.email);
  if (!subscriber) return 'unknown-address';
  // The provider's time, unless it claims the future.
  const at = event.at && event.at.getTime() <= now.getTime() ? event.at : now;
  const type = EVENT_TYPE[event.type];
  if (event.at) {
    const seen = await eventRecorded(db, { address: event.email, type, at });
    if (seen) return 'duplicate';
  }
  const base = { subscriberId: subscriber.id, address: event.email };
  await recordEvent(db, { ...base, type, detail: event.reason, now: at });

  if (event.type === 'complaint') {
    for (const s of await listSubscriptionsOf(db, subscriber.id)) {
      if (s.channel === 'email' && (s.status === 'active' || s.status === 'pending')) await unsubscribe(db, s.id, { source: 'complaint' }, now);
    }
    await suppress(db, { address: event.email, channel: 'email', reason: 'complaint', detail: event.reason }, now);
    return 'applied';
  }
  if (event.type === 'soft-bounce') {
    const count = await countEvents(db, { type: 'bounce-soft', address: event.email, since: new Date(now.getTime() - SOFT_BOUNCE_WINDOW_MS) });
    if (count < opts.softBounceLimit) return 'applied';
    const detail = `${count} soft bounces within 30 days; last: ${event.reason ?? 'no reason given'}`;
    if (await suppress(db, { address: event.email, channel: 'email', reason: 'soft-bounces', detail }, now)) {
      await recordEvent(db, { ...base, type: 'suppressed', detail: 'soft-bounces', now });
    }
  } else {
    await suppress(db, { address: event.email, channel: 'email', reason: 'hard-bounce', detail: event.reason }, now);
  }
  await setChannelStatus(db, subscriber.id, 'email', 'bounced', now);
  return 'applied';
}
