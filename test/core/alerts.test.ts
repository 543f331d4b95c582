// Alerts and the admin numbers in-process: listing, acknowledging once (audited), and the stats
// the dashboard, the bot's /stats and GET /api/v1/stats all read.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acknowledgeAlert, listAlerts } from '../../src/core/alerts.js';
import type { CoreContext } from '../../src/core/context.js';
import { adminStats } from '../../src/core/stats.js';
import { silentLogger } from '../../src/log.js';
import { addAlert } from '../../src/store/alerts.js';
import { listAudit } from '../../src/store/bot.js';
import { addSource, pauseSource, recordFetchFailure } from '../../src/store/sources.js';
import { failure } from '../support/core-failure.js';
import { dialects, type TestStore } from '../support/databases.js';

const sqlite = dialects.find((d) => d.name === 'sqlite')!;
const clock = new Date('2026-11-24T06:00:00.000Z');
let store: TestStore;
const ctx = (): CoreContext => ({ db: store.db, now: () => clock, log: silentLogger(), actor: 'web:admin' });

beforeEach(async () => {
  store = await sqlite.open();
});
afterEach(() => store.close());

describe('alerts', () => {
  it('lists open ones newest first; acknowledging is audited once, then a conflict', async () => {
    const first = await addAlert(store.db, { kind: 'missed-slot', message: 'daily missed 08:00' }, clock);
    const second = await addAlert(store.db, { kind: 'missed-slot', message: 'weekly missed 09:00' }, clock);
    expect((await listAlerts(ctx())).map((a) => a.id)).toEqual([second.id, first.id]);
    expect((await acknowledgeAlert(ctx(), first.id)).acknowledged_at).toBe(clock.toISOString());
    expect((await listAlerts(ctx())).map((a) => a.id)).toEqual([second.id]);
    expect((await listAlerts(ctx(), { all: true })).map((a) => a.id)).toEqual([second.id, first.id]);
    const again = await failure(acknowledgeAlert(ctx(), first.id));
    expect([again.code, again.message]).toEqual(['conflict', `Alert ${first.id} was already acknowledged at ${clock.toISOString()}.`]);
    expect((await failure(acknowledgeAlert(ctx(), 999))).code).toBe('not_found');
    expect((await failure(listAlerts(ctx(), { limit: 0 }))).field).toBe('limit');
    const rows = await listAudit(store.db, { limit: 10 });
    expect(rows.map((r) => [r.actor, r.action, r.ok, r.detail])).toEqual([
      ['web:admin', 'alert.acknowledge', 1, `alert ${first.id} (missed-slot): daily missed 08:00`],
    ]);
  });
});

describe('adminStats', () => {
  it('counts open alerts and shows paused and failing sources, the worst first', async () => {
    const ok = await addSource(store.db, { kind: 'feed', url: 'https://ok.example.org/', name: 'Fine' }, clock);
    const bad = await addSource(store.db, { kind: 'feed', url: 'https://bad.example.org/', name: 'Bad' }, clock);
    const off = await addSource(store.db, { kind: 'feed', url: 'https://off.example.org/', name: 'Off' }, clock);
    await recordFetchFailure(store.db, bad.id, 'HTTP 500', clock, { pauseAfter: 10 });
    await pauseSource(store.db, off.id, 'redesign', clock);
    await addAlert(store.db, { kind: 'missed-slot', message: 'x' }, clock);
    const s = await adminStats(ctx());
    expect(s.failingSources.map((r) => r.name)).toEqual(['Bad', 'Off']);
    expect(s.failingSources.some((r) => r.id === ok.id)).toBe(false);
    expect([s.openAlerts, s.subscriptions, s.lastDigests]).toEqual([1, [], []]);
  });
});
