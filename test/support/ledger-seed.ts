// Seeds written straight to the store: a ready digest with its email ledger for `subscribers`
// active recipients (for tests of the send path that need many rows quickly), and one article.
import type { Kysely } from 'kysely';
import { createDeliveries } from '../../src/store/deliveries.js';
import type { DigestModel } from '../../src/digest/model.js';
import { claimDigest, completeDigest } from '../../src/store/digests.js';
import { insertArticles } from '../../src/store/articles.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { Database } from '../../src/store/schema.js';
import type { TestStore } from './databases.js';

export async function readyDigest(store: TestStore, subscribers: number, T0 = new Date()): Promise<number> {
  const nl = await addNewsletter(store.db, { slug: 'news', name: 'News' }, T0);
  const at = T0.toISOString();
  for (let i = 0; i < subscribers; i += 500) {
    const batch = Array.from({ length: Math.min(500, subscribers - i) }, (_, k) => ({
      email: `r${i + k}@example.org`,
      name: null,
      language: 'en' as const,
      created_at: at,
      updated_at: at,
    }));
    const people = await store.db.insertInto('subscribers').values(batch).returning('id').execute();
    await store.db
      .insertInto('subscriptions')
      .values(
        people.map((p) => ({
          subscriber_id: p.id,
          newsletter_id: nl.id,
          channel: 'email' as const,
          status: 'active' as const,
          consent_source: 'test',
          subscribed_at: at,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
  }
  const id = (await claimDigest(store.db, nl.id, T0, T0))!.id;
  const model = {
    newsletter: { id: nl.id, slug: 'news', name: 'News', language: 'en' },
    slotAt: T0,
    timeZone: 'UTC',
    archiveUrl: null,
    sections: [],
  } as unknown as DigestModel;
  const html = '<!doctype html><html><body><p>Cotton rose.</p><a href="%%tidings.unsubscribe_url%%">Unsubscribe</a></body></html>';
  await store.db.transaction().execute(async (trx) => {
    await completeDigest(
      trx,
      id,
      {
        articleIds: [],
        model,
        subject: 'News',
        preheader: 'p',
        html,
        text: 'Cotton rose.\nUnsubscribe: %%tidings.unsubscribe_url%%',
        telegram: [],
        windowStart: T0,
        windowEnd: T0,
      },
      T0,
    );
    await createDeliveries(trx, { digestId: id, newsletterId: nl.id, domain: 'news.example.org', now: T0 });
  });
  return id;
}

/** One English cotton story fetched an hour before `now`, from `sourceId`: enough for a digest. */
export async function oneCottonArticle(db: Kysely<Database>, sourceId: number, now: Date): Promise<void> {
  const fetched = new Date(now.getTime() - 3_600_000).toISOString();
  await insertArticles(db, [
    {
      source_id: sourceId,
      guid: 'g1',
      guid_key: `${sourceId}:g1`,
      url: 'https://news.example.org/1',
      title: 'Cotton climbs',
      published_at: fetched,
      fetched_at: fetched,
      lang: 'en',
      text: 'Cotton prices climbed.',
      fingerprint: 'fp1',
      search_text: 'cotton climbs cotton prices climbed',
    },
  ]);
}
