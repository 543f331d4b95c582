import { afterEach, beforeEach, expect, it } from 'vitest';
import type { DigestModel } from '../../src/digest/model.js';
import { insertArticles } from '../../src/store/articles.js';
import {
  claimDigest,
  type CompletedDigest,
  completeDigest,
  DigestNotBuildingError,
  digestModel,
  failDigest,
  getDigest,
  listDigests,
  previousDigest,
  recordDigestItems,
  skipDigest,
} from '../../src/store/digests.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { addSource, removeSource } from '../../src/store/sources.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const T0 = new Date('2026-11-24T08:00:00.000Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

function model(newsletterId: number, articleId: number): DigestModel {
  return {
    newsletter: { id: newsletterId, slug: 'n', name: 'N', language: 'en' },
    slotAt: T0,
    timeZone: 'UTC',
    archiveUrl: null,
    sections: [
      {
        title: null,
        items: [
          {
            articleId,
            title: 'T',
            url: null,
            source: { id: 1, name: 's' },
            publishedAt: hours(-2),
            lang: 'en',
            category: null,
            summary: 'S',
            imageUrl: null,
            alsoReportedBy: [],
            reasons: ['ranked 1 of 1'],
          },
        ],
      },
    ],
  };
}

function parts(newsletterId: number, articleId: number): CompletedDigest {
  return {
    articleIds: [articleId],
    model: model(newsletterId, articleId),
    subject: 'Subject',
    preheader: 'Pre',
    html: '<p>{{unsubscribe}}</p>',
    text: 'text',
    telegram: ['part 1'],
    windowStart: hours(-24),
    windowEnd: T0,
  };
}

forEachDialect('digests', (dialect) => {
  let store: TestStore;
  let nl: number;
  let articleIds: number[];
  let sourceId: number;
  beforeEach(async () => {
    store = await dialect.open();
    nl = (await addNewsletter(store.db, { slug: 'n', name: 'N' }, T0)).id;
    sourceId = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/f.xml', name: 's' }, T0)).id;
    const rows = [1, 2, 3].map((n) => ({
      source_id: sourceId,
      guid: `g${n}`,
      guid_key: `${sourceId}:g${n}`,
      title: `A${n}`,
      published_at: hours(-n).toISOString(),
      fetched_at: hours(-n).toISOString(),
      lang: 'en',
      text: `text ${n}`,
      fingerprint: `fp${n}`,
      search_text: `a${n}`,
    }));
    articleIds = (await insertArticles(store.db, rows)).inserted.map((r) => r.id);
  });
  afterEach(async () => {
    await store.close();
  });

  it('claims a slot once: the second claim of the same slot gets null, another slot its own row', async () => {
    const first = await claimDigest(store.db, nl, T0, T0);
    expect(first).toEqual({ id: expect.any(Number) });
    expect(await claimDigest(store.db, nl, T0, hours(1))).toBeNull();
    const other = await claimDigest(store.db, nl, hours(24), hours(24));
    expect(other?.id).not.toBe(first?.id);
    const row = await getDigest(store.db, first!.id);
    expect(row).toMatchObject({ newsletter_id: nl, slot_at: T0.toISOString(), status: 'building', article_ids: '[]', created_at: T0.toISOString() });
    expect(row).toMatchObject({ model: null, html: null, completed_at: null, reason: null });
  });

  it('two replicas claiming the same slot at once: exactly one owns it', async () => {
    const claims = await Promise.all([
      claimDigest(store.db, nl, T0, T0),
      claimDigest(store.replica().db, nl, T0, T0),
      claimDigest(store.replica().db, nl, T0, T0),
    ]);
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
    expect(await listDigests(store.db, nl, { limit: 10 })).toHaveLength(1);
  });

  it('completes a digest with its parts; the model comes back with real dates', async () => {
    const { id } = (await claimDigest(store.db, nl, T0, T0))!;
    const done = await completeDigest(store.db, id, parts(nl, articleIds[0]!), hours(0.1));
    expect(done).toMatchObject({ status: 'ready', subject: 'Subject', preheader: 'Pre', html: '<p>{{unsubscribe}}</p>', text: 'text' });
    expect(done).toMatchObject({ telegram: '["part 1"]', article_ids: `[${articleIds[0]}]`, window_start: hours(-24).toISOString() });
    expect(done).toMatchObject({ window_end: T0.toISOString(), completed_at: hours(0.1).toISOString() });
    const revived = digestModel(done);
    expect(revived).toEqual(model(nl, articleIds[0]!));
    expect(revived?.sections[0]?.items[0]?.publishedAt).toBeInstanceOf(Date);
    expect(digestModel({ model: null })).toBeNull();
  });

  it('a ready digest is immutable: no function changes it again', async () => {
    const { id } = (await claimDigest(store.db, nl, T0, T0))!;
    await store.db.transaction().execute(async (trx) => {
      await recordDigestItems(trx, id, [{ articleId: articleIds[0]!, position: 0, reasons: ['r'] }]);
      await completeDigest(trx, id, parts(nl, articleIds[0]!), T0);
    });
    const ready = await getDigest(store.db, id);
    await expect(completeDigest(store.db, id, { ...parts(nl, articleIds[1]!), subject: 'changed' }, hours(1))).rejects.toThrow(
      /Digest \d+ is ready, not building/,
    );
    expect(await skipDigest(store.db, id, 'late', hours(1))).toBeUndefined();
    expect(await failDigest(store.db, id, 'boom', hours(1))).toBeUndefined();
    await expect(recordDigestItems(store.db, id, [{ articleId: articleIds[1]!, position: 1, reasons: [] }])).rejects.toBeInstanceOf(DigestNotBuildingError);
    expect(await getDigest(store.db, id)).toEqual(ready);
    const items = await store.db.selectFrom('digest_items').select('article_id').where('digest_id', '=', id).execute();
    expect(items).toEqual([{ article_id: articleIds[0] }]);
    await expect(completeDigest(store.db, 424242, parts(nl, 1), T0)).rejects.toThrow(/Digest 424242 does not exist/);
  });

  it('records skips and failures with their reason, once', async () => {
    const a = (await claimDigest(store.db, nl, T0, T0))!.id;
    const b = (await claimDigest(store.db, nl, hours(24), T0))!.id;
    const skipped = await skipDigest(store.db, a, 'no new articles', hours(1), { start: hours(-24), end: T0 });
    expect(skipped).toMatchObject({
      status: 'skipped',
      reason: 'no new articles',
      window_start: hours(-24).toISOString(),
      completed_at: hours(1).toISOString(),
    });
    const failed = await failDigest(store.db, b, 'x'.repeat(5000), hours(25));
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed?.reason).toHaveLength(1000);
    expect(await failDigest(store.db, a, 'again', hours(2))).toBeUndefined();
    expect((await getDigest(store.db, a))?.status).toBe('skipped');
  });

  it('the database refuses an article the newsletter already sent, even from another digest', async () => {
    const a = (await claimDigest(store.db, nl, T0, T0))!.id;
    const b = (await claimDigest(store.db, nl, hours(24), T0))!.id;
    await recordDigestItems(store.db, a, [
      { articleId: articleIds[0]!, position: 0, reasons: ['x'] },
      { articleId: articleIds[1]!, position: 0, reasons: ['same story'] },
    ]);
    await expect(recordDigestItems(store.db, b, [{ articleId: articleIds[1]!, position: 0, reasons: [] }])).rejects.toThrow();
    // Another newsletter may send the same article.
    const other = (await addNewsletter(store.db, { slug: 'other', name: 'O' }, T0)).id;
    const c = (await claimDigest(store.db, other, T0, T0))!.id;
    await recordDigestItems(store.db, c, [{ articleId: articleIds[1]!, position: 0, reasons: [] }]);
    const rows = await store.db.selectFrom('digest_items').selectAll().orderBy('digest_id').orderBy('article_id').execute();
    expect(rows).toEqual([
      { digest_id: a, newsletter_id: nl, article_id: articleIds[0], position: 0, reasons: '["x"]' },
      { digest_id: a, newsletter_id: nl, article_id: articleIds[1], position: 0, reasons: '["same story"]' },
      { digest_id: c, newsletter_id: other, article_id: articleIds[1], position: 0, reasons: '[]' },
    ]);
    // Removing a source removes its articles and, with them, their item rows.
    await removeSource(store.db, sourceId);
    expect(await store.db.selectFrom('digest_items').selectAll().execute()).toEqual([]);
  });

  it('lists newest slot first, by status, and finds the previous ready digest', async () => {
    const ids: number[] = [];
    for (const h of [0, 24, 48, 72]) ids.push((await claimDigest(store.db, nl, hours(h), hours(h)))!.id);
    await completeDigest(store.db, ids[0]!, parts(nl, articleIds[0]!), hours(0));
    await completeDigest(store.db, ids[1]!, { ...parts(nl, articleIds[1]!), windowEnd: hours(24) }, hours(24));
    await skipDigest(store.db, ids[2]!, 'no new articles', hours(48));
    expect((await listDigests(store.db, nl, { limit: 10 })).map((d) => d.id)).toEqual([...ids].reverse());
    expect((await listDigests(store.db, nl, { limit: 2 })).map((d) => d.id)).toEqual([ids[3], ids[2]]);
    expect((await listDigests(store.db, nl, { limit: 10, status: 'ready' })).map((d) => d.id)).toEqual([ids[1], ids[0]]);
    expect((await previousDigest(store.db, nl, hours(72)))?.id).toBe(ids[1]);
    expect((await previousDigest(store.db, nl, hours(24)))?.id).toBe(ids[0]);
    expect(await previousDigest(store.db, nl, hours(0))).toBeUndefined();
  });
});
