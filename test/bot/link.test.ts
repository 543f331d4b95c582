// Connecting an email subscription and a Telegram chat: the preferences page's signed deep link
// ("/start link-…") connects the chat that opens it; a Telegram-only subscriber of that chat is
// merged in; forged, expired or foreign links do nothing; /unlink undoes it.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { LINK_TTL_MS, linkPayload, linkUrl } from '../../src/bot/link.js';
import { buildServer } from '../../src/http/server.js';
import { findSubscriberByChat } from '../../src/store/bot.js';
import { getSubscriber, listSubscriptionsOf, subscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { ALICE, type Harness, WANG, say, startHarness } from './harness.js';

forEachDialect('bot account linking', (dialect) => {
  let store: TestStore;
  let h: Harness;
  let emailSubscriber: number;

  beforeEach(async () => {
    store = await dialect.open();
    h = await startHarness(store);
    const now = new Date();
    emailSubscriber = (await upsertSubscriber(store.db, { email: 'alice@example.org' }, now)).id;
    await subscribe(
      store.db,
      { subscriberId: emailSubscriber, newsletterId: h.daily.id, channel: 'email', status: 'active', consent: { source: 'form' } },
      now,
    );
  });
  afterEach(async () => {
    await h.stop();
    await store.close();
  });

  it('connects the chat that opens the link, merging its Telegram-only subscriptions', async () => {
    await say(h, ALICE, '/subscribe china');
    const telegramOnly = (await findSubscriberByChat(store.db, String(ALICE.id)))!;
    const url = linkUrl('tidings_test_bot', h.deps.tokens, emailSubscriber, new Date());
    expect(url).toMatch(/^https:\/\/t\.me\/tidings_test_bot\?start=link-[A-Za-z0-9_-]+$/);
    const payload = new URL(url).searchParams.get('start')!;
    expect(payload.length).toBeLessThanOrEqual(64);

    expect(await say(h, ALICE, `/start ${payload}`)).toBe('Connected: this chat now belongs to the subscription of alice@example.org.');
    expect((await getSubscriber(store.db, emailSubscriber))!.telegram_chat_id).toBe(String(ALICE.id));
    expect(await getSubscriber(store.db, telegramOnly.id)).toBeUndefined();
    const subs = (await listSubscriptionsOf(store.db, emailSubscriber)).map((s) => [s.newsletter_id, s.channel, s.status]);
    expect(subs).toEqual([
      [h.daily.id, 'email', 'active'],
      [h.china.id, 'telegram', 'active'],
    ]);
    // The chat now acts as that subscriber: subscribing from it adds to the same person.
    await say(h, ALICE, '/subscribe daily');
    expect((await listSubscriptionsOf(store.db, emailSubscriber)).map((s) => `${s.newsletter_id}/${s.channel}`)).toContain(`${h.daily.id}/telegram`);
    expect(await say(h, ALICE, `/start ${payload}`)).toContain('Connected');
    // Another chat cannot take a chat that belongs to an email address…
    const other = (await upsertSubscriber(store.db, { email: 'bob@example.org' }, new Date())).id;
    expect(await say(h, ALICE, `/start ${linkPayload(h.deps.tokens, other, new Date())}`)).toContain('already connected to another email address');

    expect(await say(h, ALICE, '/unlink')).toContain('no longer connected');
    expect((await getSubscriber(store.db, emailSubscriber))!.telegram_chat_id).toBeNull();
    const after = (await listSubscriptionsOf(store.db, emailSubscriber)).map((s) => [s.channel, s.status]);
    expect(after).toEqual([
      ['email', 'active'],
      ['telegram', 'unsubscribed'],
      ['telegram', 'unsubscribed'],
    ]);
    expect(await say(h, ALICE, '/unlink')).toContain('not connected');
  });

  it('the preferences page offers the link until the chat is connected', async () => {
    const app = buildServer({
      db: store.db,
      log: h.deps.log,
      now: () => new Date(),
      sender: { organization: 'Tidings Test', postalAddress: '1 Test Street', publicUrl: 'http://127.0.0.1' },
      subscribers: {
        tokens: h.deps.tokens,
        sendConfirmation: async () => {},
        confirmTokenMs: 3_600_000,
        telegramLink: (id, now) => linkUrl('tidings_test_bot', h.deps.tokens, id, now),
      },
    });
    try {
      const page = async () => (await app.inject({ method: 'GET', url: `/preferences?token=${h.deps.tokens.sign('preferences', emailSubscriber)}` })).body;
      const html = await page();
      expect(html).toContain('Connect Telegram');
      // The page escapes "=" in attributes as &#x3D;.
      const payload = /href="https:\/\/t\.me\/tidings_test_bot\?start(?:=|&#x3D;)(link-[A-Za-z0-9_-]+)"/.exec(html)?.[1];
      expect(payload).toBeDefined();
      expect(await say(h, ALICE, `/start ${payload}`)).toContain('alice@example.org');
      expect(await page()).not.toContain('Connect Telegram');
    } finally {
      await app.close();
    }
  });

  it('ignores forged, tampered and expired links', async () => {
    const good = linkPayload(h.deps.tokens, emailSubscriber, new Date());
    // A character inside the MAC (the last one carries padding bits a decoder may ignore).
    const k = good.length - 6;
    const tampered = `${good.slice(0, k)}${good[k] === 'A' ? 'B' : 'A'}${good.slice(k + 1)}`;
    const expired = linkPayload(h.deps.tokens, emailSubscriber, new Date(Date.now() - LINK_TTL_MS - 60_000));
    for (const payload of ['link-', 'link-abc', tampered, expired]) {
      expect(await say(h, WANG, `/start ${payload}`)).toContain('链接无效或已过期');
    }
    expect((await getSubscriber(store.db, emailSubscriber))!.telegram_chat_id).toBeNull();
    expect(await say(h, ALICE, '/link alice@example.org')).toContain('Nothing is sent by email from here');
  });
});
