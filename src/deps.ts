// The one place adapters are chosen and wired. Everything else receives the few pieces it uses.
import type { Config } from './config.js';
import { feedReader } from './sources/feed.js';
import { parseFeed } from './sources/feed/parse.js';
import { createFetcher } from './sources/fetcher.js';
import { withLocalFiles } from './sources/local.js';
import { pageReader } from './sources/page.js';
import { textdumpReader } from './sources/textdump.js';
import type { Fetcher, Reader, SourceKind } from './sources/types.js';
import { openDb, type Store } from './store/db.js';
import { migrateToLatest } from './store/migrate.js';
import type { Logger } from './log.js';
import type { IngestDeps } from './ingest/ingest.js';

export interface Deps {
  config: Readonly<Config>;
  log: Logger;
  store: Store;
  fetcher: Fetcher;
  readers: Record<SourceKind, Reader>;
  now: () => Date;
  close(): Promise<void>;
}

export function buildReaders(): Record<SourceKind, Reader> {
  return {
    feed: withLocalFiles(feedReader(), (body, url) => parseFeed(body, { url })),
    page: pageReader(),
    textdump: textdumpReader(),
  };
}

export async function buildDeps(config: Readonly<Config>, log: Logger, opts: { migrate?: boolean } = {}): Promise<Deps> {
  const store = openDb(config.databaseUrl, { log });
  if (opts.migrate !== false) await migrateToLatest(store);
  const fetcher = createFetcher({ ...config.fetch, allow: [...config.fetch.allow] });
  return {
    config,
    log,
    store,
    fetcher,
    readers: buildReaders(),
    now: () => new Date(),
    async close() {
      await fetcher.close();
      await store.close();
    },
  };
}

export function ingestDeps(deps: Deps): IngestDeps {
  return {
    db: deps.store.db,
    readers: deps.readers,
    fetcher: deps.fetcher,
    log: deps.log,
    now: deps.now,
    concurrency: deps.config.ingest.concurrency,
    pauseAfter: deps.config.ingest.pauseAfter,
  };
}
