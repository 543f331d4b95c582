// The dialect harness: every store-backed test runs once per database Tidings supports. SQLite
// gets a fresh file in a temp dir; PostgreSQL a fresh schema in the test database, dropped on
// close. Both come migrated. When PostgreSQL is unreachable the pg leg is skipped with a printed
// reason, except in CI, where a missing PostgreSQL must fail the run instead of hiding a dialect.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { type DialectName, openDb, type Store } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { PG_URL } from './pg-url.js';

export interface TestStore extends Store {
  /**
   * PostgreSQL: a second, independent pool on the same schema, as another replica would have,
   * for races and lock tests. SQLite: the same connection. better-sqlite3 is synchronous, so a
   * second connection in this process waiting for a lock would block the very event loop that
   * must release it; processes sharing a SQLite file are tested with a child process instead.
   * Closed by the owning store's close().
   */
  replica(): Store;
  /** What DATABASE_URL a child process would use to open this same store. */
  url: string;
}

export interface TestDialect {
  name: DialectName;
  open(): Promise<TestStore>;
}

export { PG_URL };

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  // Tests never need durability; skipping the commit flush makes each DDL and insert faster.
  u.searchParams.set('options', `-c search_path=${schema} -c synchronous_commit=off`);
  return u.toString();
}

/** Closes the replicas, then the store, then runs `cleanup`, even if one of them fails. */
function testStore(store: Store, url: string, openReplica: () => Store, cleanup: () => Promise<void>): TestStore {
  const replicas: Store[] = [];
  return {
    ...store,
    url,
    replica() {
      const r = openReplica();
      replicas.push(r);
      return r;
    },
    async close() {
      try {
        await Promise.allSettled(replicas.map((r) => r.close()));
        await store.close();
      } finally {
        await cleanup();
      }
    },
  };
}

async function openSqlite(): Promise<TestStore> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tidings-db-'));
  const file = path.join(dir, 'test.sqlite');
  const store = openDb(file);
  await migrateToLatest(store);
  return testStore(
    store,
    file,
    () => ({ db: store.db, dialect: 'sqlite', close: async () => {} }),
    async () => rmSync(dir, { recursive: true, force: true }),
  );
}

// One small pool per test process for creating and dropping schemas; it lets the process exit
// while idle, so nobody has to remember to close it.
let admin: pg.Pool | undefined;
async function adminQuery(text: string): Promise<void> {
  if (!admin) {
    admin = new pg.Pool({ connectionString: PG_URL, connectionTimeoutMillis: 3000, max: 2, allowExitOnIdle: true });
    admin.on('error', () => {}); // an idle admin connection dropping is harmless: the next query reconnects
  }
  await admin.query(text);
}

async function openPostgres(): Promise<TestStore> {
  // pid + random: test files run in parallel processes against one database.
  const schema = `t_${process.pid}_${randomBytes(5).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  const url = withSearchPath(PG_URL, schema);
  const store = openDb(url, { poolSize: 4 });
  try {
    await migrateToLatest(store);
  } catch (err) {
    await store.close();
    await adminQuery(`drop schema if exists ${schema} cascade`);
    throw err;
  }
  return testStore(
    store,
    url,
    () => openDb(url, { poolSize: 4 }),
    // Dropped after the whole run (pg-schemas.ts), never while other files migrate.
    async () => {},
  );
}

/** Why PostgreSQL cannot be used, or undefined when it answers. */
async function probePostgres(): Promise<string | undefined> {
  try {
    await adminQuery('select 1');
    return undefined;
  } catch (err) {
    const where = new URL(PG_URL).host;
    return `PostgreSQL at ${where} is unreachable (${(err as Error).message}); start it or set TIDINGS_TEST_PG_URL`;
  }
}

const inCI = !!process.env.CI && !/^(0|false)$/i.test(process.env.CI);
const pgProblem = await probePostgres();
if (pgProblem && inCI) {
  throw new Error(`${pgProblem}. CI must run the PostgreSQL leg of the store tests.`);
}
if (pgProblem) console.warn(`[databases] skipping the postgres leg: ${pgProblem}`);

const sqliteDialect: TestDialect = { name: 'sqlite', open: openSqlite };
const postgresDialect: TestDialect = { name: 'postgres', open: openPostgres };

/** The dialects available here (PostgreSQL left out, with a printed reason, when unreachable). */
export const dialects: TestDialect[] = pgProblem ? [sqliteDialect] : [sqliteDialect, postgresDialect];

/**
 * `describe` once per available dialect, named after it; an unavailable one shows up as a
 * skipped suite whose name carries the reason, so the gap is visible in the report.
 * `forEachDialect(fn)` or `forEachDialect('title', fn)`.
 */
export function forEachDialect(fn: (dialect: TestDialect) => void): void;
export function forEachDialect(title: string, fn: (dialect: TestDialect) => void): void;
export function forEachDialect(a: string | ((dialect: TestDialect) => void), b?: (dialect: TestDialect) => void): void {
  const [title, fn] = typeof a === 'function' ? ['store', a] : [a, b!];
  for (const dialect of dialects) describe(`${title} [${dialect.name}]`, () => fn(dialect));
  if (pgProblem) describe.skip(`${title} [postgres]: ${pgProblem}`, () => fn(postgresDialect));
}
