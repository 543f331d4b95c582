// The send loop over the ledger with a scripted channel: everyone once, nobody who left,
// transient failures retried later, permanent ones failed (and hard bounces suppressed).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DeliveryError, type EmailChannel, type EmailContent, type EmailDelivery } from '../../src/deliver/channel.js';
import { createDeliveries, deliveryCounts } from '../../src/store/deliveries.js';
import { sendPending } from '../../src/deliver/email-send.js';
import { retryDelayMs } from '../../src/deliver/send-loop.js';
import { silentLogger } from '../../src/log.js';
import { claimDigest } from '../../src/store/digests.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { listEvents, suppressedAmong } from '../../src/store/subscriber-events.js';
import { getSubscription, subscribe, unsubscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const T0 = new Date('2026-11-24T08:00:00.000Z');
const CONTENT: EmailContent = {
  digestId: 0,
  rendered: { subject: 'S', preheader: 'P', html: '<p>x</p>', text: 'x' },
  from: { name: 'News', address: 'news@example.org' },
  listId: 'N <n.example.org>',
};

function scriptedChannel(script: (to: string, n: number) => Error | null): EmailChannel & { sent: EmailDelivery[] } {
  const tries = new Map<string, number>();
  const sent: EmailDelivery[] = [];
  return {
    name: 'email',
    sent,
    async send(_content, d) {
      const n = (tries.get(d.to) ?? 0) + 1;
      tries.set(d.to, n);
      const err = script(d.to, n);
      if (err) throw err;
      sent.push(d);
      return { response: '250 ok' };
    },
    async close() {},
  };
}

forEachDialect('send loop', (dialect) => {
  let store: TestStore;
  let clock: Date;
  let digestId: number;
  let newsletterId: number;
  const subscriptions: number[] = [];

  beforeEach(async () => {
    store = await dialect.open();
    clock = T0;
    subscriptions.length = 0;
    newsletterId = (await addNewsletter(store.db, { slug: 'n', name: 'N' }, T0)).id;
    digestId = (await claimDigest(store.db, newsletterId, T0, T0))!.id;
    for (let i = 0; i < 30; i++) {
      const p = await upsertSubscriber(store.db, { email: `r${i}@example.org`, name: `R${i}` }, T0);
      subscriptions.push(
        (await subscribe(store.db, { subscriberId: p.id, newsletterId, channel: 'email', status: 'active', consent: { source: 'cli' } }, T0)).subscription.id,
      );
    }
    await createDeliveries(store.db, { digestId, newsletterId, domain: 'example.org', now: T0 });
  });
  afterEach(async () => {
    await store.close();
  });

  const deps = (email: EmailChannel) => ({
    db: store.db,
    dialect: store.dialect,
    email,
    log: silentLogger(),
    now: () => clock,
    contentFor: async () => CONTENT,
    deliveryFor: (row: { id: number; address: string; message_id: string }, s: { name: string | null }) => ({
      deliveryId: row.id,
      to: row.address,
      messageId: row.message_id,
      recipient: { name: s.name, unsubscribeUrl: `https://x/u/${row.id}`, preferencesUrl: `https://x/p/${row.id}` },
    }),
  });
  const opts = { concurrency: 4, leaseMs: 60_000, maxAttempts: 3 };

  it('sends to every subscriber once, with their own Message-ID and name, and marks each row', async () => {
    const email = scriptedChannel(() => null);
    const progress = await sendPending(deps(email), { ...opts, digestId });
    expect(progress).toEqual({ sent: 30, failed: 0, retried: 0, suppressed: 0 });
    expect(new Set(email.sent.map((d) => d.to)).size).toBe(30);
    expect(new Set(email.sent.map((d) => d.messageId)).size).toBe(30);
    expect(email.sent.find((d) => d.to === 'r7@example.org')!.recipient.name).toBe('R7');
    expect(await deliveryCounts(store.db, { digestId })).toMatchObject({ sent: 30, pending: 0, sending: 0 });
    // Nothing left: a second run sends nothing.
    expect((await sendPending(deps(email), opts)).sent).toBe(0);
  });

  it('someone who unsubscribes after the ledger was written gets nothing (row suppressed)', async () => {
    await unsubscribe(store.db, subscriptions[3]!, { source: 'one-click' }, T0);
    // And one whose address got suppressed by a bounce elsewhere, with the subscription still active.
    await store.db
      .insertInto('suppressions')
      .values({ address: 'r4@example.org', channel: 'email', reason: 'complaint', detail: null, created_at: T0.toISOString() })
      .execute();
    const email = scriptedChannel(() => null);
    const progress = await sendPending(deps(email), opts);
    expect(progress.sent).toBe(28);
    expect(progress.suppressed).toBe(1); // r4 at send time; r3 was already suppressed by unsubscribe()
    expect(email.sent.map((d) => d.to)).not.toContain('r3@example.org');
    expect(email.sent.map((d) => d.to)).not.toContain('r4@example.org');
    expect(await deliveryCounts(store.db, { digestId })).toMatchObject({ sent: 28, suppressed: 2 });
  });

  it('retries transient failures later, fails permanent ones, and suppresses hard bounces', async () => {
    const email = scriptedChannel((to, n) => {
      if (to === 'r1@example.org' && n === 1) return new DeliveryError('421 busy', { permanent: false, code: 421 });
      if (to === 'r2@example.org') return new DeliveryError('452 mailbox full', { permanent: false, code: 452 });
      if (to === 'r5@example.org') return new DeliveryError('550 no such user', { permanent: true, suppress: true, code: 550 });
      if (to === 'r6@example.org') return new DeliveryError('554 rejected: policy', { permanent: true, code: 554 });
      return null;
    });
    let progress = await sendPending(deps(email), opts);
    expect(progress).toEqual({ sent: 26, failed: 2, retried: 2, suppressed: 0 });
    expect(await suppressedAmong(store.db, ['r5@example.org', 'r6@example.org'])).toEqual(new Set(['r5@example.org']));
    expect((await getSubscription(store.db, subscriptions[5]!))!.status).toBe('bounced');
    expect((await listEvents(store.db, { address: 'r5@example.org' })).map((e) => e.type)).toEqual(['bounce-hard']);
    // Not due yet: nothing happens; after the backoff r1 goes, r2 fails again.
    expect((await sendPending(deps(email), opts)).sent).toBe(0);
    for (let round = 0; round < 3; round++) {
      clock = new Date(clock.getTime() + 2 * 3_600_000);
      progress = await sendPending(deps(email), opts);
    }
    expect(email.sent.filter((d) => d.to === 'r1@example.org')).toHaveLength(1);
    const r2 = await store.db.selectFrom('deliveries').selectAll().where('address', '=', 'r2@example.org').executeTakeFirstOrThrow();
    expect(r2).toMatchObject({ state: 'failed', attempts: 3, last_error: '452 mailbox full' });
    expect(await deliveryCounts(store.db, { digestId })).toMatchObject({ sent: 27, failed: 3, pending: 0, sending: 0 });
  });

  it('backs off 1, 2, 4 … minutes up to an hour, or as long as the server asked', () => {
    expect([1, 2, 3, 10].map((a) => retryDelayMs(a))).toEqual([60_000, 120_000, 240_000, 3_600_000]);
    expect(retryDelayMs(1, 30_000)).toBe(30_000);
  });
});
