// One operation, four front-ends, one effect: adding and removing a subscriber leave the same
// rows, the same consent events and the same audit actions whether the CLI, the API, the admin
// web UI or the bot did it; a CSV import does the same through the three front-ends that take a
// file (issue #11, acceptance 1).
import { describe, expect, it } from 'vitest';
import { addNewsletter } from '../../src/store/newsletters.js';
import { FRONT_ENDS, type FrontEndName, type FrontEnds, frontEnds } from '../support/front-ends.js';

const EMAIL = 'ann@example.org';

/** What a reader of the store sees of the subscribers, ids and times left out. */
async function effect(fe: FrontEnds) {
  const { db } = fe.store;
  const subscribers = await db.selectFrom('subscribers').select(['email', 'name', 'language', 'telegram_chat_id']).orderBy('email').execute();
  const subscriptions = await db
    .selectFrom('subscriptions')
    .innerJoin('subscribers', 'subscribers.id', 'subscriptions.subscriber_id')
    .select([
      'subscribers.email',
      'subscriptions.channel',
      'subscriptions.status',
      'subscriptions.keywords',
      'subscriptions.consent_source',
      'subscriptions.consent_version',
      'subscriptions.subscribe_ip',
    ])
    .orderBy('subscribers.email')
    .execute();
  const events = await db.selectFrom('subscriber_events').select(['type', 'address', 'detail']).orderBy('id').execute();
  const audit = (await fe.auditActions()).map((a) => ({ action: a.action, ok: a.ok, detail: a.detail }));
  return { subscribers, subscriptions, events, audit };
}

async function run(name: FrontEndName, op: (fe: FrontEnds, newsletterId: number) => Promise<void>) {
  const fe = await frontEnds();
  try {
    const weekly = await addNewsletter(fe.store.db, { slug: 'weekly', name: 'Weekly' }, new Date());
    await op(fe, weekly.id);
    const seen = await effect(fe);
    // The actor is each front-end's own; everything else must be the same.
    const actors = new Set((await fe.auditActions()).map((a) => a.actor));
    return { name, seen, actors: [...actors] };
  } finally {
    await fe.close();
  }
}

const subscriberId = async (fe: FrontEnds) =>
  (await fe.store.db.selectFrom('subscribers').select('id').where('email', '=', EMAIL).executeTakeFirstOrThrow()).id;

describe('subscribers through every front-end', { timeout: 120_000 }, () => {
  it('add, then remove a subscriber: the same rows, events and audit actions', async () => {
    const ops: Record<FrontEndName, (fe: FrontEnds, newsletterId: number) => Promise<void>> = {
      cli: async (fe) => {
        expect((await fe.cli(['subscribers', 'add', EMAIL, '--newsletter', 'weekly'])).code).toBe(0);
        expect((await fe.cli(['subscribers', 'add', 'gone@example', '--newsletter', 'weekly'])).code).toBe(2);
        expect((await fe.cli(['subscribers', 'remove', EMAIL, '--yes'])).code).toBe(0);
        expect((await fe.cli(['subscribers', 'add', EMAIL, '--newsletter', 'weekly'])).code).toBe(0);
      },
      api: async (fe) => {
        expect((await fe.api('POST', '/api/v1/subscribers', { email: EMAIL, newsletters: ['weekly'] })).statusCode).toBe(201);
        expect((await fe.api('POST', '/api/v1/subscribers', { email: 'gone@example', newsletters: ['weekly'] })).statusCode).toBe(400);
        expect((await fe.api('DELETE', `/api/v1/subscribers/${await subscriberId(fe)}`)).statusCode).toBe(204);
        expect((await fe.api('POST', '/api/v1/subscribers', { email: EMAIL, newsletters: ['weekly'] })).statusCode).toBe(201);
      },
      web: async (fe, newsletterId) => {
        expect((await fe.web('POST', '/admin/subscribers', { email: EMAIL, newsletter: String(newsletterId), status: 'active' })).statusCode).toBe(303);
        expect((await fe.web('POST', '/admin/subscribers', { email: 'gone@example', newsletter: String(newsletterId), status: 'active' })).statusCode).toBe(
          400,
        );
        expect((await fe.web('POST', `/admin/subscribers/${await subscriberId(fe)}/remove`)).body).toContain(`Removed subscriber 1 &lt;${EMAIL}&gt;`);
        expect((await fe.web('POST', '/admin/subscribers', { email: EMAIL, newsletter: String(newsletterId), status: 'active' })).statusCode).toBe(303);
      },
      bot: async (fe) => {
        expect(await fe.bot(`/subscribers add ${EMAIL} weekly`)).toContain('weekly: subscribed (active)');
        expect(await fe.bot('/subscribers add gone@example weekly')).toContain('"gone@example" is not a valid email address');
        expect(await fe.bot(`/subscribers remove ${EMAIL}`)).toContain('Removed subscriber 1');
        expect(await fe.bot(`/subscribers add ${EMAIL} weekly`)).toContain('subscribed (active)');
      },
    };
    const results = [];
    for (const name of FRONT_ENDS) results.push(await run(name, ops[name]));
    const [first] = results;
    expect(first!.seen.subscriptions).toEqual([
      { email: EMAIL, channel: 'email', status: 'active', keywords: '[]', consent_source: 'admin', consent_version: null, subscribe_ip: null },
    ]);
    expect(first!.seen.events.map((e) => e.type)).toEqual(['subscribe', 'deleted', 'subscribe']);
    expect(first!.seen.audit.map((a) => a.action)).toEqual(['subscriber.add', 'subscriber.remove', 'subscriber.add']);
    for (const r of results) {
      expect({ name: r.name, ...r.seen }).toEqual({ name: r.name, ...first!.seen });
      expect(r.actors).toHaveLength(1);
    }
    expect(results.map((r) => r.actors[0]!.replace(/:.*/, ''))).toEqual(['cli', 'api', 'web', 'telegram']);
  });

  it('CSV import: the same file leaves the same subscriptions and one subscribers.import', async () => {
    const csv = 'email,name,language,keywords\nann@example.org,"Lee, Ann",zh,棉花; yarn\nnot an address,,,\nbob@example.org,Bob,,\n';
    const ops: Partial<Record<FrontEndName, (fe: FrontEnds, newsletterId: number) => Promise<void>>> = {
      cli: async (fe) =>
        expect((await fe.cli(['subscribers', 'import', fe.file('list.csv', csv), '--newsletter', 'weekly', '--consent-version', 'v2'])).code).toBe(0),
      api: async (fe) =>
        expect((await fe.api('POST', '/api/v1/subscribers/import?newsletter=weekly&consentVersion=v2', csv, { 'content-type': 'text/csv' })).statusCode).toBe(
          200,
        ),
      web: async (fe, id) => {
        const res = await fe.web(
          'POST',
          '/admin/subscribers/import',
          { newsletter: String(id), status: 'active', consent_version: 'v2' },
          { field: 'csv', name: 'list.csv', content: csv },
        );
        expect(res.body).toContain('Imported 2 to weekly, 0 already subscribed, 1 rejected (3 rows).');
      },
    };
    const results = [];
    for (const name of ['cli', 'api', 'web'] as const) results.push(await run(name, ops[name]!));
    const [first] = results;
    expect(first!.seen.subscribers.map((s) => [s.email, s.name, s.language])).toEqual([
      ['ann@example.org', 'Lee, Ann', 'zh'],
      ['bob@example.org', 'Bob', 'en'],
    ]);
    expect(first!.seen.subscriptions.map((s) => [s.consent_source, s.consent_version, s.keywords])).toEqual([
      ['import', 'v2', '["棉花","yarn"]'],
      ['import', 'v2', '[]'],
    ]);
    expect(first!.seen.audit).toEqual([
      { action: 'subscribers.import', ok: true, detail: 'Imported 2 to weekly, 0 already subscribed, 1 rejected (3 rows). Status active.' },
    ]);
    for (const r of results) expect({ name: r.name, ...r.seen }).toEqual({ name: r.name, ...first!.seen });
  });
});
