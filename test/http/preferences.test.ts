import type { FastifyInstance } from 'fastify';
import { parseHTML } from 'linkedom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKeywords } from '../../src/core/subscriptions.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { NewsletterRow, SubscriberRow } from '../../src/store/schema.js';
import { listEvents, suppressedAmong } from '../../src/store/subscriber-events.js';
import { listSubscriptionsOf, subscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { type Clock, clock, fakeEmailChannel, pagesServer, T0, TOKENS, tokenIn, urlencoded } from './harness.js';

describe('parseKeywords', () => {
  it('splits on commas (also Chinese ones), trims, drops markup characters and duplicates, and bounds the list', () => {
    expect(parseKeywords(' Cotton , yarn，棉花、cotton; <script>alert(1)</script>\nmill\u0000s ')).toEqual([
      'Cotton',
      'yarn',
      '棉花',
      'script alert 1 script',
      'mill s',
    ]);
    expect(parseKeywords('')).toEqual([]);
    const many = parseKeywords(Array.from({ length: 50 }, (_, i) => `word${i}`).join(','));
    expect(many).toHaveLength(20);
    expect(parseKeywords('x'.repeat(80))[0]).toHaveLength(50);
  });
});

forEachDialect('http preferences', (dialect) => {
  let store: TestStore;
  let app: FastifyInstance;
  let time: Clock;
  let channel: ReturnType<typeof fakeEmailChannel>;
  let cotton: NewsletterRow;
  let yarn: NewsletterRow;
  let wool: NewsletterRow;
  let ann: SubscriberRow;
  let token: string;

  beforeEach(async () => {
    store = await dialect.open();
    time = clock();
    channel = fakeEmailChannel();
    cotton = await addNewsletter(store.db, { slug: 'cotton', name: 'Cotton Daily', language: 'en' }, T0);
    yarn = await addNewsletter(store.db, { slug: 'yarn', name: 'Yarn Weekly', language: 'en' }, T0);
    wool = await addNewsletter(store.db, { slug: 'wool', name: 'Wool <News>', language: 'en' }, T0);
    ann = await upsertSubscriber(store.db, { email: 'ann@example.org', language: 'zh' }, T0);
    for (const n of [cotton, yarn])
      await subscribe(store.db, { subscriberId: ann.id, newsletterId: n.id, channel: 'email', status: 'active', consent: { source: 'cli' } }, T0);
    token = TOKENS.sign('preferences', ann.id);
    app = pagesServer({ db: store.db, clock: time, channel });
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  const subs = async () => listSubscriptionsOf(store.db, ann.id);
  const act = (fields: Record<string, string>, url = '/preferences') => app.inject({ method: 'POST', url, ...urlencoded({ token, ...fields }) });

  it('lists subscriptions with channel and status, and offers the other newsletters, in the subscriber language', async () => {
    const res = await app.inject({ method: 'GET', url: `/preferences?token=${token}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="zh"');
    expect(res.body).toContain('ann@example.org 的订阅');
    expect(res.body).toContain('Cotton Daily');
    expect(res.body).toContain('电子邮件 · 已订阅');
    expect(res.body).toContain('Wool &lt;News&gt;');
    const doc = parseHTML(res.body).document;
    for (const form of doc.querySelectorAll('form')) {
      expect(form.getAttribute('method')).toBe('post');
      expect(form.querySelector('input[name=token]')!.getAttribute('value')).toBe(token);
    }
    const en = await app.inject({ method: 'GET', url: `/preferences?token=${token}&lang=en` });
    expect(en.body).toContain('Subscriptions of ann@example.org');
  });

  it('saves keywords per subscription, bounded, with an event', async () => {
    const [first] = await subs();
    const res = await act({ action: 'keywords', subscription: String(first!.id), keywords: 'cotton prices, 棉花 , <b>' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('更改已保存。');
    expect(JSON.parse((await subs())[0]!.keywords)).toEqual(['cotton prices', '棉花', 'b']);
    expect(JSON.parse((await subs())[1]!.keywords)).toEqual([]);
    expect(await listEvents(store.db, { subscriptionId: first!.id, type: 'preferences' })).toHaveLength(1);
    expect(parseHTML(res.body).document.querySelector(`#kw${first!.id}`)!.getAttribute('value')).toBe('cotton prices, 棉花, b');
  });

  it('needs the token in the body: a POST with it only in the URL, or someone else’s subscription, changes nothing', async () => {
    const [first] = await subs();
    const noBody = await app.inject({
      method: 'POST',
      url: `/preferences?token=${token}`,
      ...urlencoded({ action: 'unsubscribe', subscription: String(first!.id) }),
    });
    expect(noBody.statusCode).toBe(400);
    const bob = await upsertSubscriber(store.db, { email: 'bob@example.org' }, T0);
    const { subscription: bobs } = await subscribe(
      store.db,
      { subscriberId: bob.id, newsletterId: cotton.id, channel: 'email', status: 'active', consent: { source: 'cli' } },
      T0,
    );
    expect((await act({ action: 'unsubscribe', subscription: String(bobs.id) })).statusCode).toBe(400);
    expect((await listSubscriptionsOf(store.db, bob.id))[0]!.status).toBe('active');
    const forged = await app.inject({
      method: 'POST',
      url: '/preferences',
      ...urlencoded({ token: TOKENS.sign('unsubscribe', ann.id), action: 'unsubscribe-all' }),
    });
    expect(forged.statusCode).toBe(400);
    expect((await subs()).map((s) => s.status)).toEqual(['active', 'active']);
  });

  it('leaves and rejoins one newsletter, and joins another', async () => {
    const [first] = await subs();
    await act({ action: 'unsubscribe', subscription: String(first!.id) });
    expect((await subs()).map((s) => s.status)).toEqual(['unsubscribed', 'active']);
    await act({ action: 'resubscribe', subscription: String(first!.id) });
    expect((await subs())[0]).toMatchObject({ status: 'active', consent_source: 'preferences' });
    const joined = await act({ action: 'subscribe', newsletter: String(wool.id) });
    expect(joined.statusCode).toBe(200);
    expect((await subs()).map((s) => [s.newsletter_id, s.status])).toEqual([
      [cotton.id, 'active'],
      [yarn.id, 'active'],
      [wool.id, 'active'],
    ]);
  });

  it('unsubscribe from everything ends all and suppresses the address; confirming a new sign-up lifts it', async () => {
    const res = await act({ action: 'unsubscribe-all' });
    expect(res.statusCode).toBe(200);
    expect((await subs()).map((s) => s.status)).toEqual(['unsubscribed', 'unsubscribed']);
    expect(await suppressedAmong(store.db, ['ann@example.org'])).toEqual(new Set(['ann@example.org']));

    await app.inject({ method: 'POST', url: '/subscribe', ...urlencoded({ email: 'ann@example.org', newsletter: 'wool' }) });
    expect(channel.sent).toHaveLength(1);
    const confirmed = await app.inject({ method: 'POST', url: '/confirm', ...urlencoded({ token: tokenIn(channel.sent[0]!.text) }) });
    expect(confirmed.statusCode).toBe(200);
    expect(await suppressedAmong(store.db, ['ann@example.org'])).toEqual(new Set());
  });

  it('a page without a token explains where the link is; a bad token gets the generic 400', async () => {
    const help = await app.inject({ method: 'GET', url: '/preferences' });
    expect(help.statusCode).toBe(200);
    expect(help.body).toContain('Manage preferences');
    expect((await app.inject({ method: 'GET', url: `/preferences?token=${TOKENS.sign('unsubscribe', ann.id)}` })).statusCode).toBe(400);
  });
});
