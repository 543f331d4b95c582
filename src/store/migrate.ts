// Brings a database to the latest schema. Runs at every start and from `tidings migrate`; safe
// to run again (already-applied migrations are skipped) and, on PostgreSQL, from several replicas
// at once (Kysely's Migrator takes a row lock for the duration).
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { DialectName, Store } from './db.js';
import { migrations } from './migrations/index.js';

export interface MigrateResult {
  /** Names of the migrations this call applied, in order (empty when already up to date). */
  applied: string[];
}

function provider(dialect: DialectName): MigrationProvider {
  const wrapped: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(migrations)) {
    wrapped[name] = {
      up: (db) => inTransaction(db, dialect, (trx) => m.up(trx, dialect)),
      ...(m.down ? { down: (db: Kysely<unknown>) => inTransaction(db, dialect, (trx) => m.down!(trx, dialect)) } : {}),
    };
  }
  return { getMigrations: async () => wrapped };
}

// Kysely runs PostgreSQL migrations in a transaction already, but not SQLite's, although SQLite
// DDL is transactional too: without this, a failure half-way leaves tables that make the next
// attempt fail with "already exists".
async function inTransaction(db: Kysely<unknown>, dialect: DialectName, fn: (db: Kysely<unknown>) => Promise<void>): Promise<void> {
  if (dialect === 'postgres' || db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}

export async function migrateToLatest(store: Store): Promise<MigrateResult> {
  const migrator = new Migrator({
    db: store.db,
    provider: provider(store.dialect),
    // Kysely looks for its bookkeeping tables in every schema it can see; naming ours keeps a
    // database shared by several schemas (tests, tenants) from finding another schema's table.
    ...(store.dialect === 'postgres' ? { migrationTableSchema: await currentSchema(store.db).catch(cannotMigrate) } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    if (!failed) cannotMigrate(error);
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Database migration "${failed}" failed: ${cause}. The database was left at the last migration ` +
        'that succeeded; fix the cause and run `tidings migrate` again.',
      { cause: error },
    );
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Failing before any migration ran: almost always a connection or permission problem. */
function cannotMigrate(error: unknown): never {
  const cause = error instanceof Error ? error.message : String(error);
  throw new Error(`Could not migrate the database: ${cause}. Check DATABASE_URL and that the database is reachable.`, {
    cause: error,
  });
}

async function currentSchema<DB>(db: Kysely<DB>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) {
    throw new Error('PostgreSQL has no current schema: the search_path names no existing schema. Create it or fix search_path in DATABASE_URL.');
  }
  return schema;
}
