// Issue 6 acceptance 2, with a controlled clock: the ticker's work (runSchedules) at chosen
// instants, on both databases. Catch-up, skips with an alert, edits without restart, DST.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { BuildDeps, RenderedParts } from '../../src/digest/build.js';
import { type DigestModel, digestItems } from '../../src/digest/model.js';
import { silentLogger } from '../../src/log.js';
import { runSchedules, type ScheduleDeps } from '../../src/schedule/run.js';
import { wallTimeAt } from '../../src/time-zone.js';
import { insertArticles } from '../../src/store/articles.js';
import { listAlerts } from '../../src/store/alerts.js';
import { addNewsletter, updateNewsletter } from '../../src/store/newsletters.js';
import type { DigestRow, NewsletterRow } from '../../src/store/schema.js';
import { addSource } from '../../src/store/sources.js';
import { alertNotifier } from '../../src/service/alerts.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const at = (iso: string) => new Date(iso);

async function render(model: DigestModel): Promise<RenderedParts> {
  const items = digestItems(model);
  return { subject: model.newsletter.name, preheader: '', html: '<p>x</p>', text: items.map((i) => i.title).join('\n'), telegram: [] };
}

forEachDialect('schedule runs', (dialect) => {
  let store: TestStore;
  let clock: Date;
  let source: number;
  let n = 0;
  const deps = (): ScheduleDeps => {
    const base = { db: store.db, log: silentLogger(), now: () => clock };
    const build: BuildDeps = { ...base, render };
    return { ...base, build, alert: alertNotifier(base) };
  };
  const tick = async (iso: string) => {
    clock = at(iso);
    return runSchedules(deps());
  };
  const digests = (id: number) => store.db.selectFrom('digests').selectAll().where('newsletter_id', '=', id).orderBy('slot_at').execute();
  const article = async (fetched: string) => {
    n++;
    const fetchedAt = at(fetched).toISOString();
    const row = {
      source_id: source,
      guid: `g${n}`,
      guid_key: `${source}:g${n}`,
      url: `https://127.0.0.1/a/${n}`,
      title: `Story number ${n} about cotton`,
      published_at: fetchedAt,
      fetched_at: fetchedAt,
      lang: 'en',
      text: `Body ${n}.`,
      fingerprint: `fp${n}`,
      search_text: `story ${n}`,
    };
    return (await insertArticles(store.db, [row])).inserted[0]!.id;
  };
  const itemIds = async (d: DigestRow) =>
    (await store.db.selectFrom('digest_items').select('article_id').where('digest_id', '=', d.id).execute()).map((r) => r.article_id).sort((a, b) => a - b);
  const hourly = (grace: number, created = '2026-11-24T07:30:00Z'): Promise<NewsletterRow> =>
    addNewsletter(
      store.db,
      { slug: `hourly-${grace}`, name: `Hourly ${grace}`, cron: '0 * * * *', timezone: 'Asia/Shanghai', catchUpGraceMinutes: grace, lookbackHours: 2 },
      at(created),
    );

  beforeEach(async () => {
    store = await dialect.open();
    source = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/a', name: 'Alpha' }, at('2026-11-24T00:00:00Z'))).id;
  });
  afterEach(async () => {
    await store.close();
  });

  it('builds each slot once, however often and from how many replicas it ticks', async () => {
    const nl = await hourly(60);
    await article('2026-11-24T07:45:00Z');
    expect(await tick('2026-11-24T07:59:59Z')).toEqual([]);
    const [first] = await tick('2026-11-24T08:00:01Z');
    expect(first!.built).toMatchObject({ status: 'ready', slot: at('2026-11-24T08:00:00Z'), covers: [] });
    expect(await tick('2026-11-24T08:00:30Z')).toEqual([]);
    await Promise.all([tick('2026-11-24T08:00:40Z'), tick('2026-11-24T08:00:41Z')]);
    expect((await digests(nl.id)).map((d) => d.slot_at)).toEqual(['2026-11-24T08:00:00.000Z']);
  });

  it('after downtime inside the grace: exactly one catch-up digest covering every missed slot and all their articles', async () => {
    const nl = await hourly(360);
    const early = await article('2026-11-24T07:45:00Z');
    await tick('2026-11-24T08:00:05Z');
    // Down from 08:05 to 10:20: the 09:00 and 10:00 slots were missed; articles kept arriving.
    const a = await article('2026-11-24T08:30:00Z');
    const b = await article('2026-11-24T09:40:00Z');
    const c = await article('2026-11-24T09:55:00Z');
    await article('2026-11-24T10:10:00Z'); // after the slot: the next digest's
    const [run] = await tick('2026-11-24T10:20:00Z');
    expect(run!.built).toMatchObject({ status: 'ready', slot: at('2026-11-24T10:00:00Z'), covers: [at('2026-11-24T09:00:00Z')] });
    expect(run!.skipped).toEqual([]);
    const rows = await digests(nl.id);
    expect(rows.map((d) => [d.slot_at, d.status])).toEqual([
      ['2026-11-24T08:00:00.000Z', 'ready'],
      ['2026-11-24T10:00:00.000Z', 'ready'],
    ]);
    expect(JSON.parse(rows[1]!.covers!)).toEqual(['2026-11-24T09:00:00.000Z']);
    expect(await itemIds(rows[0]!)).toEqual([early]);
    expect(await itemIds(rows[1]!)).toEqual([a, b, c]);
    expect(await listAlerts(store.db, { limit: 10 })).toEqual([]);
  });

  it('after downtime beyond the grace: a skip record for each missed slot and one alert, and nothing lost', async () => {
    const nl = await hourly(30);
    await tick('2026-11-24T08:00:05Z');
    const late = await article('2026-11-24T09:30:00Z');
    // Down until 12:45: 09:00 … 12:00 are all older than the 30 minute grace.
    const [run] = await tick('2026-11-24T12:45:00Z');
    expect(run!.built).toBeUndefined();
    expect(run!.skipped).toHaveLength(4);
    const rows = await digests(nl.id);
    expect(rows.map((d) => [d.slot_at.slice(11, 16), d.status])).toEqual([
      ['08:00', 'skipped'],
      ['09:00', 'skipped'],
      ['10:00', 'skipped'],
      ['11:00', 'skipped'],
      ['12:00', 'skipped'],
    ]);
    expect(rows[1]!.reason).toContain('catch-up grace (30 min)');
    const alerts = await listAlerts(store.db, { limit: 10 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'missed-slots', newsletter_id: nl.id });
    expect(alerts[0]!.message).toContain('4 slots from 2026-11-24T09:00:00.000Z to 2026-11-24T12:00:00.000Z were missed');
    // A second replica ticking the same moment finds nothing left to skip and alerts nobody.
    expect(await tick('2026-11-24T12:45:01Z')).toEqual([]);
    expect(await listAlerts(store.db, { limit: 10 })).toHaveLength(1);
    // The next slot's digest carries the article nobody was sent.
    const [next] = await tick('2026-11-24T13:00:02Z');
    expect(next!.built!.status).toBe('ready');
    expect(await itemIds((await digests(nl.id)).at(-1)!)).toEqual([late]);
  });

  it('applies a schedule edit at the next tick, without restart, and owes nothing from before it', async () => {
    const nl = await hourly(360);
    await tick('2026-11-24T08:00:05Z');
    // 08:10: hourly becomes daily at 09:30 Shanghai (01:30Z); the 09:00Z hourly slot is not owed.
    await updateNewsletter(store.db, nl.id, { cron: '30 9 * * *' }, at('2026-11-24T08:10:00Z'));
    expect(await tick('2026-11-24T09:00:05Z')).toEqual([]);
    const [run] = await tick('2026-11-25T01:30:05Z');
    expect(run!.built!.slot).toEqual(at('2026-11-25T01:30:00Z'));
    expect(run!.built!.covers).toEqual([]);
    // Paused, then resumed a day later: the paused day's slot is not caught up.
    await updateNewsletter(store.db, nl.id, { enabled: false }, at('2026-11-25T02:00:00Z'));
    expect(await tick('2026-11-26T01:30:05Z')).toEqual([]);
    await updateNewsletter(store.db, nl.id, { enabled: true }, at('2026-11-26T02:00:00Z'));
    expect(await tick('2026-11-26T02:00:05Z')).toEqual([]);
    expect((await digests(nl.id)).map((d) => d.slot_at)).toEqual(['2026-11-24T08:00:00.000Z', '2026-11-25T01:30:00.000Z']);
  });

  it('sends exactly one daily digest per day in Europe/Berlin across both DST changes', async () => {
    // 02:30 does not exist on 28 March 2027 and happens twice on 31 October 2027.
    const nl = await addNewsletter(
      store.db,
      { slug: 'berlin', name: 'Berlin', cron: '30 2 * * *', timezone: 'Europe/Berlin', catchUpGraceMinutes: 60 },
      at('2027-03-26T12:00:00Z'),
    );
    const days = async (fromIso: string, toIso: string) => {
      for (let t = Date.parse(fromIso); t <= Date.parse(toIso); t += 5 * 60_000) {
        await article(new Date(t - 60_000).toISOString());
        await tick(new Date(t).toISOString());
      }
    };
    await days('2027-03-26T12:00:00Z', '2027-03-30T12:00:00Z');
    await updateNewsletter(store.db, nl.id, { enabled: false }, at('2027-03-30T12:00:01Z'));
    await updateNewsletter(store.db, nl.id, { enabled: true }, at('2027-10-28T12:00:00Z'));
    await days('2027-10-28T12:00:00Z', '2027-11-01T12:00:00Z');
    const rows = await digests(nl.id);
    const localDays = rows.map((d) => {
      const w = wallTimeAt(Date.parse(d.slot_at), 'Europe/Berlin');
      return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')} ${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
    });
    expect(localDays).toEqual([
      '2027-03-27 02:30',
      '2027-03-28 03:00', // the gap: the first minute after it
      '2027-03-29 02:30',
      '2027-03-30 02:30',
      '2027-10-29 02:30',
      '2027-10-30 02:30',
      '2027-10-31 02:30', // the first of the two 02:30s (CEST)
      '2027-11-01 02:30',
    ]);
    expect(rows[6]!.slot_at).toBe('2027-10-31T00:30:00.000Z');
    expect(rows.every((d) => d.status === 'ready')).toBe(true);
  });
});
