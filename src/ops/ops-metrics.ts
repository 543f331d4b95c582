// Tidings' metrics: events the service reports as they happen (ingest runs, digests built, each
// send's latency) and state read from the database at scrape time (articles, sources by state,
// digests by status, deliveries by channel and state).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { BuildResult } from '../digest/build.js';
import type { IngestSummary } from '../ingest/ingest.js';
import type { Logger } from '../log.js';
import type { Channel, Database, DeliveryState, DigestStatus } from '../store/schema.js';
import { readDbCounts } from '../store/db-counts.js';
import { cachedRead } from './db-counts.js';
import { type HistogramChild, LATENCY_BUCKETS, Registry } from './metrics.js';

export type SendOutcome = 'ok' | 'failed';

export interface OpsMetrics {
  /** After every ingest run, with what `ingestAll` returned. */
  recordIngest(summary: Pick<IngestSummary, 'sources' | 'new' | 'notModified' | 'failed'>): void;
  /** After every digest build, with the build's status. */
  recordDigest(status: BuildResult['status']): void;
  /** The send loops' `observe` hook (SendDeps / TelegramSendDeps). */
  observeSend(channel: Channel, seconds: number, outcome: SendOutcome): void;
  /** The exposition text for GET /metrics. */
  render(): Promise<string>;
  /** Stops the event-loop monitor (at shutdown). */
  close(): void;
}

export interface OpsMetricsOptions {
  db: Kysely<Database>;
  log: Logger;
  now: () => Date;
  /** How long database-derived gauges are reused (default 5 s). */
  cacheMs?: number;
}

const DIGEST_STATUSES: readonly DigestStatus[] = ['building', 'ready', 'skipped', 'failed'];
const CHANNELS: readonly Channel[] = ['email', 'telegram'];
const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'sending', 'sent', 'failed', 'suppressed'];

export function createOpsMetrics(opts: OpsMetricsOptions): OpsMetrics {
  const r = new Registry();
  const fetches = r.counter('tidings_source_fetches_total', 'Source fetches by result.', ['result']);
  const ingested = r.counter('tidings_articles_ingested_total', 'New articles stored by ingest runs.');
  const built = r.counter('tidings_digests_built_total', 'Digest builds by outcome.', ['status']);
  const sendSeconds = r.histogram(
    'tidings_send_duration_seconds',
    'Time to hand one message to the channel (Telegram: one delivery, all parts, pacing included).',
    ['channel'],
    LATENCY_BUCKETS,
  );
  const sends = r.counter('tidings_sends_total', 'Send attempts by channel and outcome.', ['channel', 'outcome']);
  const dbUp = r.gauge('tidings_database_up', '1 when the last read of the counts below succeeded.');
  const articles = r.gauge('tidings_articles', 'Articles stored.');
  const sources = r.gauge('tidings_sources', 'Sources by state (failing: failed lately but still tried; paused: not fetched).', ['state']);
  const digests = r.gauge('tidings_digests', 'Digests by status.', ['status']);
  const deliveries = r.gauge('tidings_deliveries', 'Deliveries by channel and state.', ['channel', 'state']);

  // Resolved once: the send path then updates plain numbers, allocating nothing.
  const fetchOk = fetches.labels('ok');
  const fetchNotModified = fetches.labels('not_modified');
  const fetchFailed = fetches.labels('failed');
  const perChannel = new Map<string, { hist: HistogramChild; ok: { inc(): void }; failed: { inc(): void } }>(
    CHANNELS.map((c) => [c, { hist: sendSeconds.labels(c), ok: sends.labels(c, 'ok'), failed: sends.labels(c, 'failed') }]),
  );

  const counts = cachedRead(() => readDbCounts(opts.db), opts.cacheMs ?? 5_000, opts.now);
  let wasUp = true;
  r.onCollect(async () => {
    try {
      const c = await counts();
      articles.labels().set(c.articles);
      for (const [state, n] of Object.entries(c.sources)) sources.labels(state).set(n);
      digests.reset();
      for (const s of DIGEST_STATUSES) digests.labels(s).set(0);
      for (const [s, n] of c.digests) digests.labels(s).set(n);
      deliveries.reset();
      for (const ch of CHANNELS) for (const st of DELIVERY_STATES) deliveries.labels(ch, st).set(0);
      for (const [key, n] of c.deliveries) deliveries.labels(...(key.split('\u0000') as [string, string])).set(n);
      dbUp.labels().set(1);
      wasUp = true;
    } catch (err) {
      // Stale numbers would look like a healthy, idle system: drop them until the database answers.
      for (const g of [sources, digests, deliveries]) g.reset();
      articles.labels().set(Number.NaN);
      dbUp.labels().set(0);
      if (wasUp) opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'metrics: cannot read counts from the database');
      wasUp = false;
    }
  });
  const proc = registerProcessMetrics(r, opts.now);

  return {
    recordIngest(summary) {
      fetchOk.inc(Math.max(0, summary.sources - summary.notModified - summary.failed));
      fetchNotModified.inc(summary.notModified);
      fetchFailed.inc(summary.failed);
      ingested.labels().inc(summary.new);
    },
    recordDigest(status) {
      built.labels(status).inc();
    },
    observeSend(channel, seconds, outcome) {
      const c = perChannel.get(channel);
      if (!c) return;
      c.hist.observe(seconds);
      (outcome === 'ok' ? c.ok : c.failed).inc();
    },
    render: () => r.render(),
    close: () => proc.close(),
  };
}

// The process's own gauges: memory, uptime and how late the event loop runs. A late event loop is
// the first sign of a blocking task (a huge feed parsed synchronously, a query without an index)
// long before requests time out.
const RESOLUTION_MS = 20;
/** The p99 covers at least this long a window, so a burst of scrapes does not shrink it to nothing. */
const MIN_WINDOW_MS = 5_000;

function registerProcessMetrics(registry: Registry, now: () => Date): { close(): void } {
  const rss = registry.gauge('tidings_process_resident_memory_bytes', 'Resident memory of the process, in bytes.');
  const heap = registry.gauge('tidings_process_heap_used_bytes', 'V8 heap in use, in bytes.');
  const uptime = registry.gauge('tidings_process_uptime_seconds', 'Seconds since the process started.');
  const lag = registry.gauge(
    'tidings_event_loop_delay_p99_seconds',
    'The 99th percentile of event-loop delay since the previous window (at least 5 s), in seconds.',
  );
  const monitor = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  monitor.enable();
  let windowStart = now().getTime();
  let p99: number | undefined;
  registry.onCollect(() => {
    const memory = process.memoryUsage();
    rss.labels().set(memory.rss);
    heap.labels().set(memory.heapUsed);
    uptime.labels().set(Math.round(process.uptime()));
    const t = now().getTime();
    if (monitor.count > 0 && (p99 === undefined || t - windowStart >= MIN_WINDOW_MS)) {
      // The monitor records the time between its timer's runs, the sampling interval included.
      p99 = Math.max(0, monitor.percentile(99) / 1e9 - RESOLUTION_MS / 1000);
      monitor.reset();
      windowStart = t;
    }
    lag.labels().set(p99 ?? 0);
  });
  return { close: () => monitor.disable() };
}
