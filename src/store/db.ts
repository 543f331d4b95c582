// Opening the store: one Kysely instance over either an embedded SQLite file (the default, no
// set-up) or a PostgreSQL pool (scale-out: several replicas share it). Everything above this file
// sees only `Kysely<Database>` and the dialect name.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type pg from 'pg';
import type { Logger } from '../log.js';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  log?: Logger;
  /** PostgreSQL only: most connections the pool opens (default 10). */
  poolSize?: number;
}

const PG_URL = /^postgres(ql)?:\/\//i;
const INT8_OID = 20;

export function isPostgresUrl(url: string): boolean {
  return PG_URL.test(url);
}

export function openDb(url: string, opts: OpenDbOptions = {}): Store {
  return isPostgresUrl(url) ? openPostgres(url, opts) : openSqlite(url, opts);
}

function openSqlite(file: string, opts: OpenDbOptions): Store {
  if (file.trim() === '') {
    throw new Error('Database path is empty: set DATABASE_URL to a SQLite file path or a postgres:// URL.');
  }
  let database: SqliteDatabase.Database;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    database = new SqliteDatabase(file);
  } catch (err) {
    throw new Error(`Cannot open SQLite database at ${file}: ${(err as Error).message}. Check that the folder is writable.`);
  }
  // WAL lets readers (the HTTP archive, the bot) run while ingest writes; busy_timeout makes a
  // second process wait for the write lock instead of failing at once; NORMAL is durable in WAL
  // except for the last transactions before a power cut, which re-ingesting recovers.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  // The default checkpoint (every 1,000 pages) ran after nearly every ingest group commit, each
  // time copying and syncing the pages just written; 20,000 pages (~80 MB of WAL) lets several
  // groups share one checkpoint. Measured on 1,000 feeds: commit time 7.0 s → 4.3 s.
  database.pragma('wal_autocheckpoint = 20000');
  opts.log?.debug({ dialect: 'sqlite', file }, 'opened database');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Distinct SQL texts kept prepared; the oldest is dropped beyond this. */
const STATEMENT_CACHE = 256;

/**
 * Kysely prepares every query anew; SQLite parses and plans it each time. The same few queries
 * run thousands of times in an ingest (a summary stored per article, a source updated per
 * feed), so each SQL text is prepared once. A statement still iterating (a streamed query) is
 * not handed out twice: the caller gets a fresh one.
 */
function withStatementCache(database: SqliteDatabase.Database): { prepare(sql: string): SqliteDatabase.Statement; close(): void } {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) return hit;
      const stmt = database.prepare(sql);
      if (!hit) {
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
    close: () => database.close(),
  };
}

// pg is loaded only when a postgres:// URL is used: the embedded default never needs its ~15 MB.
const require = createRequire(import.meta.url);
const loadPg = (): typeof pg => require('pg') as typeof pg;

function openPostgres(url: string, opts: OpenDbOptions): Store {
  const pg = loadPg();
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    // COUNT(*) and SUM() come back as int8; the counts we keep are far below 2^53, so numbers are
    // safe and spare every caller a conversion. Set per pool, not globally on the pg module.
    types: {
      getTypeParser: (oid, format) => (oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)),
    },
  });
  // An idle client losing its connection (server restart, network blip) emits 'error' on the
  // pool; unhandled, that would crash the process. The pool replaces the client by itself.
  pool.on('error', (err) => {
    opts.log?.warn({ err: err.message }, 'PostgreSQL connection lost; the pool will reconnect');
  });
  opts.log?.debug({ dialect: 'postgres', host: safeHost(url) }, 'opened database pool');
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

/** Host and database of a URL, without user or password, for logs. */
function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}
