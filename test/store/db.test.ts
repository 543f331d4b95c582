import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPostgresUrl, openDb, type Store } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { addSource, listSources } from '../../src/store/sources.js';
import { dialects, PG_URL } from '../support/databases.js';

const T0 = new Date('2026-11-24T16:18:07.123Z');

describe('openDb (sqlite)', () => {
  let dir: string;
  let store: Store | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tidings-open-'));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the parent folder and sets WAL, busy_timeout, foreign keys and synchronous NORMAL', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'tidings.db');
    store = openDb(file);
    expect(store.dialect).toBe('sqlite');
    const pragma = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(store!.db)).rows[0]!)[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('busy_timeout')).toBe(5000);
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('synchronous')).toBe(1); // NORMAL
    expect(await pragma('wal_autocheckpoint')).toBe(20000);
    expect(existsSync(file)).toBe(true);
  });

  it('opens :memory: and migrates it, applying each migration once', async () => {
    store = openDb(':memory:');
    expect(await migrateToLatest(store)).toEqual({
      applied: ['0001_init', '0002_digests', '0003_story_index', '0004_subscribers', '0005_bot', '0006_delivery_parts', '0007_service'],
    });
    expect(await migrateToLatest(store)).toEqual({ applied: [] });
    expect(await listSources(store.db)).toEqual([]);
  });

  it('says what is wrong with an empty or unusable path', async () => {
    expect(() => openDb('')).toThrow(/DATABASE_URL/);
    const blocker = path.join(dir, 'file');
    await openDb(blocker).close();
    const inside = path.join(blocker, 'x.db');
    expect(() => openDb(inside)).toThrow(`Cannot open SQLite database at ${inside}`);
  });

  it('waits (busy_timeout) for another process holding the write lock instead of failing', async () => {
    const file = path.join(dir, 'shared.db');
    store = openDb(file);
    await migrateToLatest(store);
    // The other process takes the write lock, says so, and commits 400 ms later.
    const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const script = `
      const db = new (require(${JSON.stringify(betterSqlite)}))(${JSON.stringify(file)});
      db.pragma('busy_timeout = 5000');
      db.exec('begin immediate');
      db.prepare("insert into sources (kind, url, name, created_at, updated_at) values ('feed', 'http://127.0.0.1/other', 'other', 'x', 'x')").run();
      process.stdout.write('locked\\n');
      setTimeout(() => { db.exec('commit'); db.close(); }, 400);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
      child.on('exit', (code) => reject(new Error(`helper process exited early with code ${code}`)));
    });
    await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/mine', name: 'mine' }, T0);
    expect(await exited).toBe(0);
    expect((await listSources(store.db)).map((s) => s.url).sort()).toEqual(['http://127.0.0.1/mine', 'http://127.0.0.1/other']);
  });
});

describe('isPostgresUrl', () => {
  it('tells PostgreSQL URLs from file paths', () => {
    expect(isPostgresUrl('postgres://u@127.0.0.1/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u@127.0.0.1/db')).toBe(true);
    expect(isPostgresUrl('./data/postgres.db')).toBe(false);
    expect(isPostgresUrl(':memory:')).toBe(false);
  });
});

const hasPg = dialects.some((d) => d.name === 'postgres');
describe.skipIf(!hasPg)('openDb (postgres; skipped only when PostgreSQL is unreachable, see above)', () => {
  const schema = `t_${process.pid}_${randomBytes(5).toString('hex')}_fresh`;
  const admin = () => new pg.Client({ connectionString: PG_URL });
  const run = async (text: string) => {
    const c = admin();
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  };
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    // The schema is dropped after the whole run (test/support/pg-schemas.ts), like every other.
  });

  it('replicas migrating a fresh schema at once apply each migration exactly once', async () => {
    await run(`create schema ${schema}`);
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    for (let i = 0; i < 3; i++) stores.push(openDb(url));
    expect(stores[0]!.dialect).toBe('postgres');
    const results = await Promise.all(stores.map((s) => migrateToLatest(s)));
    expect(results.flatMap((r) => r.applied)).toEqual([
      '0001_init',
      '0002_digests',
      '0003_story_index',
      '0004_subscribers',
      '0005_bot',
      '0006_delivery_parts',
      '0007_service',
    ]);
    const [s] = stores;
    const source = await addSource(s!.db, { kind: 'feed', url: 'http://127.0.0.1/f', name: 'f' }, T0);
    expect(typeof source.id).toBe('number');
    const { rows } = await sql<{ n: unknown }>`select count(*) as n from sources`.execute(s!.db);
    expect(rows[0]!.n).toBe(1); // int8 parsed to a number by the pool's type parser
  });

  it('reports an unreachable server on first use, not at open', async () => {
    const store = openDb('postgres://postgres@127.0.0.1:1/nowhere');
    stores.push(store);
    await expect(migrateToLatest(store)).rejects.toThrow(/Could not migrate the database: .*ECONNREFUSED.*Check DATABASE_URL/);
  });
});
