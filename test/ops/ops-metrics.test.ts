// Tidings' metrics over a real store: database gauges (one GROUP BY each, cached for 5 s of the
// injected clock), the ingest and digest counters, and the send loop's observe hook feeding
// the latency histogram.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { EmailChannel } from '../../src/deliver/channel.js';
import { createDeliveries } from '../../src/store/deliveries.js';
import { sendTelegramPending } from '../../src/deliver/telegram-send.js';
import { sendPending } from '../../src/deliver/email-send.js';
import { silentLogger } from '../../src/log.js';
import { createOpsMetrics, type OpsMetrics } from '../../src/ops/ops-metrics.js';
import { insertArticles } from '../../src/store/articles.js';
import { claimDigest, failDigest } from '../../src/store/digests.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { addSource, pauseSource, recordFetchFailure } from '../../src/store/sources.js';
import { subscribe, upsertSubscriber } from '../../src/store/subscribers.js';
import { startBotApiEmulator } from '../support/bot-api-emulator.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { telegramDeps, telegramDigest, telegramNewsletter, text } from '../deliver/telegram-fixtures.js';

const T0 = new Date('2026-11-24T08:00:00.000Z');

/** The value of one series in the exposition text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

forEachDialect('ops metrics', (dialect) => {
  let store: TestStore;
  let clock: Date;
  let metrics: OpsMetrics;
  beforeEach(async () => {
    store = await dialect.open();
    clock = T0;
    metrics = createOpsMetrics({ db: store.db, log: silentLogger(), now: () => clock });
  });
  afterEach(async () => {
    metrics.close();
    await store.close();
  });

  async function seed(): Promise<void> {
    const a = await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/a.xml', name: 'a' }, T0);
    const b = await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/b.xml', name: 'b' }, T0);
    const c = await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/c.xml', name: 'c' }, T0);
    await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/d.xml', name: 'd' }, T0);
    await pauseSource(store.db, b.id, 'by hand', T0);
    await recordFetchFailure(store.db, c.id, 'HTTP 500', T0, { pauseAfter: 10 });
    await insertArticles(
      store.db,
      [1, 2, 3].map((n) => ({
        source_id: a.id,
        guid: `g${n}`,
        guid_key: `${a.id}:g${n}`,
        url: null,
        canonical_url: null,
        title: `S${n}`,
        published_at: T0.toISOString(),
        fetched_at: T0.toISOString(),
        lang: 'en',
        text: `body ${n}`,
        fingerprint: `fp${n}`,
        search_text: `s${n}`,
      })),
    );
    const nl = await addNewsletter(store.db, { slug: 'n', name: 'N' }, T0);
    const failed = await claimDigest(store.db, nl.id, new Date(T0.getTime() - 86_400_000), T0);
    await failDigest(store.db, failed!.id, 'render failed', T0);
    const digest = await claimDigest(store.db, nl.id, T0, T0);
    for (const n of [1, 2]) {
      const s = await upsertSubscriber(store.db, { email: `r${n}@example.org`, name: null }, T0);
      await subscribe(store.db, { subscriberId: s.id, newsletterId: nl.id, channel: 'email', status: 'active', consent: { source: 'cli' } }, T0);
    }
    await createDeliveries(store.db, { digestId: digest!.id, newsletterId: nl.id, domain: 'example.org', now: T0 });
  }

  it('reads articles, sources by state, digests by status and deliveries by channel and state from the database', async () => {
    await seed();
    const text = await metrics.render();
    expect(sample(text, 'tidings_database_up')).toBe(1);
    expect(sample(text, 'tidings_articles')).toBe(3);
    expect(sample(text, 'tidings_sources{state="active"}')).toBe(2);
    expect(sample(text, 'tidings_sources{state="paused"}')).toBe(1);
    expect(sample(text, 'tidings_sources{state="failing"}')).toBe(1);
    expect(sample(text, 'tidings_digests{status="building"}')).toBe(1);
    expect(sample(text, 'tidings_digests{status="failed"}')).toBe(1);
    expect(sample(text, 'tidings_digests{status="ready"}')).toBe(0);
    expect(sample(text, 'tidings_deliveries{channel="email",state="pending"}')).toBe(2);
    expect(sample(text, 'tidings_deliveries{channel="telegram",state="sent"}')).toBe(0);
    expect(text).toMatch(/^tidings_process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^tidings_event_loop_delay_p99_seconds [\d.e-]+$/m);
  });

  it('reuses the database counts for 5 seconds, then reads them again', async () => {
    expect(sample(await metrics.render(), 'tidings_sources{state="active"}')).toBe(0);
    await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/new.xml', name: 'new' }, T0);
    clock = new Date(T0.getTime() + 4_999);
    expect(sample(await metrics.render(), 'tidings_sources{state="active"}')).toBe(0);
    clock = new Date(T0.getTime() + 5_000);
    expect(sample(await metrics.render(), 'tidings_sources{state="active"}')).toBe(1);
  });

  it('counts ingest results and digest builds as the service reports them', async () => {
    metrics.recordIngest({ sources: 5, new: 12, notModified: 2, failed: 1 });
    metrics.recordIngest({ sources: 1, new: 0, notModified: 0, failed: 1 });
    metrics.recordDigest('ready');
    metrics.recordDigest('ready');
    metrics.recordDigest('skipped');
    const text = await metrics.render();
    expect(sample(text, 'tidings_source_fetches_total{result="ok"}')).toBe(2);
    expect(sample(text, 'tidings_source_fetches_total{result="not_modified"}')).toBe(2);
    expect(sample(text, 'tidings_source_fetches_total{result="failed"}')).toBe(2);
    expect(sample(text, 'tidings_articles_ingested_total')).toBe(12);
    expect(sample(text, 'tidings_digests_built_total{status="ready"}')).toBe(2);
    expect(sample(text, 'tidings_digests_built_total{status="skipped"}')).toBe(1);
  });

  it('times each send through the send loop’s observe hook', async () => {
    await seed();
    let n = 0;
    const email: EmailChannel = {
      name: 'email',
      async send() {
        if (++n === 1) throw new Error('421 try later');
        return { response: '250 ok' };
      },
      async close() {},
    };
    const deliveryFor = (row: { id: number; address: string; message_id: string }) => ({
      deliveryId: row.id,
      to: row.address,
      messageId: row.message_id,
      recipient: { name: null, unsubscribeUrl: 'https://x/u', preferencesUrl: 'https://x/p' },
    });
    const content = {
      digestId: 0,
      rendered: { subject: 'S', preheader: 'P', html: '<p>x</p>', text: 'x' },
      from: { name: 'N', address: 'n@example.org' },
      listId: 'N <n.example.org>',
    };
    await sendPending(
      {
        db: store.db,
        dialect: store.dialect,
        email,
        log: silentLogger(),
        now: () => clock,
        contentFor: async () => content,
        deliveryFor,
        observe: metrics.observeSend,
      },
      { concurrency: 1, leaseMs: 60_000, maxAttempts: 3 },
    );
    const text = await metrics.render();
    expect(sample(text, 'tidings_send_duration_seconds_count{channel="email"}')).toBe(2);
    expect(sample(text, 'tidings_send_duration_seconds_bucket{channel="email",le="+Inf"}')).toBe(2);
    expect(sample(text, 'tidings_sends_total{channel="email",outcome="ok"}')).toBe(1);
    expect(sample(text, 'tidings_sends_total{channel="email",outcome="failed"}')).toBe(1);
    expect(sample(text, 'tidings_send_duration_seconds_count{channel="telegram"}')).toBe(0);
  });

  it('times each Telegram delivery through the Telegram loop’s observe hook', async () => {
    const emu = await startBotApiEmulator({ limits: false });
    try {
      const { newsletterId } = await telegramNewsletter(store.db, ['101', '102', '103'], T0);
      const digestId = await telegramDigest(store.db, newsletterId, [text('<b>One</b>'), text('Two')], T0);
      emu.script(103, { kind: 'blocked' }, { times: Number.POSITIVE_INFINITY });
      const deps = {
        ...telegramDeps({ db: store.db, dialect: store.dialect, apiRoot: emu.url, token: emu.token, limits: { perChatMs: 0 } }),
        observe: metrics.observeSend,
      };
      await sendTelegramPending(deps, { concurrency: 3, leaseMs: 60_000, maxAttempts: 3, digestId });
    } finally {
      await emu.close();
    }
    const out = await metrics.render();
    expect(sample(out, 'tidings_send_duration_seconds_count{channel="telegram"}')).toBe(3);
    expect(sample(out, 'tidings_sends_total{channel="telegram",outcome="ok"}')).toBe(2);
    expect(sample(out, 'tidings_sends_total{channel="telegram",outcome="failed"}')).toBe(1);
    expect(sample(out, 'tidings_deliveries{channel="telegram",state="sent"}')).toBe(2);
  });
});
