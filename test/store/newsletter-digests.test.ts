// The store functions the CLI and the archive listing added: removing a newsletter, and one page
// of a newsletter's ready digests.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { DigestModel } from '../../src/digest/model.js';
import { claimDigest, type CompletedDigest, completeDigest, listReadyDigestPage, skipDigest } from '../../src/store/digests.js';
import { addNewsletter, getNewsletter, InvalidNewsletterError, removeNewsletter } from '../../src/store/newsletters.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const T0 = new Date('2026-11-24T08:00:00.000Z');
const day = (n: number) => new Date(T0.getTime() + n * 86_400_000);

function parts(slotAt: Date, subject: string, articleIds: number[]): CompletedDigest {
  const model: DigestModel = { newsletter: { id: 1, slug: 'n', name: 'N', language: 'en' }, slotAt, timeZone: 'UTC', archiveUrl: null, sections: [] };
  return { articleIds, model, subject, preheader: '', html: '<p>big</p>', text: 'text', telegram: [], windowStart: day(-1), windowEnd: slotAt };
}

forEachDialect('newsletters and their digests', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await dialect.open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('removes a newsletter that never had a digest, and keeps one that has', async () => {
    const spare = await addNewsletter(store.db, { slug: 'spare', name: 'Spare' }, T0);
    const used = await addNewsletter(store.db, { slug: 'used', name: 'Used' }, T0);
    const { id } = (await claimDigest(store.db, used.id, T0, T0))!;
    await skipDigest(store.db, id, 'no new articles', T0);

    expect(await removeNewsletter(store.db, spare.id)).toBe('removed');
    expect(await getNewsletter(store.db, spare.id)).toBeUndefined();
    expect(await removeNewsletter(store.db, spare.id)).toBe('missing');
    expect(await removeNewsletter(store.db, used.id)).toBe('has-digests');
    expect(await getNewsletter(store.db, used.id)).toEqual(used);
  });

  it('reports bad input as InvalidNewsletterError, which the CLI shows as a usage error', async () => {
    await expect(addNewsletter(store.db, { slug: 'x', name: 'X', language: 'fr' as 'en' }, T0)).rejects.toBeInstanceOf(InvalidNewsletterError);
    await expect(addNewsletter(store.db, { slug: 'x', name: 'X', filters: { sources: [-1] } }, T0)).rejects.toBeInstanceOf(InvalidNewsletterError);
  });

  it('pages through ready digests newest first, without their rendered parts', async () => {
    const nl = await addNewsletter(store.db, { slug: 'n', name: 'N' }, T0);
    const other = await addNewsletter(store.db, { slug: 'o', name: 'O' }, T0);
    const ids: number[] = [];
    for (const n of [0, 1, 2, 3]) {
      const { id } = (await claimDigest(store.db, nl.id, day(n), day(n)))!;
      ids.push(id);
      if (n === 2) await skipDigest(store.db, id, 'no new articles', day(n));
      else await completeDigest(store.db, id, parts(day(n), `Digest ${n}`, [n + 1, n + 10]), day(n));
    }
    const elsewhere = (await claimDigest(store.db, other.id, day(5), day(5)))!.id;
    await completeDigest(store.db, elsewhere, parts(day(5), 'Other', [1]), day(5));

    const first = await listReadyDigestPage(store.db, nl.id, { offset: 0, limit: 2 });
    expect(first).toEqual([
      { id: ids[3], slot_at: day(3).toISOString(), subject: 'Digest 3', article_ids: '[4,13]' },
      { id: ids[1], slot_at: day(1).toISOString(), subject: 'Digest 1', article_ids: '[2,11]' },
    ]);
    expect((await listReadyDigestPage(store.db, nl.id, { offset: 2, limit: 2 })).map((r) => r.id)).toEqual([ids[0]]);
    expect(await listReadyDigestPage(store.db, nl.id, { offset: 3, limit: 2 })).toEqual([]);
  });
});
