// Send now, through every front-end, has one effect: one digest built for this moment, its
// deliveries queued in the ledger and none of them sent by the front-end itself (the delivery
// loop of a running service sends them), and one 'newsletter.send' audit row (issue #11,
// acceptance 1). The CLI queues with `tidings send --queue`; plain `tidings send` queues the same
// way and then runs the delivery loop in its own process (test/cli/send.test.ts).
import { describe, expect, it } from 'vitest';
import { insertArticles } from '../../src/store/articles.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { addSource } from '../../src/store/sources.js';
import { subscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { T0 } from '../http/harness.js';
import { FRONT_ENDS, type FrontEndName, type FrontEnds, frontEnds } from '../support/front-ends.js';

const SUBSCRIBERS = ['ann@example.org', 'bob@example.org'];

const TITLES = ['Mills stock up on cotton', 'Polyester plants cut runs'];

/**
 * A newsletter with two fresh articles and two active email subscribers; its id. The API and web
 * harnesses run on a fixed clock (T0), the CLI and the bot on the real one: each finds its two.
 */
async function seed(fe: FrontEnds): Promise<number> {
  const now = new Date();
  const source = await addSource(fe.store.db, { kind: 'feed', url: 'http://127.0.0.1/feed', name: 'Wire' }, now);
  const articles = [T0, now].flatMap((at, n) => {
    const fetched = new Date(at.getTime() - 3_600_000).toISOString();
    return TITLES.map((title, i) => ({
      source_id: source.id,
      guid: `g${n}${i}`,
      guid_key: `${source.id}:g${n}${i}`,
      url: `http://127.0.0.1/a/${n}${i}`,
      title: `${title} (${n})`,
      published_at: fetched,
      fetched_at: fetched,
      lang: 'en',
      text: `${title}, the report says.`,
      fingerprint: `fp${n}${i}`,
      search_text: title.toLowerCase(),
    }));
  });
  await insertArticles(fe.store.db, articles);
  const nl = await addNewsletter(fe.store.db, { slug: 'daily', name: 'Daily Cotton' }, now);
  for (const email of SUBSCRIBERS) {
    const s = await upsertSubscriber(fe.store.db, { email }, now);
    await subscribe(fe.store.db, { subscriberId: s.id, newsletterId: nl.id, channel: 'email', status: 'active', consent: { source: 'test' } }, now);
  }
  return nl.id;
}

const sendNow: Record<FrontEndName, (fe: FrontEnds, id: number) => Promise<void>> = {
  cli: async (fe) => {
    const r = await fe.cli(['send', 'daily', '--queue']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Digest \d+ of Daily Cotton: 2 recipients\.$/m);
  },
  api: async (fe, id) => {
    const r = await fe.api('POST', `/api/v1/newsletters/${id}/send-now`);
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ status: 'ready', recipients: 2, stories: 2 });
  },
  web: async (fe, id) => {
    const r = await fe.web('POST', `/admin/newsletters/${id}/send`, {});
    expect(r.statusCode, r.body).toBe(200);
    expect(r.body).toContain('is ready with 2 deliveries queued');
  },
  bot: async (fe) => {
    expect(await fe.bot('/sendnow daily')).toMatch(/^Digest \d+ of Daily Cotton is built; 2 deliveries queued\.$/);
  },
};

describe('send now through every front-end', () => {
  it('builds one digest, queues its deliveries without sending them, and audits one newsletter.send', { timeout: 60_000 }, async () => {
    const results = await Promise.all(
      FRONT_ENDS.map(async (name) => {
        const fe = await frontEnds();
        try {
          await sendNow[name](fe, await seed(fe));
          const digests = await fe.store.db.selectFrom('digests').select(['id', 'status']).execute();
          const deliveries = await fe.store.db.selectFrom('deliveries').select(['digest_id', 'address', 'state']).orderBy('address').execute();
          const audit = (await fe.auditActions()).map((a) => ({ action: a.action, ok: a.ok, actor: a.actor.split(':')[0] }));
          return { name, digests, deliveries, audit };
        } finally {
          await fe.close();
        }
      }),
    );
    const actors: Record<FrontEndName, string> = { cli: 'cli', api: 'api', web: 'web', bot: 'telegram' };
    for (const r of results) {
      expect(r.digests, r.name).toEqual([{ id: r.digests[0]!.id, status: 'ready' }]);
      expect(r.deliveries, r.name).toEqual(SUBSCRIBERS.map((address) => ({ digest_id: r.digests[0]!.id, address, state: 'pending' })));
      expect(r.audit, r.name).toEqual([{ action: 'newsletter.send', ok: true, actor: actors[r.name] }]);
    }
  });
});
