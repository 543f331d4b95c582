// The newsletter use cases in-process: validation, effects and the audit row each leaves. What
// the front-ends add (parsing, status codes, exit codes, replies) is tested beside them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, CoreContext } from '../../src/core/context.js';
import type { CoreError } from '../../src/core/errors.js';
import { checkSchedule } from '../../src/core/newsletter-schedule.js';
import {
  addNewsletter,
  findNewsletter,
  pauseNewsletter,
  removeNewsletter,
  resumeNewsletter,
  scheduleNewsletter,
  updateNewsletter,
} from '../../src/core/newsletters.js';
import { silentLogger } from '../../src/log.js';
import { listAudit } from '../../src/store/bot.js';
import { claimDigest } from '../../src/store/digests.js';
import { newsletterFilters } from '../../src/store/newsletters.js';
import { addSource } from '../../src/store/sources.js';
import { failure } from '../support/core-failure.js';
import { dialects, type TestStore } from '../support/databases.js';

const sqlite = dialects.find((d) => d.name === 'sqlite')!;
let clock = new Date('2026-11-24T06:00:00.000Z');
let store: TestStore;
const ctx = (actor: Actor = 'cli'): CoreContext => ({ db: store.db, now: () => clock, log: silentLogger(), actor });

const audits = async () => (await listAudit(store.db, { limit: 100 })).reverse().map((r) => ({ actor: r.actor, action: r.action, detail: r.detail, ok: r.ok }));

beforeEach(async () => {
  clock = new Date('2026-11-24T06:00:00.000Z');
  store = await sqlite.open();
});
afterEach(() => store.close());

describe('addNewsletter', () => {
  it('adds with defaults, names it after its slug and audits newsletter.add', async () => {
    const row = await addNewsletter(ctx('api:token'), { slug: 'cotton-daily', cron: ' 30  7 * * 1-5 ', timezone: 'Asia/Shanghai' });
    expect(row).toMatchObject({ slug: 'cotton-daily', name: 'Cotton Daily', cron: '30 7 * * 1-5', timezone: 'Asia/Shanghai', language: 'en', enabled: 1 });
    expect(await audits()).toEqual([
      { actor: 'api:token', action: 'newsletter.add', detail: `newsletter ${row.id} cotton-daily (30 7 * * 1-5 Asia/Shanghai)`, ok: 1 },
    ]);
  });

  it('refuses bad input with a code, the field and a message saying what to use', async () => {
    await addNewsletter(ctx(), { slug: 'daily' });
    const cases: [Parameters<typeof addNewsletter>[1], CoreError['code'], RegExp, string?][] = [
      [{ slug: 'Bad Slug' }, 'invalid', /slug "Bad Slug" is invalid/],
      [{ slug: '' }, 'invalid', /needs a slug/, 'slug'],
      [{ slug: 'fr', language: 'fr' as 'en' }, 'invalid', /language "fr" is not supported: use en or zh/],
      [{ slug: 'huge', maxItems: 500 }, 'invalid', /max items must be a whole number from 1 to 200/],
      [{ slug: 'daily' }, 'conflict', /slug "daily" already exists/],
      [{ slug: 'src', filters: { sources: [7] } }, 'invalid', /source 7, which does not exist/, 'sources'],
      [{ slug: 'cron', cron: 'every morning' }, 'invalid', /Schedule "every morning" is not a valid cron expression/, 'cron'],
      [{ slug: 'zone', timezone: 'Mars/Olympus' }, 'invalid', /Unknown time zone "Mars\/Olympus"/, 'timezone'],
      [{ slug: 'never', cron: '0 8 31 2 *' }, 'invalid', /never fires/, 'cron'],
    ];
    for (const [input, code, message, field] of cases) {
      const err = await failure(addNewsletter(ctx(), input));
      expect([err.code, err.message, err.field], input.slug).toEqual([code, expect.stringMatching(message), field ?? err.field]);
    }
    // Refused input changes nothing and is not an admin change.
    expect((await audits()).map((a) => a.action)).toEqual(['newsletter.add']);
  });
});

describe('updateNewsletter', () => {
  it('changes only what is given: a filter list given replaces that list alone', async () => {
    const source = await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/feed', name: 'Feed' }, clock);
    await addNewsletter(ctx(), { slug: 'daily', filters: { include: ['cotton'], exclude: ['rumour'], sources: [source.id] } });
    const row = await updateNewsletter(ctx('web:ada'), 'daily', { filters: { include: ['polyester'], exclude: [] }, sections: true });
    expect(newsletterFilters(row)).toEqual({ include: ['polyester'], sources: [source.id] });
    expect(row.sections).toBe(1);
    expect((await audits()).at(-1)).toEqual({ actor: 'web:ada', action: 'newsletter.update', detail: `newsletter ${row.id} daily: filters, sections`, ok: 1 });
  });

  it('checks a new cron against the stored zone and a new zone against the stored cron', async () => {
    await addNewsletter(ctx(), { slug: 'daily', cron: '0 8 * * *' });
    expect((await failure(updateNewsletter(ctx(), 'daily', { timezone: 'Nowhere/City' }))).field).toBe('timezone');
    expect((await failure(updateNewsletter(ctx(), 'daily', { cron: '0 8 * *' }))).field).toBe('cron');
    expect((await failure(updateNewsletter(ctx(), 'daily', {}))).message).toMatch(/^Nothing to change/);
    expect((await failure(updateNewsletter(ctx(), 'weekly', { name: 'W' }))).code).toBe('not_found');
    expect((await findNewsletter(ctx(), 'daily')).cron).toBe('0 8 * * *');
  });
});

describe('pause, resume, schedule and remove', () => {
  it('pauses and resumes (twice is no error), audited each time; resuming restarts the schedule count', async () => {
    const { id } = await addNewsletter(ctx(), { slug: 'daily' });
    clock = new Date('2026-11-25T06:00:00.000Z');
    expect((await pauseNewsletter(ctx('telegram:42'), 'daily')).enabled).toBe(0);
    expect((await pauseNewsletter(ctx('telegram:42'), String(id))).enabled).toBe(0);
    clock = new Date('2026-11-26T06:00:00.000Z');
    const resumed = await resumeNewsletter(ctx('api:token'), id);
    expect(resumed).toMatchObject({ enabled: 1, schedule_since: clock.toISOString() });
    expect((await audits()).slice(1)).toEqual([
      { actor: 'telegram:42', action: 'newsletter.pause', detail: `newsletter ${id} daily`, ok: 1 },
      { actor: 'telegram:42', action: 'newsletter.pause', detail: `newsletter ${id} daily (already paused)`, ok: 1 },
      { actor: 'api:token', action: 'newsletter.resume', detail: `newsletter ${id} daily`, ok: 1 },
    ]);
    expect((await failure(pauseNewsletter(ctx(), 'weekly'))).message).toMatch(/^No newsletter "weekly"/);
  });

  it('schedules with the next runs in the zone kept, and refuses a schedule that cannot run', async () => {
    await addNewsletter(ctx(), { slug: 'daily', timezone: 'Asia/Shanghai' });
    const { newsletter, next } = await scheduleNewsletter(ctx('telegram:42'), 'DAILY', { cron: '0   8 * * *' });
    expect(newsletter).toMatchObject({ cron: '0 8 * * *', timezone: 'Asia/Shanghai' });
    // 08:00 in Shanghai is 00:00 UTC; it is 06:00 UTC now.
    expect(next.map((d) => d.toISOString())).toEqual(['2026-11-25T00:00:00.000Z', '2026-11-26T00:00:00.000Z', '2026-11-27T00:00:00.000Z']);
    expect((await audits()).at(-1)).toMatchObject({ action: 'newsletter.update', detail: `newsletter ${newsletter.id} daily: cron, timezone` });
    expect((await failure(scheduleNewsletter(ctx(), 'daily', { cron: '61 8 * * *' }))).code).toBe('invalid');
    expect(() => checkSchedule('', 'UTC', clock)).toThrow(/schedule \(cron\) is empty/);
  });

  it('removes a newsletter without digests and refuses (audited) one that has them', async () => {
    const spare = await addNewsletter(ctx(), { slug: 'spare' });
    const kept = await addNewsletter(ctx(), { slug: 'kept' });
    await claimDigest(store.db, kept.id, clock, clock);
    expect((await removeNewsletter(ctx(), 'spare')).id).toBe(spare.id);
    const err = await failure(removeNewsletter(ctx(), 'kept'));
    expect([err.code, err.message]).toEqual([
      'conflict',
      'Newsletter "kept" has digests (its archive links to them), so it cannot be removed; pause it instead.',
    ]);
    expect((await audits()).slice(2)).toEqual([
      { actor: 'cli', action: 'newsletter.remove', detail: `newsletter ${spare.id} spare`, ok: 1 },
      { actor: 'cli', action: 'newsletter.remove', detail: `newsletter ${kept.id} kept: refused, it has digests`, ok: 0 },
    ]);
    expect((await failure(findNewsletter(ctx(), 'spare'))).code).toBe('not_found');
  });
});
