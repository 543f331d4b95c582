// Preview and the digest listings in-process: a preview is the archive reader's copy of the next
// digest and records nothing; the listings read what send-now and the schedule wrote.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreContext } from '../../src/core/context.js';
import { listDigests, showDigest } from '../../src/core/digests.js';
import { CoreError } from '../../src/core/errors.js';
import { previewNewsletter } from '../../src/core/newsletter-preview.js';
import { addNewsletter } from '../../src/core/newsletters.js';
import { renderEmail } from '../../src/digest/render-email.js';
import { renderTelegram } from '../../src/digest/render-telegram.js';
import { silentLogger } from '../../src/log.js';
import { claimDigest, skipDigest } from '../../src/store/digests.js';
import { SENDER } from '../http/harness.js';
import { dialects, type TestStore } from '../support/databases.js';
import { STORY_TITLES, seedArticles } from './newsletter-fixtures.js';

const sqlite = dialects.find((d) => d.name === 'sqlite')!;
const NOW = new Date('2026-11-24T08:00:00.000Z');
let store: TestStore;
let ctx: CoreContext;
const preview = () => ({
  ...ctx,
  sender: SENDER,
  render: async (model: Parameters<typeof renderEmail>[0]) => ({ ...(await renderEmail(model, SENDER)), telegram: renderTelegram(model) }),
});

beforeEach(async () => {
  store = await sqlite.open();
  ctx = { db: store.db, now: () => NOW, log: silentLogger(), actor: 'cli' };
  await seedArticles(store.db, NOW);
});
afterEach(() => store.close());

describe('previewNewsletter', () => {
  it('renders the next digest as the archive shows it, twice the same: nothing is recorded', async () => {
    await addNewsletter(ctx, { slug: 'wire', name: 'Textile Wire' });
    const first = await previewNewsletter(preview(), 'wire');
    if (first.status !== 'ready') throw new Error(`expected a preview, got ${first.status}`);
    expect(first.items.map((i) => i.title).sort()).toEqual(STORY_TITLES);
    expect(first.subject).toMatch(/^Textile Wire — /);
    expect(first.html).toContain('12 Mill Street');
    expect(first.html).toContain('https://news.example.org/unsubscribe');
    expect(first.html).not.toContain('%%tidings.');
    expect(first.telegram[0]).toMatchObject({ kind: 'text' });
    expect(await previewNewsletter(preview(), 'wire')).toEqual(first);
    expect(await listDigests(ctx, { newsletter: 'wire' })).toEqual([]);
  });

  it('says why there is nothing to preview, and which newsletter does not exist', async () => {
    await addNewsletter(ctx, { slug: 'silk', filters: { include: ['silk'] } });
    const empty = await previewNewsletter(preview(), 'silk');
    expect(empty).toMatchObject({ status: 'empty', newsletter: { slug: 'silk' }, window: { end: NOW } });
    const err = await previewNewsletter(preview(), 9).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoreError);
    expect(err).toMatchObject({ code: 'not_found', message: expect.stringMatching(/^No newsletter "9"/) });
  });
});

describe('listDigests and showDigest', () => {
  it('lists newest first, by newsletter and status, and shows one with its deliveries per channel', async () => {
    const a = await addNewsletter(ctx, { slug: 'a' });
    const b = await addNewsletter(ctx, { slug: 'b' });
    const old = (await claimDigest(store.db, a.id, new Date('2026-11-22T08:00:00Z'), NOW))!;
    await skipDigest(store.db, old.id, 'no new articles', NOW);
    const recent = (await claimDigest(store.db, a.id, new Date('2026-11-23T08:00:00Z'), NOW))!;
    const other = (await claimDigest(store.db, b.id, new Date('2026-11-21T08:00:00Z'), NOW))!;
    expect((await listDigests(ctx)).map((d) => d.id)).toEqual([recent.id, old.id, other.id]);
    expect((await listDigests(ctx, { newsletter: 'a', status: 'skipped' })).map((d) => d.id)).toEqual([old.id]);
    expect((await listDigests(ctx, { limit: 1 })).map((d) => d.id)).toEqual([recent.id]);
    expect(await listDigests(ctx, { limit: 0 }).catch((e: CoreError) => e.code)).toBe('invalid');
    expect(await listDigests(ctx, { newsletter: 'c' }).catch((e: CoreError) => e.code)).toBe('not_found');
    const shown = await showDigest(ctx, old.id);
    expect(shown.digest).toMatchObject({ id: old.id, status: 'skipped', reason: 'no new articles' });
    expect(shown.deliveries.email).toMatchObject({ pending: 0, sent: 0 });
    expect(await showDigest(ctx, 999).catch((e: CoreError) => e.code)).toBe('not_found');
  });
});
