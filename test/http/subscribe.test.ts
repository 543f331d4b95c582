import type { FastifyInstance } from 'fastify';
import { parseHTML } from 'linkedom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/digest/personalize.js';
import { CONTENT_SECURITY_POLICY } from '../../src/http/security.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { NewsletterRow } from '../../src/store/schema.js';
import { countEvents, listEvents, suppress } from '../../src/store/subscriber-events.js';
import { findSubscriberByEmail, listSubscriptionsOf, subscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { CONSENT_VERSION } from '../../src/i18n/index.js';
import { dialects, forEachDialect, type TestStore } from '../support/databases.js';
import { type Clock, clock, fakeEmailChannel, ledgerFor, pagesServer, T0, TOKENS, tokenIn, urlencoded } from './harness.js';

const dom = (html: string) => parseHTML(html).document;

forEachDialect('http subscribe and confirm', (dialect) => {
  let store: TestStore;
  let app: FastifyInstance;
  let time: Clock;
  let channel: ReturnType<typeof fakeEmailChannel>;
  let cotton: NewsletterRow;
  let yarn: NewsletterRow;

  beforeEach(async () => {
    store = await dialect.open();
    time = clock();
    channel = fakeEmailChannel();
    cotton = await addNewsletter(store.db, { slug: 'cotton', name: 'Cotton <Daily>', language: 'en' }, T0);
    yarn = await addNewsletter(store.db, { slug: 'yarn', name: '纱线周报', language: 'zh' }, T0);
    app = pagesServer({ db: store.db, clock: time, channel });
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  const post = (fields: Record<string, string | string[]>, opts: { ip?: string; url?: string; lang?: string } = {}) => {
    const body = urlencoded(fields);
    const headers = { ...body.headers, ...(opts.lang ? { 'accept-language': opts.lang } : {}) };
    return app.inject({ method: 'POST', url: opts.url ?? '/subscribe', remoteAddress: opts.ip ?? '203.0.113.5', payload: body.payload, headers });
  };
  const status = async (email: string) => {
    const s = await findSubscriberByEmail(store.db, email);
    return s ? (await listSubscriptionsOf(store.db, s.id)).map((x) => x.status) : [];
  };

  it('shows a form without scripts: email, name, honeypot, consent version, one box per newsletter', async () => {
    const res = await app.inject({ method: 'GET', url: '/subscribe', headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY.replace("form-action 'none'", "form-action 'self'"));
    const doc = dom(res.body);
    expect(doc.querySelector('form')!.getAttribute('method')).toBe('post');
    expect(doc.querySelector('form')!.getAttribute('action')).toBe('/subscribe');
    expect(doc.querySelector('input[name=email]')).not.toBeNull();
    expect(doc.querySelector('input[name=name]')).not.toBeNull();
    expect(doc.querySelector('input[name=website]')!.getAttribute('tabindex')).toBe('-1');
    expect(doc.querySelector('input[name=consent_version]')!.getAttribute('value')).toBe(CONSENT_VERSION);
    expect([...doc.querySelectorAll('input[name=newsletter]')].map((i) => i.getAttribute('value'))).toEqual(['cotton', 'yarn']);
    expect(res.body).toContain('Cotton &lt;Daily&gt;');
    expect(res.body).not.toContain('<script');
    expect(doc.querySelector('a[hreflang=zh]')!.getAttribute('href')).toBe('/subscribe?lang=zh');
  });

  it('speaks Chinese to a Chinese browser or newsletter, and ?lang= switches', async () => {
    const zh = await app.inject({ method: 'GET', url: '/subscribe', headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' } });
    expect(zh.body).toContain('<html lang="zh"');
    expect(zh.body).toContain('电子邮件地址');
    const own = await app.inject({ method: 'GET', url: '/n/yarn/subscribe' });
    expect(own.body).toContain('订阅 纱线周报');
    expect(dom(own.body).querySelector('input[name=newsletter]')!.getAttribute('type')).toBe('hidden');
    const en = await app.inject({ method: 'GET', url: '/n/yarn/subscribe?lang=en' });
    expect(en.body).toContain('Subscribe to 纱线周报');
    expect((await app.inject({ method: 'GET', url: '/n/nope/subscribe' })).statusCode).toBe(404);
  });

  it('double opt-in: pending, one mail, GET confirm changes nothing, POST confirm activates with a consent record', async () => {
    const res = await post({ email: ' Ann@Example.ORG ', name: 'Ann', newsletter: 'cotton', lang: 'en' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Check your inbox');
    expect(await status('ann@example.org')).toEqual(['pending']);
    const [sub] = await listSubscriptionsOf(store.db, (await findSubscriberByEmail(store.db, 'ann@example.org'))!.id);
    expect(sub).toMatchObject({
      consent_source: 'form',
      consent_version: CONSENT_VERSION,
      subscribe_ip: '203.0.113.5',
      subscribed_at: T0.toISOString(),
      confirmed_at: null,
    });

    expect(channel.sent).toHaveLength(1);
    const mail = channel.sent[0]!;
    expect(mail.delivery.to).toBe('ann@example.org');
    expect(mail.subject).toBe('Please confirm: Cotton <Daily>');
    expect(mail.text).toContain('Hello Ann,');
    expect(mail.html).toContain('Cotton &lt;Daily&gt;');
    const token = tokenIn(mail.text);
    expect(mail.html).toContain(escapeHtml(`https://news.example.org/confirm?token=${encodeURIComponent(token)}`));

    // A digest now skips them: pending is not subscribed.
    expect((await ledgerFor(store.db, cotton.id, new Date('2026-11-24T09:00:00.000Z'))).rows).toBe(0);

    for (let i = 0; i < 5; i++) {
      const page = await app.inject({ method: 'GET', url: `/confirm?token=${encodeURIComponent(token)}` });
      expect(page.statusCode).toBe(200);
      expect(dom(page.body).querySelector('form input[name=token]')!.getAttribute('value')).toBe(token);
    }
    expect(await status('ann@example.org')).toEqual(['pending']);
    expect(await listEvents(store.db, { subscriptionId: sub!.id, type: 'confirm' })).toHaveLength(0);

    time.advance(60_000);
    const done = await app.inject({ method: 'POST', url: '/confirm', remoteAddress: '198.51.100.7', ...urlencoded({ token }) });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Subscription confirmed');
    const [active] = await listSubscriptionsOf(store.db, sub!.subscriber_id);
    expect(active).toMatchObject({ status: 'active', confirm_ip: '198.51.100.7', confirmed_at: time.now.toISOString(), consent_version: CONSENT_VERSION });
    expect(await listEvents(store.db, { subscriptionId: sub!.id, type: 'confirm' })).toHaveLength(1);
    expect((await ledgerFor(store.db, cotton.id, new Date('2026-11-25T09:00:00.000Z'))).rows).toBe(1);

    // Used: the same generic refusal, and nothing recorded twice.
    const again = await app.inject({ method: 'POST', url: '/confirm', ...urlencoded({ token }) });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('This link is not valid');
    expect(await listEvents(store.db, { subscriptionId: sub!.id, type: 'confirm' })).toHaveLength(1);
  });

  it('refuses expired, forged and cross-purpose confirm tokens and changes nothing', async () => {
    await post({ email: 'bo@example.org', newsletter: 'cotton' });
    const token = tokenIn(channel.sent[0]!.text);
    const sub = (await listSubscriptionsOf(store.db, (await findSubscriberByEmail(store.db, 'bo@example.org'))!.id))[0]!;
    const bodies = new Set<string>();
    for (const bad of [`${token.slice(0, -2)}AA`, TOKENS.sign('unsubscribe', sub.id), TOKENS.sign('preferences', sub.subscriber_id), 'garbage', '']) {
      const res = await app.inject({ method: 'POST', url: '/confirm', ...urlencoded({ token: bad }) });
      expect(res.statusCode).toBe(400);
      bodies.add(res.body);
    }
    expect(bodies.size).toBe(1);
    time.advance(72 * 3_600_000 + 1000);
    expect((await app.inject({ method: 'GET', url: `/confirm?token=${token}` })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/confirm', ...urlencoded({ token }) })).statusCode).toBe(400);
    expect(await status('bo@example.org')).toEqual(['pending']);
  });

  it('several newsletters: one mail with one confirm link each, in the chosen language', async () => {
    await post({ email: 'cy@example.org', newsletter: ['cotton', 'yarn', 'unknown'], lang: 'zh' });
    expect(channel.sent).toHaveLength(1);
    const mail = channel.sent[0]!;
    expect(mail.subject).toBe('请确认订阅：Cotton <Daily>、纱线周报');
    expect(mail.text).toContain('您好：');
    expect(mail.text.match(/\/confirm\?token=/g)).toHaveLength(2);
    expect(await status('cy@example.org')).toEqual(['pending', 'pending']);
    expect((await findSubscriberByEmail(store.db, 'cy@example.org'))!.language).toBe('zh');
  });

  it('flooding one address sends one mail, in this process and across two', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => post({ email: 'flood@example.org', newsletter: 'cotton' })));
    const other = pagesServer({ db: store.replica().db, clock: time, channel });
    try {
      for (let i = 0; i < 5; i++)
        results.push(
          await other.inject({
            method: 'POST',
            url: '/subscribe',
            remoteAddress: `192.0.2.${i}`,
            ...urlencoded({ email: 'flood@example.org', newsletter: 'cotton' }),
          }),
        );
    } finally {
      await other.close();
    }
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((r) => r.body)).size).toBe(1);
    expect(channel.sent).toHaveLength(1);
    expect(await countEvents(store.db, { type: 'confirm-sent', address: 'flood@example.org', since: T0 })).toBe(1);

    // After the cooldown one more mail; the hourly cap per address holds across processes too.
    for (let i = 0; i < 4; i++) {
      time.advance(11 * 60_000);
      const fresh = pagesServer({ db: store.db, clock: time, channel });
      await fresh.inject({ method: 'POST', url: '/subscribe', ...urlencoded({ email: 'flood@example.org', newsletter: 'cotton' }) });
      await fresh.close();
    }
    expect(channel.sent).toHaveLength(3);
  });

  it('one IP gets the per-IP limit, then a 429 page', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 100; i++) codes.push((await post({ email: `user${i}@example.org`, newsletter: 'cotton' }, { ip: '198.51.100.99' })).statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(20);
    expect(codes.slice(20).every((c) => c === 429)).toBe(true);
    expect(channel.sent).toHaveLength(20);
    const limited = await post({ email: 'late@example.org', newsletter: 'cotton' }, { ip: '198.51.100.99' });
    expect(limited.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
    expect(limited.body).toContain('Too many requests');
    expect((await post({ email: 'late@example.org', newsletter: 'cotton' }, { ip: '198.51.100.100' })).statusCode).toBe(200);
  });

  it('a filled honeypot stores and sends nothing, behind the same page', async () => {
    const real = await post({ email: 'real@example.org', newsletter: 'cotton' });
    const bot = await post({ email: 'bot@example.org', newsletter: 'cotton', website: 'http://spam.example' });
    expect(bot.statusCode).toBe(200);
    expect(bot.body).toBe(real.body);
    expect(await findSubscriberByEmail(store.db, 'bot@example.org')).toBeUndefined();
    expect(channel.sent.map((m) => m.delivery.to)).toEqual(['real@example.org']);
  });

  it('tells nobody who is subscribed or suppressed, and renames nobody', async () => {
    const s = await upsertSubscriber(store.db, { email: 'old@example.org', name: 'Old Name' }, T0);
    await subscribe(store.db, { subscriberId: s.id, newsletterId: cotton.id, channel: 'email', status: 'active', consent: { source: 'cli' } }, T0);
    await suppress(store.db, { address: 'gone@example.org', channel: 'email', reason: 'hard-bounce' }, T0);
    const fresh = await post({ email: 'new@example.org', newsletter: 'cotton' });
    const known = await post({ email: 'old@example.org', name: 'Evil', newsletter: 'cotton' });
    const gone = await post({ email: 'gone@example.org', newsletter: 'cotton' });
    expect(new Set([fresh.body, known.body, gone.body]).size).toBe(1);
    expect(channel.sent.map((m) => m.delivery.to)).toEqual(['new@example.org']);
    expect((await findSubscriberByEmail(store.db, 'old@example.org'))!.name).toBe('Old Name');
    expect(await status('old@example.org')).toEqual(['active']);
  });

  it('shows the form again for an invalid address or no newsletter, storing nothing', async () => {
    const bad = await post({ email: 'not an address', name: '<b>x</b>', newsletter: 'cotton' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Please enter a valid email address');
    expect(bad.body).toContain('&lt;b&gt;x&lt;/b&gt;');
    const none = await post({ email: 'ok@example.org' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Please choose at least one newsletter');
    expect(await findSubscriberByEmail(store.db, 'ok@example.org')).toBeUndefined();
    expect(channel.sent).toHaveLength(0);
  });

  it("a newsletter's own form subscribes to that newsletter only", async () => {
    const res = await post({ email: 'zed@example.org', newsletter: 'cotton' }, { url: '/n/yarn/subscribe' });
    expect(res.body).toContain('请查收邮件');
    const sub = (await listSubscriptionsOf(store.db, (await findSubscriberByEmail(store.db, 'zed@example.org'))!.id))[0]!;
    expect(sub.newsletter_id).toBe(yarn.id);
  });
});

describe('confirmation mail failures', () => {
  it('a mail that could not be handed over frees the cooldown for the next attempt', async () => {
    const store = await dialects[0]!.open();
    const time = clock();
    await addNewsletter(store.db, { slug: 'cotton', name: 'Cotton' }, T0);
    let fail = true;
    const good = fakeEmailChannel();
    const flaky = {
      ...good,
      send: async (c: Parameters<typeof good.send>[0], d: Parameters<typeof good.send>[1]) => (fail ? Promise.reject(new Error('smtp down')) : good.send(c, d)),
    };
    const app = pagesServer({ db: store.db, clock: time, channel: flaky });
    try {
      await app.inject({ method: 'POST', url: '/subscribe', ...urlencoded({ email: 'x@example.org', newsletter: 'cotton' }) });
      await app.close(); // waits for the mail in flight and its release
      fail = false;
      const again = pagesServer({ db: store.db, clock: time, channel: flaky });
      await again.inject({ method: 'POST', url: '/subscribe', ...urlencoded({ email: 'x@example.org', newsletter: 'cotton' }) });
      await again.close();
      expect(good.sent).toHaveLength(1);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
