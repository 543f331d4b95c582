// For the subscriber tests: emptying the tables they write, so one migrated store serves a whole
// file (identity columns restart too, so ids read the same on both databases), and reading an
// export's chunks into one text.
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Database } from '../../src/store/schema.js';
import type { TestDialect, TestStore } from '../support/databases.js';

const TABLES = ['deliveries', 'digests', 'subscriber_events', 'suppressions', 'subscriptions', 'subscribers', 'audit_log', 'newsletters'] as const;

export async function resetStore(db: Kysely<Database>): Promise<void> {
  const pg = (db.getExecutor().adapter.constructor.name ?? '').includes('Postgres');
  if (pg) return void (await sql`truncate ${sql.join(TABLES.map((t) => sql.table(t)))} restart identity cascade`.execute(db));
  for (const t of TABLES) await db.deleteFrom(t).execute();
  await sql`delete from sqlite_sequence where name in (${sql.join([...TABLES])})`.execute(db).catch(() => undefined);
}

export async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
}

/**
 * One migrated store per dialect for the whole file (a PostgreSQL schema takes seconds to
 * migrate), emptied and seeded before each test; returns the store's getter.
 */
export function sharedStore(dialect: TestDialect, seed: (db: Kysely<Database>) => Promise<unknown>): () => TestStore {
  let store: TestStore;
  beforeAll(async () => {
    store = await dialect.open();
  });
  afterAll(() => store.close());
  beforeEach(async () => {
    await resetStore(store.db);
    await seed(store.db);
  });
  return () => store;
}
