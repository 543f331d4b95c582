// A fresh PostgreSQL schema for one end-to-end bench run, dropped afterwards. Same server and
// database as the tests (TIDINGS_TEST_PG_URL, default 127.0.0.1:5432/test); the name does not
// match the tests' t_… pattern, so their clean-up never drops it under a running bench.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PG_URL } from '../../test/support/pg-url.js';

export interface BenchSchema {
  /** DATABASE_URL for the bench's processes: the schema is their search_path. */
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL cannot be used, or undefined when it answers. */
export async function pgProblem(): Promise<string | undefined> {
  try {
    await admin((c) => c.query('select 1'));
    return undefined;
  } catch (err) {
    return `PostgreSQL at ${new URL(PG_URL).host} is unreachable (${(err as Error).message}); start it or set TIDINGS_TEST_PG_URL`;
  }
}

export async function createBenchSchema(): Promise<BenchSchema> {
  const schema = `bench_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create schema ${schema}`));
  const u = new URL(PG_URL);
  // Durable commits as in production: the bench measures what an operator would get.
  u.searchParams.set('options', `-c search_path=${schema}`);
  return { url: u.toString(), drop: () => admin((c) => c.query(`drop schema if exists ${schema} cascade`)).then(() => undefined) };
}
