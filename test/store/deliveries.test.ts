// The ledger on both dialects: rows for active, unsuppressed subscriptions only; leases that
// expire and are reclaimed with the same Message-ID; marks that only move rows still leased.
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  claimDeliveries,
  createDeliveries,
  deliveryCounts,
  markFailed,
  markRetry,
  markSent,
  markSuppressed,
  messageIdFor,
} from '../../src/store/deliveries.js';
import { claimDigest } from '../../src/store/digests.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { suppress } from '../../src/store/subscriber-events.js';
import { setKeywords, subscribe, unsubscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const T0 = new Date('2026-11-24T08:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

forEachDialect('deliveries ledger', (dialect) => {
  let store: TestStore;
  let newsletterId: number;
  let digestId: number;
  const subs: { subscriberId: number; subscriptionId: number }[] = [];

  beforeEach(async () => {
    store = await dialect.open();
    subs.length = 0;
    newsletterId = (await addNewsletter(store.db, { slug: 'n', name: 'N' }, T0)).id;
    digestId = (await claimDigest(store.db, newsletterId, T0, T0))!.id;
    for (let i = 0; i < 6; i++) {
      const p = await upsertSubscriber(store.db, { email: `r${i}@example.org`, name: `R${i}` }, T0);
      const { subscription } = await subscribe(
        store.db,
        { subscriberId: p.id, newsletterId, channel: 'email', status: i === 5 ? 'pending' : 'active', consent: { source: 'cli' } },
        T0,
      );
      subs.push({ subscriberId: p.id, subscriptionId: subscription.id });
    }
  });
  afterEach(async () => {
    await store.close();
  });

  it('writes one row per active, unsuppressed subscription, with a deterministic Message-ID, once', async () => {
    await suppress(store.db, { address: 'r1@example.org', channel: 'email', reason: 'hard-bounce' }, T0);
    await unsubscribe(store.db, subs[2]!.subscriptionId, { source: 'test' }, T0);
    await setKeywords(store.db, subs[3]!.subscriptionId, ['cotton'], T0);
    await setKeywords(store.db, subs[4]!.subscriptionId, ['polyester'], T0);
    const input = { digestId, newsletterId, domain: 'news.example.org', now: T0, matchesKeywords: (k: string[]) => k.includes('cotton') };
    expect(await createDeliveries(store.db, input)).toBe(2); // r0 and r3 (r4's keywords don't match, r5 is pending)
    expect(await createDeliveries(store.db, input)).toBe(0); // idempotent
    const rows = await store.db.selectFrom('deliveries').selectAll().orderBy('subscriber_id').execute();
    expect(rows.map((r) => r.address)).toEqual(['r0@example.org', 'r3@example.org']);
    expect(rows[0]).toMatchObject({
      state: 'pending',
      attempts: 0,
      channel: 'email',
      message_id: messageIdFor(digestId, subs[0]!.subscriberId, 'email', 'news.example.org'),
    });
    expect(rows[0]!.message_id).toBe(`<tidings.d${digestId}.s${subs[0]!.subscriberId}.email@news.example.org>`);
  });

  it('leases claimed rows; an expired lease is reclaimed (same Message-ID); marks move only leased rows', async () => {
    await createDeliveries(store.db, { digestId, newsletterId, domain: 'x.org', now: T0 });
    const opts = { channel: 'email' as const, limit: 3, leaseMs: 60_000, now: T0 };
    const first = await claimDeliveries(store.db, store.dialect, opts);
    expect(first.map((r) => r.state)).toEqual(['sending', 'sending', 'sending']);
    expect(first.every((r) => r.attempts === 1)).toBe(true);
    const second = await claimDeliveries(store.db, store.dialect, opts);
    expect(second).toHaveLength(2); // the rest; leased rows are not handed out twice
    expect(await claimDeliveries(store.db, store.dialect, opts)).toEqual([]);

    await markSent(store.db, [first[0]!.id], T0);
    await markRetry(store.db, first[1]!.id, '421 try later', later(5_000), T0);
    await markFailed(store.db, second[0]!.id, '550 no such user', T0);
    await markSuppressed(store.db, [second[1]!.id], 'unsubscribed', T0);
    // first[2] is "in flight" when its worker dies.
    expect(await deliveryCounts(store.db, { digestId })).toEqual({ pending: 1, sending: 1, sent: 1, failed: 1, suppressed: 1 });
    expect(await markSent(store.db, [first[0]!.id], T0)).toBe(0); // already sent: no second mark

    // Before the retry time and the lease end: nothing due.
    expect(await claimDeliveries(store.db, store.dialect, { ...opts, now: later(1_000) })).toEqual([]);
    const again = await claimDeliveries(store.db, store.dialect, { ...opts, now: later(61_000) });
    expect(again.map((r) => r.id).sort()).toEqual([first[1]!.id, first[2]!.id].sort());
    expect(again.find((r) => r.id === first[2]!.id)).toMatchObject({ attempts: 2, message_id: first[2]!.message_id });
    expect(again.find((r) => r.id === first[1]!.id)).toMatchObject({ attempts: 2, last_error: '421 try later' });
  });

  it('claims only the given digest when asked', async () => {
    await createDeliveries(store.db, { digestId, newsletterId, domain: 'x.org', now: T0 });
    const other = (await claimDigest(store.db, newsletterId, later(1), T0))!.id;
    await createDeliveries(store.db, { digestId: other, newsletterId, domain: 'x.org', now: T0 });
    const rows = await claimDeliveries(store.db, store.dialect, { channel: 'email', limit: 100, leaseMs: 1000, now: T0, digestId: other });
    expect(new Set(rows.map((r) => r.digest_id))).toEqual(new Set([other]));
    expect(rows).toHaveLength(5);
  });

  it('two workers claiming at once never get the same row', async () => {
    await createDeliveries(store.db, { digestId, newsletterId, domain: 'x.org', now: T0 });
    const other = store.replica();
    const opts = { channel: 'email' as const, limit: 2, leaseMs: 60_000, now: T0 };
    const [a, b, c] = await Promise.all([
      claimDeliveries(store.db, store.dialect, opts),
      claimDeliveries(other.db, store.dialect, opts),
      claimDeliveries(other.db, store.dialect, opts),
    ]);
    const ids = [...a, ...b, ...c].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(5);
  });
});
