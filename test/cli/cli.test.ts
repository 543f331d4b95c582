import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { addSource } from '../../src/store/sources.js';
import { frontEnds } from '../support/front-ends.js';
import { tempDirs } from '../support/temp-dirs.js';
import { REAL_BIN, ROOT, runCli } from '../support/cli.js';

const dataDir = tempDirs('cli');

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

// Each test spawns the real CLI several times; on a busy 2-core machine that takes a while.
describe('tidings CLI', { timeout: 120_000 }, () => {
  it('has --help on every command', () => {
    const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
    const names = all(buildProgram()).map((c) => {
      const path: string[] = [];
      for (let p: Command | null = c; p?.parent; p = p.parent) path.unshift(p.name());
      return path;
    });
    expect(names.length).toBeGreaterThanOrEqual(15);
    for (const path of names) {
      const program = buildProgram();
      let out = '';
      for (const c of all(program)) c.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
      try {
        program.parse(['node', 'tidings', ...path, '--help']);
        expect.unreachable('--help exits');
      } catch (e) {
        expect((e as { code?: string }).code, path.join(' ')).toBe('commander.helpDisplayed');
      }
      expect(out, path.join(' ')).toMatch(new RegExp(`^Usage: tidings${path.length ? ` ${path.join(' ')}` : ''}`));
      expect(out).toContain('-h, --help');
    }
  });

  it('rejects a bad --kind as a usage error while parsing', () => {
    const program = buildProgram();
    let err = '';
    const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
    for (const c of all(program)) c.exitOverride().configureOutput({ writeOut: () => {}, writeErr: (s) => (err += s) });
    expect(() => program.parse(['node', 'tidings', 'sources', 'test', 'x', '--kind', 'bogus'])).toThrow();
    expect(err).toContain('--kind must be one of auto, feed, page, textdump');
  });

  it('runs as a real process through the published bin/tidings.js (tsx): --help exits 0', async () => {
    const r = await runCli(['--help'], {}, ROOT, undefined, REAL_BIN);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tidings/);
  });

  it('npm start on an empty data dir ingests the bundled examples, then finds nothing new', async () => {
    const env = { TIDINGS_DATA_DIR: dataDir(), LOG_LEVEL: 'warn' };
    const first = await runCli(['start', '--once'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('added the bundled examples');
    expect(first.stdout).toMatch(/2 sources: 7 new, 0 duplicate/);
    expect(first.stdout).toContain('纺织行业协会发布三季度运行报告');
    expect(first.stdout).toContain('Where to look');
    expect(first.stdout).toContain(path.join(env.TIDINGS_DATA_DIR, 'tidings.db'));
    const second = await runCli(['start', '--once'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/2 sources: 0 new, 0 duplicate, 2 not modified, 0 failed/);
  });

  it('sources test --json prints the documented shape for a local feed', async () => {
    const r = await runCli(['sources', 'test', 'examples/feeds/industry-news.xml', '--json'], { TIDINGS_DATA_DIR: dataDir() });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ kind: 'feed', encoding: 'utf-8', bozo: false, feed: { title: 'Tidings example: Textile Industry Wire', language: 'en' } });
    expect(out.items).toHaveLength(4);
    expect(out.items[0]).toMatchObject({
      id: 'wire-2026-1120-cotton',
      published: '2026-11-20T03:40:00.000Z',
      author: 'Wire staff',
      categories: ['Market Watch'],
    });
    expect(out.items[0].content_text).toContain('Cotton futures rose');
  });

  it('shows a failing source as failing after 3 failures, backs it off, and keeps other sources going', async () => {
    const env = { TIDINGS_DATA_DIR: dataDir() };
    // A loopback address: refused by the fetcher's guard, so it fails without any network.
    expect((await runCli(['sources', 'add', 'http://127.0.0.1:9/feed.xml', '--kind', 'feed', '--name', 'Broken', '--no-check'], env)).code).toBe(0);
    expect((await runCli(['sources', 'add', 'examples/feeds/industry-news.xml', '--name', 'Good'], env)).code).toBe(0);
    const first = await runCli(['ingest'], env);
    expect(first.stdout).toMatch(/2 sources: 4 new, 0 duplicate, 0 not modified, 1 failed/);
    expect(first.stdout).toMatch(/Broken\s+FAILED/);
    await runCli(['ingest', '--force'], env);
    await runCli(['ingest', '--force'], env);
    const skipped = await runCli(['ingest', '--json'], env);
    expect(JSON.parse(skipped.stdout).outcomes.map((o: { name: string }) => o.name)).toEqual(['Good']);
    const list = await runCli(['sources', 'list'], env);
    expect(list.stdout).toMatch(/Broken\s+FAILING ×3: refused to connect to 127\.0\.0\.1/);
    expect(list.stdout).toContain('1 failing or paused');
  });

  it("explains bad input without a stack trace, with the core error code's exit code", async () => {
    const env = { TIDINGS_DATA_DIR: dataDir() };
    const missing = await runCli(['sources', 'add', '/no/such/folder'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: Could not read \/no\/such\/folder: .*no such file/);
    noStack(missing.stderr);
    const scheme = await runCli(['sources', 'add', 'file:///etc/passwd'], env);
    expect([scheme.code, scheme.stderr]).toEqual([
      2,
      'error: "file:///etc/passwd" is neither an http(s) URL nor a local path; only http and https sources are fetched.\n',
    ]);
    const badInt = await runCli(['articles', '--limit', 'lots'], env);
    expect(badInt.code).not.toBe(0);
    expect(badInt.stderr).toMatch(/--limit must be a whole number/);
    const unknown = await runCli(['sources', 'remove', '999'], env);
    expect([unknown.code, unknown.stderr]).toEqual([2, 'error: No source "999": check the id or URL against the list of sources.\n']);
  });

  it('refuses a bad configuration naming the variable, never a secret', async () => {
    const r = await runCli(['sources', 'list'], { TIDINGS_DATA_DIR: dataDir(), FETCH_TIMEOUT_MS: 'soon', DATABASE_URL: 'mysql://root:hunter2@db.internal/x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('FETCH_TIMEOUT_MS: expected a whole number');
    expect(r.stderr).toContain('DATABASE_URL');
    expect(r.stderr).not.toContain('hunter2');
    noStack(r.stderr);
  });

  it('exports sources as OPML to a file, a dry-run import of it finds them all present; update renames', async () => {
    const fe = await frontEnds();
    try {
      await addSource(fe.store.db, { kind: 'textdump', url: path.join(ROOT, 'examples/textdump'), name: 'Dumps' }, new Date());
      const file = fe.file('out.opml', '');
      expect((await fe.cli(['sources', 'export', '--out', file])).stdout).toBe(`Wrote 1 sources to ${file}.\n`);
      const dry = await fe.cli(['sources', 'import', '--dry-run', file]);
      expect([dry.code, dry.stdout]).toEqual([0, 'Would add 0 sources, 1 already present, 0 rejected.\n']);
      const updated = await fe.cli(['sources', 'update', '1', '--name', 'Crawler dumps', '--interval', '15']);
      expect([updated.code, updated.stdout]).toEqual([0, 'Updated source 1 "Crawler dumps".\n']);
      expect((await fe.auditActions()).map((a) => [a.actor, a.action])).toEqual([
        ['cli', 'sources.export'],
        ['cli', 'source.update'],
      ]);
    } finally {
      await fe.close();
    }
  });
});
