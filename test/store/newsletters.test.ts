import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  addNewsletter,
  DuplicateNewsletterError,
  getNewsletter,
  listNewsletters,
  newsletterFilters,
  updateNewsletter,
  validateFilters,
} from '../../src/store/newsletters.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const T0 = new Date('2026-11-24T16:18:07.123Z');
const T1 = new Date('2026-11-25T08:00:00.000Z');

forEachDialect('newsletters', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await dialect.open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('adds a newsletter with the documented defaults', async () => {
    const row = await addNewsletter(store.db, { slug: 'cotton-daily', name: '  Cotton Daily ' }, T0);
    expect(row).toEqual({
      id: row.id,
      slug: 'cotton-daily',
      name: 'Cotton Daily',
      language: 'en',
      cron: '0 8 * * *',
      timezone: 'UTC',
      catch_up_grace_minutes: 360,
      filters: '{}',
      max_items: 20,
      sections: 0,
      lookback_hours: 24,
      template: 'digest',
      enabled: 1,
      schedule_since: T0.toISOString(),
      created_at: T0.toISOString(),
      updated_at: T0.toISOString(),
    });
    expect(typeof row.id).toBe('number');
  });

  it('restarts the schedule count on a new cron or zone and on resume, not on other edits', async () => {
    const row = await addNewsletter(store.db, { slug: 'since', name: 'Since' }, T0);
    const at = (h: number) => new Date(T0.getTime() + h * 3_600_000);
    const since = async (patch: Parameters<typeof updateNewsletter>[2], h: number) => (await updateNewsletter(store.db, row.id, patch, at(h)))!.schedule_since;
    expect(await since({ maxItems: 5 }, 1)).toBe(T0.toISOString());
    expect(await since({ cron: '0 8 * * *' }, 2)).toBe(T0.toISOString()); // the same schedule again
    expect(await since({ cron: '0 9 * * *' }, 3)).toBe(at(3).toISOString());
    expect(await since({ timezone: 'Asia/Shanghai' }, 4)).toBe(at(4).toISOString());
    expect(await since({ enabled: false }, 5)).toBe(at(4).toISOString());
    expect(await since({ enabled: true }, 6)).toBe(at(6).toISOString());
    expect(await since({ enabled: true }, 7)).toBe(at(6).toISOString());
  });

  it('stores every field given, filters as clean JSON', async () => {
    const row = await addNewsletter(
      store.db,
      {
        slug: 'mianhua',
        name: '棉花日报',
        language: 'zh',
        cron: '30 7 * * 1-5',
        timezone: 'Asia/Shanghai',
        catchUpGraceMinutes: 0,
        filters: { include: [' 棉花 ', 'cotton', 'cotton', ''], exclude: [], categories: ['Markets'], sources: [3, 3, 4] },
        maxItems: 200,
        sections: true,
        lookbackHours: 48,
        template: 'digest_zh',
        enabled: false,
      },
      T0,
    );
    expect(row).toMatchObject({ language: 'zh', cron: '30 7 * * 1-5', timezone: 'Asia/Shanghai', catch_up_grace_minutes: 0 });
    expect(row).toMatchObject({ max_items: 200, sections: 1, lookback_hours: 48, template: 'digest_zh', enabled: 0 });
    expect(JSON.parse(row.filters)).toEqual({ include: ['棉花', 'cotton'], categories: ['Markets'], sources: [3, 4] });
    expect(newsletterFilters(row)).toEqual({ include: ['棉花', 'cotton'], categories: ['Markets'], sources: [3, 4] });
  });

  it('rejects invalid fields with a message naming the field', async () => {
    const add = (extra: object) => addNewsletter(store.db, { slug: 'ok', name: 'N', ...extra }, T0);
    await expect(add({ slug: 'Bad Slug' })).rejects.toThrow(/slug "Bad Slug" is invalid/);
    await expect(add({ slug: '-x' })).rejects.toThrow(/slug/);
    await expect(add({ slug: '123' })).rejects.toThrow(/not only digits/);
    await expect(add({ name: '  ' })).rejects.toThrow(/name is empty/);
    await expect(add({ language: 'fr' })).rejects.toThrow(/language "fr" is not supported/);
    await expect(add({ timezone: 'Mars/Olympus' })).rejects.toThrow(/Unknown time zone "Mars\/Olympus"/);
    await expect(add({ maxItems: 0 })).rejects.toThrow(/max items must be a whole number from 1 to 200, got 0/);
    await expect(add({ maxItems: 201 })).rejects.toThrow(/max items/);
    await expect(add({ maxItems: 2.5 })).rejects.toThrow(/max items/);
    await expect(add({ cron: ' ' })).rejects.toThrow(/cron\) is empty/);
    await expect(add({ template: '../../etc/passwd' })).rejects.toThrow(/Template name/);
    await expect(add({ lookbackHours: 0 })).rejects.toThrow(/Lookback/);
    await expect(add({ filters: { include: 'cotton' } })).rejects.toThrow(/"include" must be a list/);
    await expect(add({ filters: { sources: [0] } })).rejects.toThrow(/"sources" must be a list of source ids/);
    await expect(add({ filters: { exclude: ['x'.repeat(201)] } })).rejects.toThrow(/longer than 200/);
    expect(await listNewsletters(store.db)).toEqual([]);
  });

  it('refuses a second newsletter with the same slug, even when both are added at once', async () => {
    const results = await Promise.allSettled([
      addNewsletter(store.db, { slug: 'same', name: 'A' }, T0),
      addNewsletter(store.replica().db, { slug: 'same', name: 'B' }, T0),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(DuplicateNewsletterError);
    expect(await listNewsletters(store.db)).toHaveLength(1);
  });

  it('gets by id or slug, lists in id order, filters by enabled', async () => {
    const a = await addNewsletter(store.db, { slug: 'a', name: 'A' }, T0);
    const b = await addNewsletter(store.db, { slug: 'b', name: 'B', enabled: false }, T0);
    expect(await getNewsletter(store.db, a.id)).toEqual(a);
    expect(await getNewsletter(store.db, 'b')).toEqual(b);
    expect(await getNewsletter(store.db, 'zzz')).toBeUndefined();
    expect((await listNewsletters(store.db)).map((n) => n.slug)).toEqual(['a', 'b']);
    expect((await listNewsletters(store.db, { enabled: true })).map((n) => n.slug)).toEqual(['a']);
    expect((await listNewsletters(store.db, { enabled: false })).map((n) => n.slug)).toEqual(['b']);
  });

  it('updates only the given fields, validated, and bumps updated_at', async () => {
    const a = await addNewsletter(store.db, { slug: 'a', name: 'A' }, T0);
    await addNewsletter(store.db, { slug: 'b', name: 'B' }, T0);
    const updated = await updateNewsletter(store.db, a.id, { maxItems: 5, filters: { exclude: ['ads'] }, sections: true }, T1);
    expect(updated).toEqual({ ...a, max_items: 5, filters: '{"exclude":["ads"]}', sections: 1, updated_at: T1.toISOString() });
    await expect(updateNewsletter(store.db, a.id, { timezone: 'Nowhere/City' }, T1)).rejects.toThrow(/Unknown time zone/);
    await expect(updateNewsletter(store.db, a.id, { slug: 'b' }, T1)).rejects.toBeInstanceOf(DuplicateNewsletterError);
    expect(await getNewsletter(store.db, a.id)).toEqual(updated);
    expect(await updateNewsletter(store.db, 9999, { name: 'X' }, T1)).toBeUndefined();
  });
});

it('reads stored filters tolerantly: unreadable JSON or wrong types become no filter', () => {
  expect(newsletterFilters({ filters: 'not json' })).toEqual({});
  expect(newsletterFilters({ filters: '[1,2]' })).toEqual({});
  expect(newsletterFilters({ filters: '{"include":"cotton","exclude":["a",3,""],"sources":[1,"2",3.5]}' })).toEqual({
    exclude: ['a'],
    sources: [1],
  });
  expect(validateFilters({ include: [], categories: [' '] })).toEqual({});
});
