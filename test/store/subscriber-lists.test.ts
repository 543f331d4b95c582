import { afterEach, beforeEach, expect, it } from 'vitest';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { NewsletterRow } from '../../src/store/schema.js';
import { listEvents, suppress } from '../../src/store/subscriber-events.js';
import { importBatch } from '../../src/store/subscriber-import.js';
import { countSubscribers, exportSubscriptions, listSubscribers } from '../../src/store/subscriber-lists.js';
import { listSubscriptionsOf, subscribe, unsubscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const T0 = new Date('2026-11-24T16:18:07.123Z');
const T1 = new Date('2026-11-25T08:00:00.000Z');

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

forEachDialect('subscriber lists and imports', (dialect) => {
  let store: TestStore;
  let cotton: NewsletterRow;
  let yarn: NewsletterRow;
  beforeEach(async () => {
    store = await dialect.open();
    cotton = await addNewsletter(store.db, { slug: 'cotton', name: 'Cotton' }, T0);
    yarn = await addNewsletter(store.db, { slug: 'yarn', name: 'Yarn' }, T0);
  });
  afterEach(async () => {
    await store.close();
  });

  async function person(email: string, name: string | null, subs: [NewsletterRow, 'active' | 'pending'][]) {
    const p = await upsertSubscriber(store.db, { email, name }, T0);
    for (const [n, status] of subs)
      await subscribe(store.db, { subscriberId: p.id, newsletterId: n.id, channel: 'email', status, consent: { source: 'cli' } }, T0);
    return p;
  }

  it('lists subscribers by newsletter and status together, by search text, with a count', async () => {
    const ann = await person('ann@x.org', 'Ann Lee', [[cotton, 'active']]);
    const bob = await person('bob_1@x.org', null, [
      [cotton, 'pending'],
      [yarn, 'active'],
    ]);
    const cai = await person('cai%@x.org', '蔡 Cai', [[yarn, 'pending']]);
    const ids = async (f: Parameters<typeof listSubscribers>[1]) => (await listSubscribers(store.db, f)).map((s) => s.id);

    expect(await ids({})).toEqual([ann.id, bob.id, cai.id]);
    expect(await ids({ newsletterId: cotton.id })).toEqual([ann.id, bob.id]);
    // Active on cotton: Bob is active somewhere and on cotton, but not active on cotton.
    expect(await ids({ newsletterId: cotton.id, status: 'active' })).toEqual([ann.id]);
    expect(await ids({ status: 'pending' })).toEqual([bob.id, cai.id]);
    expect(await ids({ search: 'ANN' })).toEqual([ann.id]);
    expect(await ids({ search: 'lee' })).toEqual([ann.id]);
    // LIKE wildcards in the search text match themselves.
    expect(await ids({ search: '_' })).toEqual([bob.id]);
    expect(await ids({ search: '%' })).toEqual([cai.id]);
    expect(await ids({ search: '蔡' })).toEqual([cai.id]);
    expect(await ids({ limit: 2 })).toEqual([ann.id, bob.id]);
    expect(await ids({ afterId: bob.id })).toEqual([cai.id]);
    expect(await countSubscribers(store.db, { newsletterId: yarn.id })).toBe(2);
    expect(await countSubscribers(store.db, { search: 'nobody' })).toBe(0);

    const [bobRow] = await listSubscribers(store.db, { search: 'bob' });
    expect(bobRow!.subscriptions.map((s) => [s.newsletter_slug, s.status])).toEqual([
      ['cotton', 'pending'],
      ['yarn', 'active'],
    ]);
  });

  it('exports email subscriptions page by page, filtered, leaving Telegram-only subscribers out', async () => {
    await person('ann@x.org', 'Ann', [[cotton, 'active']]);
    await person('bob@x.org', null, [
      [cotton, 'pending'],
      [yarn, 'active'],
    ]);
    await person('cai@x.org', null, [[cotton, 'active']]);
    const tg = await upsertSubscriber(store.db, { telegramChatId: '12345' }, T0);
    await subscribe(store.db, { subscriberId: tg.id, newsletterId: cotton.id, channel: 'telegram', status: 'active', consent: { source: 'telegram' } }, T0);

    const all = await collect(exportSubscriptions(store.db, {}, 2));
    expect(all.map((s) => [s.email, s.newsletter_slug, s.status])).toEqual([
      ['ann@x.org', 'cotton', 'active'],
      ['bob@x.org', 'cotton', 'pending'],
      ['bob@x.org', 'yarn', 'active'],
      ['cai@x.org', 'cotton', 'active'],
    ]);
    expect(all[0]).toMatchObject({
      name: 'Ann',
      language: 'en',
      keywords: '[]',
      consent_source: 'cli',
      subscribed_at: T0.toISOString(),
      confirmed_at: T0.toISOString(),
    });
    const activeCotton = await collect(exportSubscriptions(store.db, { newsletterId: cotton.id, status: 'active' }, 1));
    expect(activeCotton.map((s) => s.email)).toEqual(['ann@x.org', 'cai@x.org']);
  });

  it('imports a batch: new, already subscribed, suppressed, unsubscribed earlier', async () => {
    await person('old@x.org', 'Old', [[cotton, 'active']]);
    const left = await person('left@x.org', null, [[cotton, 'active']]);
    const [leftSub] = await listSubscriptionsOf(store.db, left.id);
    await unsubscribe(store.db, leftSub!.id, { source: 'link' }, T0);
    await suppress(store.db, { address: 'bounced@x.org', channel: 'email', reason: 'hard-bounce' }, T0);
    const noName = await person('noname@x.org', null, [[yarn, 'active']]);

    const rows = [
      { email: 'new@x.org', name: 'New', language: 'zh' as const, keywords: ['cotton', '棉花'] },
      { email: 'old@x.org', name: 'Other name', language: 'en' as const, keywords: [] },
      { email: 'bounced@x.org', name: null, language: 'en' as const, keywords: [] },
      { email: 'left@x.org', name: null, language: 'en' as const, keywords: [] },
      { email: 'noname@x.org', name: 'Now named', language: 'en' as const, keywords: [] },
    ];
    const opts = { newsletterId: cotton.id, status: 'active' as const, consent: { source: 'import', version: 'v2' } };
    const expected = [
      { kind: 'imported' },
      { kind: 'already', status: 'active' },
      { kind: 'rejected', reason: 'suppressed address (hard-bounce)' },
      { kind: 'rejected', reason: 'unsubscribed earlier; an import does not subscribe them again' },
      { kind: 'imported' },
    ];

    // A dry run decides the same and writes nothing.
    const before = await countSubscribers(store.db);
    expect(await importBatch(store.db, rows, { ...opts, dryRun: true }, T1)).toEqual(expected);
    expect(await countSubscribers(store.db)).toBe(before);
    expect(await countSubscribers(store.db, { newsletterId: cotton.id })).toBe(2);

    expect(await importBatch(store.db, rows, opts, T1)).toEqual(expected);
    const [fresh] = await listSubscribers(store.db, { search: 'new@' });
    expect(fresh).toMatchObject({ name: 'New', language: 'zh', created_at: T1.toISOString() });
    expect(fresh!.subscriptions).toHaveLength(1);
    expect(fresh!.subscriptions[0]).toMatchObject({
      newsletter_slug: 'cotton',
      status: 'active',
      keywords: JSON.stringify(['cotton', '棉花']),
      consent_source: 'import',
      consent_version: 'v2',
      subscribed_at: T1.toISOString(),
      confirmed_at: T1.toISOString(),
    });
    const events = await listEvents(store.db, { subscriptionId: fresh!.subscriptions[0]!.id });
    expect(events).toMatchObject([
      { type: 'subscribe', subscriber_id: fresh!.id, detail: JSON.stringify({ source: 'import', version: 'v2', status: 'active' }) },
    ]);
    // Names fill gaps only.
    const [old] = await listSubscribers(store.db, { search: 'old@' });
    expect(old!.name).toBe('Old');
    const [named] = await listSubscribers(store.db, { search: 'noname@' });
    expect(named).toMatchObject({ id: noName.id, name: 'Now named' });
    expect(named!.subscriptions.map((s) => s.newsletter_slug)).toEqual(['yarn', 'cotton']);

    // Importing the same rows again changes nothing.
    const again = await importBatch(store.db, rows, opts, T1);
    expect(again.map((o) => o.kind)).toEqual(['already', 'already', 'rejected', 'rejected', 'already']);
  });

  it('imports pending subscriptions without a confirmation time', async () => {
    const out = await importBatch(
      store.db,
      [{ email: 'p@x.org', name: null, language: 'en', keywords: [] }],
      { newsletterId: yarn.id, status: 'pending', consent: { source: 'import', version: null } },
      T1,
    );
    expect(out).toEqual([{ kind: 'imported' }]);
    const [row] = await collect(exportSubscriptions(store.db, {}));
    expect(row).toMatchObject({ email: 'p@x.org', status: 'pending', confirmed_at: null, consent_version: null });
  });
});
