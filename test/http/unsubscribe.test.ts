import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { parseHTML } from 'linkedom';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { unsubscribeUrl } from '../../src/http/links.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { NewsletterRow, SubscriptionRow } from '../../src/store/schema.js';
import { listEvents } from '../../src/store/subscriber-events.js';
import { getSubscription, subscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { type Clock, clock, fakeEmailChannel, ledgerFor, multipart, pagesServer, T0, TOKENS, urlencoded } from './harness.js';

const ONE_CLICK = { 'List-Unsubscribe': 'One-Click' };

forEachDialect('http unsubscribe', (dialect) => {
  let store: TestStore;
  let app: FastifyInstance;
  let time: Clock;
  let nl: NewsletterRow;

  beforeEach(async () => {
    store = await dialect.open();
    time = clock();
    nl = await addNewsletter(store.db, { slug: 'cotton', name: 'Cotton Daily', language: 'en' }, T0);
    app = pagesServer({ db: store.db, clock: time, channel: fakeEmailChannel() });
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  async function member(email: string, lang: 'en' | 'zh' = 'en'): Promise<{ sub: SubscriptionRow; token: string; path: string }> {
    const s = await upsertSubscriber(store.db, { email, language: lang }, T0);
    const { subscription } = await subscribe(
      store.db,
      { subscriberId: s.id, newsletterId: nl.id, channel: 'email', status: 'active', consent: { source: 'cli' } },
      T0,
    );
    const token = TOKENS.sign('unsubscribe', subscription.id);
    return {
      sub: subscription,
      token,
      path: new URL(unsubscribeUrl('https://news.example.org', token)).pathname + new URL(unsubscribeUrl('https://news.example.org', token)).search,
    };
  }
  const events = (id: number) => listEvents(store.db, { subscriptionId: id, type: 'unsubscribe' });

  it('GET shows a button and changes nothing, even five times', async () => {
    const { sub, path } = await member('ann@example.org');
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: 'GET', url: path });
      expect(res.statusCode).toBe(200);
      const form = parseHTML(res.body).document.querySelector('form')!;
      expect(form.getAttribute('method')).toBe('post');
      expect(form.getAttribute('action')).toBe(path);
    }
    expect((await getSubscription(store.db, sub.id))!.status).toBe('active');
    expect(await events(sub.id)).toHaveLength(0);
  });

  it('one-click POST (urlencoded): 200, no redirect, no cookie, unsubscribed before the answer, ledger row suppressed', async () => {
    const { sub, path } = await member('bo@example.org');
    const { digestId, rows } = await ledgerFor(store.db, nl.id, new Date('2026-11-24T09:00:00.000Z'));
    expect(rows).toBe(1);
    const res = await app.inject({ method: 'POST', url: path, ...urlencoded(ONE_CLICK) });
    expect(res.statusCode).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('You are unsubscribed');
    expect(res.body.length).toBeLessThan(3000);
    expect((await getSubscription(store.db, sub.id))!.status).toBe('unsubscribed');
    const row = await store.db.selectFrom('deliveries').selectAll().where('digest_id', '=', digestId).executeTakeFirstOrThrow();
    expect(row.state).toBe('suppressed');
    // The next digest sends them nothing.
    expect((await ledgerFor(store.db, nl.id, new Date('2026-11-25T09:00:00.000Z'))).rows).toBe(0);

    const [event] = await events(sub.id);
    expect(event).toMatchObject({ detail: 'one-click', ip: '127.0.0.1' });
    const again = await app.inject({ method: 'POST', url: path, ...urlencoded(ONE_CLICK) });
    expect(again.statusCode).toBe(200);
    expect(await events(sub.id)).toHaveLength(1);
  });

  it('one-click POST as multipart/form-data, and with the token only in the body', async () => {
    const a = await member('cy@example.org');
    const res = await app.inject({ method: 'POST', url: a.path, ...multipart(ONE_CLICK) });
    expect(res.statusCode).toBe(200);
    expect((await getSubscription(store.db, a.sub.id))!.status).toBe('unsubscribed');
    const b = await member('di@example.org');
    const button = await app.inject({ method: 'POST', url: '/unsubscribe', ...urlencoded({ token: b.token }) });
    expect(button.statusCode).toBe(200);
    expect((await getSubscription(store.db, b.sub.id))!.status).toBe('unsubscribed');
    expect((await events(b.sub.id))[0]!.detail).toBe('page');
  });

  it('forged, swapped, cross-purpose and garbage tokens: the same 400, nothing changes', async () => {
    const a = await member('ed@example.org');
    const b = await member('fi@example.org');
    const [payloadA, macA] = a.token.split('.') as [string, string];
    const [payloadB, macB] = b.token.split('.') as [string, string];
    const flipped = `${macA.slice(0, 5)}${macA[5] === 'A' ? 'B' : 'A'}${macA.slice(6)}`;
    const bad = [
      `${payloadA}.${flipped}`,
      `${payloadA}.${macB}`,
      `${payloadB}.${macA}`,
      TOKENS.sign('preferences', a.sub.id),
      TOKENS.sign('confirm', a.sub.id, new Date('2030-01-01T00:00:00Z')),
      'garbage',
      'x'.repeat(5000),
      '%00%ff',
    ];
    const bodies = new Set<string>();
    for (const token of bad) {
      for (const res of [
        await app.inject({ method: 'POST', url: `/unsubscribe?token=${encodeURIComponent(token)}`, ...urlencoded(ONE_CLICK) }),
        await app.inject({ method: 'POST', url: `/unsubscribe?token=${encodeURIComponent(token)}`, ...multipart(ONE_CLICK) }),
        await app.inject({ method: 'GET', url: `/unsubscribe?token=${encodeURIComponent(token)}` }),
      ]) {
        expect(res.statusCode).toBe(400);
        bodies.add(res.body);
      }
    }
    expect(bodies.size).toBe(1);
    expect([...bodies][0]).toContain('This link is not valid');
    expect((await getSubscription(store.db, a.sub.id))!.status).toBe('active');
    expect((await getSubscription(store.db, b.sub.id))!.status).toBe('active');
    expect(await events(a.sub.id)).toHaveLength(0);
  });

  it('a link from a 400-day-old digest still works; a page without a token explains where the link is', async () => {
    const { sub, path } = await member('gu@example.org');
    time.advance(400 * 86_400_000);
    expect((await app.inject({ method: 'POST', url: path, ...urlencoded(ONE_CLICK) })).statusCode).toBe(200);
    expect((await getSubscription(store.db, sub.id))!.status).toBe('unsubscribed');
    const help = await app.inject({ method: 'GET', url: '/unsubscribe' });
    expect(help.statusCode).toBe(200);
    expect(help.body).toContain('use the link at the bottom of the email');
  });

  it('speaks the newsletter language: Chinese pages', async () => {
    const zh = await addNewsletter(store.db, { slug: 'mian', name: '棉花日报', language: 'zh' }, T0);
    const s = await upsertSubscriber(store.db, { email: 'hu@example.org' }, T0);
    const { subscription } = await subscribe(
      store.db,
      { subscriberId: s.id, newsletterId: zh.id, channel: 'email', status: 'active', consent: { source: 'cli' } },
      T0,
    );
    const token = TOKENS.sign('unsubscribe', subscription.id);
    const page = await app.inject({ method: 'GET', url: `/unsubscribe?token=${token}` });
    expect(page.body).toContain('<html lang="zh"');
    expect(page.body).toContain('不再在此地址接收 棉花日报？');
    expect(parseHTML(page.body).document.querySelector('a[hreflang=en]')!.getAttribute('href')).toBe(`/unsubscribe?token=${token}&lang=en`);
    const done = await app.inject({ method: 'POST', url: `/unsubscribe?token=${token}`, ...urlencoded(ONE_CLICK) });
    expect(done.body).toContain('您已退订');
  });

  it('over a real socket: 200 with a small page, no redirect, no cookie', async () => {
    const { sub, token } = await member('iv@example.org');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const res = await fetch(unsubscribeUrl(`http://127.0.0.1:${port}`, token), {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toContain('You are unsubscribed');
    expect((await getSubscription(store.db, sub.id))!.status).toBe('unsubscribed');
  });
});
