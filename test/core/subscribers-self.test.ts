// What subscribers do themselves, through the core: confirm, unsubscribe and change preferences,
// each with its consent event and one audit row by subscriber:<id>; and a chat's own
// subscriptions and links (core/telegram.ts), audited as the Telegram user.
import { beforeEach, expect, it } from 'vitest';
import type { CoreContext } from '../../src/core/context.js';
import { CoreError } from '../../src/core/errors.js';
import { addSubscriber } from '../../src/core/subscribers.js';
import { changePreferences, confirmSignUp, unsubscribeOne } from '../../src/core/subscriptions.js';
import { linkTelegram, setChatSubscription, unlinkTelegram } from '../../src/core/telegram.js';
import { silentLogger } from '../../src/log.js';
import { listAudit } from '../../src/store/bot.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { listEvents, suppress } from '../../src/store/subscriber-events.js';
import { getSubscription } from '../../src/store/subscribers.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { sharedStore } from './reset-store.js';

const clock = new Date('2026-11-24T06:00:00.000Z');

forEachDialect('core subscriptions', (dialect) => {
  const current = sharedStore(dialect, async (db) => {
    await addNewsletter(db, { slug: 'cotton', name: 'Cotton' }, clock);
    await addNewsletter(db, { slug: 'weekly', name: 'Weekly' }, clock);
  });
  let store: TestStore;
  beforeEach(() => {
    store = current();
  });
  const ctx = (actor: CoreContext['actor'] = 'cli'): CoreContext => ({ db: store.db, now: () => clock, log: silentLogger(), actor });
  const audits = async () => (await listAudit(store.db, { limit: 100 })).reverse().map((r) => [r.actor, r.action, Boolean(r.ok)]);

  it('confirms once, unsubscribes once, each audited as the subscriber beside its consent event', async () => {
    const { subscriber, results } = await addSubscriber(ctx(), { email: 'ann@example.org', newsletters: ['cotton'], pending: true });
    const id = results[0]!.subscriptionId;
    await suppress(store.db, { address: 'ann@example.org', channel: 'email', reason: 'unsubscribed-all' }, clock);
    expect(await confirmSignUp(ctx(), { subscriptionId: id, ip: '192.0.2.1' })).toBe('confirmed');
    expect(await confirmSignUp(ctx(), { subscriptionId: id })).toBe('already');
    expect(await confirmSignUp(ctx(), { subscriptionId: 999 })).toBe('gone');
    // Confirming with proof of the mailbox ends a past "unsubscribe from everything".
    expect(await store.db.selectFrom('suppressions').selectAll().execute()).toEqual([]);
    expect(await unsubscribeOne(ctx(), { subscriptionId: id, ip: '192.0.2.1', source: 'one-click' })).toBe('unsubscribed');
    expect(await unsubscribeOne(ctx(), { subscriptionId: id, source: 'page' })).toBe('already');
    expect((await listEvents(store.db, { subscriptionId: id })).map((e) => [e.type, e.ip])).toEqual([
      ['subscribe', null],
      ['confirm', '192.0.2.1'],
      ['unsubscribe', '192.0.2.1'],
    ]);
    const me = `subscriber:${subscriber.id}`;
    expect(await audits()).toEqual([
      ['cli', 'subscriber.add', true],
      [me, 'subscriber.confirm', true],
      [me, 'subscriber.unsubscribe', true],
    ]);
  });

  it('changes preferences: keywords, leave, rejoin, join another, everything; refuses what does not fit', async () => {
    const { subscriber, results } = await addSubscriber(ctx(), { email: 'ann@example.org', newsletters: ['cotton'] });
    const id = results[0]!.subscriptionId;
    const change = (c: Parameters<typeof changePreferences>[1]['change']) =>
      changePreferences(ctx(), { subscriberId: subscriber.id, ip: '192.0.2.9', change: c });
    await change({ action: 'keywords', subscriptionId: id, keywords: 'cotton prices, 棉花 , <b>' });
    expect((await getSubscription(store.db, id))!.keywords).toBe('["cotton prices","棉花","b"]');
    await change({ action: 'unsubscribe', subscriptionId: id });
    await expect(change({ action: 'keywords', subscriptionId: id, keywords: 'x' })).rejects.toBeInstanceOf(CoreError);
    await change({ action: 'resubscribe', subscriptionId: id });
    await change({ action: 'subscribe', newsletterId: 2 });
    await expect(change({ action: 'subscribe', newsletterId: 2 })).rejects.toMatchObject({ code: 'invalid' });
    await change({ action: 'unsubscribe-all' });
    const subs = await store.db.selectFrom('subscriptions').select(['status', 'consent_source']).orderBy('id').execute();
    expect(subs).toEqual([
      { status: 'unsubscribed', consent_source: 'preferences' },
      { status: 'unsubscribed', consent_source: 'preferences' },
    ]);
    expect(await store.db.selectFrom('suppressions').select('reason').execute()).toEqual([{ reason: 'unsubscribed-all' }]);
    const me = `subscriber:${subscriber.id}`;
    expect((await audits()).slice(1)).toEqual([
      [me, 'subscriber.preferences', true],
      [me, 'subscriber.unsubscribe', true],
      [me, 'subscriber.preferences', true],
      [me, 'subscriber.add', true],
      [me, 'subscriber.unsubscribe', true],
    ]);
  });

  it("a private chat's own subscriptions and its link to an email subscriber, audited as the Telegram user", async () => {
    const tg = ctx('telegram:42');
    expect((await setChatSubscription(tg, { chatId: '42', name: 'Ann', language: 'zh', newsletter: 'cotton', on: true })).outcome).toBe('subscribed');
    expect((await setChatSubscription(tg, { chatId: '42', newsletter: 'cotton', on: true })).outcome).toBe('alreadySubscribed');
    expect((await setChatSubscription(tg, { chatId: '42', newsletter: 'weekly', on: false })).outcome).toBe('notSubscribed');
    await expect(setChatSubscription(tg, { chatId: '42', newsletter: 'silk', on: true })).rejects.toMatchObject({ code: 'not_found' });
    const { subscriber } = await addSubscriber(ctx(), { email: 'ann@example.org', newsletters: ['weekly'] });
    expect(await linkTelegram(tg, { subscriberId: subscriber.id, chatId: '42' })).toBe('linked');
    expect(await linkTelegram(tg, { subscriberId: subscriber.id, chatId: '42' })).toBe('already');
    // The chat's subscription moved to the email subscriber.
    expect((await store.db.selectFrom('subscriptions').select(['subscriber_id', 'channel']).orderBy('id').execute()).map((s) => s.subscriber_id)).toEqual([
      subscriber.id,
      subscriber.id,
    ]);
    expect((await setChatSubscription(tg, { chatId: '42', newsletter: 'cotton', on: false })).outcome).toBe('unsubscribed');
    expect(await unlinkTelegram(tg, { chatId: '42' })).toBe(true);
    expect(await unlinkTelegram(tg, { chatId: '42' })).toBe(false);
    expect(await audits()).toEqual([
      ['telegram:42', 'subscriber.add', true],
      ['cli', 'subscriber.add', true],
      ['telegram:42', 'telegram.link', true],
      ['telegram:42', 'subscriber.unsubscribe', true],
      ['telegram:42', 'telegram.unlink', true],
    ]);
  });
});
