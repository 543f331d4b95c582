import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { NewsletterRow, SubscriberRow } from '../../src/store/schema.js';
import { listEvents } from '../../src/store/subscriber-events.js';
import { listSubscriptionsOf, subscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { capturingLogger } from '../support/log.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { type Clock, clock, fakeEmailChannel, HOOK_SECRET, ledgerFor, pagesServer, T0 } from './harness.js';

const DAY = 86_400_000;

forEachDialect('http bounce webhook', (dialect) => {
  let store: TestStore;
  let app: FastifyInstance;
  let time: Clock;
  let nl: NewsletterRow;
  let ann: SubscriberRow;
  let logs: ReturnType<typeof capturingLogger>;

  beforeEach(async () => {
    store = await dialect.open();
    time = clock();
    logs = capturingLogger('info');
    nl = await addNewsletter(store.db, { slug: 'cotton', name: 'Cotton Daily' }, T0);
    ann = await upsertSubscriber(store.db, { email: 'ann@example.org' }, T0);
    await subscribe(store.db, { subscriberId: ann.id, newsletterId: nl.id, channel: 'email', status: 'active', consent: { source: 'cli' } }, T0);
    app = pagesServer({ db: store.db, clock: time, channel: fakeEmailChannel(), log: logs.log });
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  const hook = (body: unknown, opts: { auth?: string; url?: string; type?: string } = {}) =>
    app.inject({
      method: 'POST',
      url: opts.url ?? '/hooks/bounces',
      payload: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': opts.type ?? 'application/json', ...(opts.auth === '' ? {} : { authorization: opts.auth ?? `Bearer ${HOOK_SECRET}` }) },
    });
  const statuses = async () => (await listSubscriptionsOf(store.db, ann.id)).map((s) => s.status);
  const suppression = () => store.db.selectFrom('suppressions').selectAll().where('address', '=', 'ann@example.org').executeTakeFirst();

  it('is a 404 without BOUNCE_WEBHOOK_SECRET, and a 401 without the right secret', async () => {
    const off = pagesServer({ db: store.db, clock: time, channel: fakeEmailChannel(), bounces: false });
    expect((await off.inject({ method: 'POST', url: '/hooks/bounces', payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode).toBe(404);
    await off.close();
    const event = { type: 'hard-bounce', email: 'ann@example.org' };
    for (const auth of ['', 'Bearer wrong', `Bearer ${HOOK_SECRET}x`, `Basic ${Buffer.from('x:nope').toString('base64')}`]) {
      const res = await hook(event, { auth });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toContain('Basic');
    }
    expect(await statuses()).toEqual(['active']);
    // Basic auth (what SNS and Mailgun send from a URL with credentials) and ?secret= work too.
    expect((await hook(event, { auth: `Basic ${Buffer.from(`tidings:${HOOK_SECRET}`).toString('base64')}` })).statusCode).toBe(200);
    expect((await hook(event, { auth: '', url: `/hooks/bounces?secret=${HOOK_SECRET}` })).statusCode).toBe(200);
    expect(logs.text()).not.toContain(HOOK_SECRET);
  });

  it('a hard bounce suppresses the address, marks the subscriptions bounced and records an event; the ledger skips them', async () => {
    const res = await hook({ type: 'hard-bounce', email: 'Ann@Example.org', reason: '550 5.1.1 no such user', at: '2026-11-24T07:00:00Z' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ applied: 1, duplicate: 0, unknown: 0, ignored: 0 });
    expect(await statuses()).toEqual(['bounced']);
    expect(await suppression()).toMatchObject({ reason: 'hard-bounce', detail: '550 5.1.1 no such user' });
    expect(await listEvents(store.db, { address: 'ann@example.org', type: 'bounce-hard' })).toHaveLength(1);
    expect((await ledgerFor(store.db, nl.id, new Date('2026-11-24T09:00:00Z'))).rows).toBe(0);
    // The provider retrying the same report changes nothing.
    expect((await hook({ type: 'hard-bounce', email: 'ann@example.org', at: '2026-11-24T07:00:00Z' })).json()).toMatchObject({ applied: 0, duplicate: 1 });
    expect(await listEvents(store.db, { address: 'ann@example.org', type: 'bounce-hard' })).toHaveLength(1);
  });

  it('a complaint unsubscribes and suppresses (SES through SNS, posted as text/plain)', async () => {
    const { digestId } = await ledgerFor(store.db, nl.id, new Date('2026-11-24T09:00:00Z'));
    const ses = {
      notificationType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: 'ann@example.org' }], timestamp: '2026-11-24T07:05:00.000Z', complaintFeedbackType: 'abuse' },
      mail: { messageId: 'm1' },
    };
    const res = await hook({ Type: 'Notification', MessageId: 'n1', Message: JSON.stringify(ses) }, { type: 'text/plain; charset=UTF-8' });
    expect(res.statusCode).toBe(200);
    expect(await statuses()).toEqual(['unsubscribed']);
    expect(await suppression()).toMatchObject({ reason: 'complaint' });
    expect(await listEvents(store.db, { address: 'ann@example.org', type: 'complaint' })).toHaveLength(1);
    const row = await store.db.selectFrom('deliveries').select('state').where('digest_id', '=', digestId).executeTakeFirstOrThrow();
    expect(row.state).toBe('suppressed');
  });

  it('soft bounces suppress at the limit within 30 days (Mailgun and Postmark formats)', async () => {
    const mailgun = {
      signature: { timestamp: '1', token: 't', signature: 's' },
      'event-data': { event: 'failed', severity: 'temporary', recipient: 'ann@example.org', 'delivery-status': { description: 'Mailbox full' } },
    };
    // One old soft bounce outside the window does not count.
    time.advance(-31 * DAY);
    await hook(mailgun);
    time.advance(31 * DAY);
    await hook(mailgun);
    await hook({ RecordType: 'Bounce', Type: 'SoftBounce', Email: 'ann@example.org', Description: 'Mailbox full' });
    expect(await statuses()).toEqual(['active']);
    expect(await suppression()).toBeUndefined();
    await hook({ type: 'soft-bounce', email: 'ann@example.org' });
    expect(await statuses()).toEqual(['bounced']);
    expect(await suppression()).toMatchObject({ reason: 'soft-bounces' });
    expect(await listEvents(store.db, { address: 'ann@example.org', type: 'bounce-soft' })).toHaveLength(4);
  });

  it('unknown addresses and non-bounce events are accepted and ignored (202)', async () => {
    const unknown = await hook({ type: 'hard-bounce', email: 'nobody@example.org' });
    expect(unknown.statusCode).toBe(202);
    expect(unknown.json()).toMatchObject({ applied: 0, unknown: 1 });
    expect((await hook({ RecordType: 'Delivery', Email: 'ann@example.org' })).statusCode).toBe(202);
    const confirm = await hook(
      { Type: 'SubscriptionConfirmation', SubscribeURL: 'https://sns.example.amazonaws.com/confirm?Token=abc' },
      { type: 'text/plain' },
    );
    expect(confirm.statusCode).toBe(202);
    expect(logs.text()).toContain('https://sns.example.amazonaws.com/confirm?Token=abc');
    expect(await store.db.selectFrom('suppressions').selectAll().execute()).toEqual([]);
    expect(await statuses()).toEqual(['active']);
  });

  it('malformed reports get a 400 with a one-line reason and change nothing', async () => {
    for (const body of [
      '{not json',
      '[]',
      JSON.stringify({ type: 'hard-bounce' }),
      JSON.stringify([
        { type: 'complaint', email: 'ann@example.org' },
        { type: 'x', email: 'ann@example.org' },
      ]),
    ]) {
      const res = await hook(body);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.body).toMatch(/^malformed: [^\n]+\n$/);
    }
    expect(await statuses()).toEqual(['active']);
  });
});
