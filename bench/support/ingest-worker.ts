// One ingester process for the benchmark: a fresh SQLite store, N sources on N hostnames (all
// resolving to the loopback feed server), a first pass and then passes that should all be 304.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildReaders } from '../../src/deps.js';
import { ingestAll } from '../../src/ingest/ingest.js';
import { createStories } from '../../src/ingest/story-sync.js';
import { silentLogger } from '../../src/log.js';
import { createFetcher } from '../../src/sources/fetcher.js';
import { tuneHeap } from '../../src/runtime.js';
import { openDb } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { addSource } from '../../src/store/sources.js';

// The same process settings as `tidings ingest`, which this worker stands in for.
tuneHeap();
const [port, feeds, repeats] = process.argv.slice(2).map(Number) as [number, number, number];
const dir = mkdtempSync(path.join(tmpdir(), 'tidings-bench-'));
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
try {
  const store = openDb(path.join(dir, 'bench.db'));
  await migrateToLatest(store);
  const now = () => new Date();
  for (let f = 0; f < feeds; f++) {
    await addSource(store.db, { kind: 'feed', url: `http://feed${f}.bench.test:${port}/feed/${f}.xml`, name: `bench ${f}`, intervalMinutes: 60, options: {} }, now());
  }
  const fetcher = createFetcher({
    userAgent: 'tidings-bench', timeoutMs: 20_000, idleTimeoutMs: 10_000, maxBytes: 15 << 20, maxRedirects: 5,
    perHostConcurrency: 4, allow: ['127.0.0.1'], lookup: async () => [{ address: '127.0.0.1', family: 4 }],
  });
  const deps = { db: store.db, readers: buildReaders(), fetcher, log: silentLogger(), now, concurrency: 32, pauseAfter: 10, stories: createStories({ dialect: store.dialect }) };
  let t0 = performance.now();
  const first = await ingestAll(deps);
  const firstMs = performance.now() - t0;
  const againMs: number[] = [];
  let notModified = 0;
  for (let i = 0; i < repeats; i++) {
    t0 = performance.now();
    const again = await ingestAll(deps);
    againMs.push(performance.now() - t0);
    notModified = again.notModified;
  }
  await fetcher.close();
  await store.close();
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stdout.write(JSON.stringify({ firstMs, againMs, stored: first.new, failed: first.failed, notModified, peakRss: peak, maxRss: process.resourceUsage().maxRSS * 1024 }) + '\n');
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
