// What the admin web UI needs. HttpDeps.admin carries AdminWebOptions (built by adminWebDeps in
// src/deps.ts); the server adds the pieces every route shares (db, log, clock, sender).
import type { Kysely } from 'kysely';
import type { AdminConfig } from '../../config/admin.js';
import type { BuildDeps } from '../../digest/build.js';
import type { SenderInfo } from '../../digest/model.js';
import type { Logger } from '../../log.js';
import type { Fetcher, Reader, SourceKind } from '../../sources/types.js';
import type { Database } from '../../store/schema.js';

export interface AdminWebOptions {
  /** ADMIN_PASSWORD_HASH, ADMIN_TOKEN and the session length; without either credential only a setup page is served. */
  credentials: AdminConfig;
  /** How "send now" and "preview" build a digest (digestDeps). */
  build: BuildDeps;
  /** Wakes this process's delivery loops after a send-now (absent: they find the rows when idle). */
  wake?: () => void;
  /** The test fetch before a source is added. */
  fetcher: Fetcher;
  readers: Record<SourceKind, Reader>;
  /** Minutes between fetches of a source added here (SOURCE_INTERVAL_MINUTES). */
  sourceIntervalMinutes: number;
  /** Login attempts one IP may make per 15 minutes (in memory, per process); then a 429 page. */
  loginAttempts?: number;
}

export interface AdminDeps extends AdminWebOptions {
  db: Kysely<Database>;
  log: Logger;
  now: () => Date;
  sender: SenderInfo;
}
