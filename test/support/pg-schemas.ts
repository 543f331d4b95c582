// The test schemas on PostgreSQL are dropped only before and after the whole run, never while
// tests run: Kysely's migrator reads the catalog of every schema, and a schema dropped by another
// test file in that moment made it fail with "schema/relation t_… does not exist". Only the
// schemas of processes that are gone: another test run on this machine keeps its own.
import pg from 'pg';
import { PG_URL } from './pg-url.js';

export default async function setup(): Promise<() => Promise<void>> {
  await dropTestSchemas();
  return dropTestSchemas;
}

async function dropTestSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch {
    return; // unreachable: databases.ts reports it (and fails in CI)
  }
  try {
    const { rows } = await client.query<{ name: string }>(`select nspname as name from pg_namespace where nspname ~ '^t_[0-9]+_[0-9a-f]+(_fresh)?$'`);
    for (const { name } of rows) {
      if (alive(Number(name.split('_')[1]))) continue;
      await client.query(`drop schema if exists ${name} cascade`);
    }
  } finally {
    await client.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but is not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
