import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/subscribers/csv.js';
import { tempDirs } from '../support/temp-dirs.js';
import { runCli } from '../support/cli.js';

const tempDir = tempDirs('subs');
const env = (): Record<string, string> => ({ TIDINGS_DATA_DIR: tempDir() });

function expectUsageError(r: { code: number; stderr: string }, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^error: /);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

async function ok(args: string[], e: Record<string, string>, input?: string) {
  const r = await runCli(args, e, undefined, input);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

async function newsletters(e: Record<string, string>) {
  await ok(['newsletters', 'add', 'cotton', '--lang', 'zh'], e);
  await ok(['newsletters', 'add', 'weekly'], e);
}

/** The columns that must survive a round trip (the times are when each import ran). */
const stable = (csv: string) => parseCsv(csv.replace(/^\ufeff/, '')).map((r) => r.fields.slice(0, 8));

describe('tidings subscribers', { timeout: 180_000 }, () => {
  it('adds, lists, and removes subscribers', async () => {
    const e = env();
    await newsletters(e);
    const add = await ok(['subscribers', 'add', 'Ann@Example.ORG', '--newsletter', 'cotton,weekly', '--name', 'Ann Lee'], e);
    expect(add.stdout).toContain('ann@example.org → cotton: subscribed (active)');
    expect(add.stdout).toContain('ann@example.org → weekly: subscribed (active)');
    const pending = await ok(['subscribers', 'add', 'bob@example.org', '--newsletter', 'weekly', '--pending', '--lang', 'en'], e);
    expect(pending.stdout).toContain('bob@example.org → weekly: subscribed (pending)');
    expect(pending.stdout).toContain('No confirmation mail was sent.');
    expect((await ok(['subscribers', 'add', 'ann@example.org', '--newsletter', 'cotton'], e)).stdout).toContain('already active; left unchanged');

    expectUsageError(await runCli(['subscribers', 'add', 'ann at example', '--newsletter', 'cotton'], e), /"ann at example" is not a valid email address: the address contains spaces/);
    expectUsageError(await runCli(['subscribers', 'add', 'cai@example.org'], e), /give at least one --newsletter/);
    expectUsageError(await runCli(['subscribers', 'add', 'cai@example.org', '--newsletter', 'daily'], e), /no newsletter "daily"/);
    expectUsageError(await runCli(['subscribers', 'add', 'cai@example.org', '--newsletter', 'cotton', '--lang', 'fr'], e), /--lang must be en or zh/);
    expectUsageError(await runCli(['subscribers', 'list', '--status', 'happy'], e), /--status must be one of pending, active/);

    const list = await ok(['subscribers', 'list'], e);
    expect(list.stdout).toMatch(/^id\s+email\s+name\s+newsletters\s+created/);
    expect(list.stdout).toMatch(/1\s+ann@example\.org\s+Ann Lee\s+cotton:active, weekly:active\s+\d{4}-\d\d-\d\d \d\d:\d\d/);
    expect(list.stdout).toMatch(/2\s+bob@example\.org\s+weekly:pending/);
    expect(list.stdout).toContain('2 subscribers.');
    expect((await ok(['subscribers', 'list', '--limit', '1'], e)).stdout).toContain('Showing 1 of 2 subscribers');
    const json = JSON.parse((await ok(['subscribers', 'list', '--newsletter', 'weekly', '--status', 'pending', '--json'], e)).stdout);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ email: 'bob@example.org', language: 'en', subscriptions: [{ newsletter: 'weekly', status: 'pending', consent_source: 'cli', keywords: [], confirmed_at: null }] });
    expect(JSON.parse((await ok(['subscribers', 'list', '--search', 'LEE', '--json'], e)).stdout)[0]).toMatchObject({ email: 'ann@example.org', language: 'zh' });

    // Without --yes it asks; an empty answer (or none, in a script) removes nothing.
    expectUsageError(await runCli(['subscribers', 'remove', 'ann@example.org'], e), /subscriber 1 <ann@example\.org> was not removed: answer y, or run again with --yes/);
    expectUsageError(await runCli(['subscribers', 'remove', '2'], e, undefined, 'n\n'), /not removed/);
    const asked = await ok(['subscribers', 'remove', 'ANN@example.org'], e, 'y\n');
    expect(asked.stderr).toContain('Delete subscriber 1 <ann@example.org> and their 2 subscriptions');
    expect(asked.stdout).toContain('Removed subscriber 1 <ann@example.org> and their 2 subscriptions.');
    expect((await ok(['subscribers', 'remove', '2', '--yes'], e)).stdout).toContain('Removed subscriber 2 <bob@example.org>');
    expectUsageError(await runCli(['subscribers', 'remove', '2', '--yes'], e), /no subscriber "2"/);
    expect((await ok(['subscribers', 'list'], e)).stdout).toContain('No subscribers match');
  });

  it('round-trips import → export → import, with quoting, Chinese names and formula-like cells', async () => {
    const e = env();
    await newsletters(e);
    const source = [
      '\ufeffEmail,Name,Language,Keywords',
      'ann@example.org,"Lee, Ann",en,cotton; yarn',
      'li@example.org,李雷,,棉花',
      'quote@example.org,"Say ""hi""\r\nagain",zh,',
      '=cmd@example.org,=HYPERLINK("http://evil.example"),en,-1;+2;@3',
    ].join('\r\n');
    const file = path.join(e.TIDINGS_DATA_DIR!, 'in.csv');
    writeFileSync(file, source);
    const imported = await ok(['subscribers', 'import', file, '--newsletter', 'cotton', '--consent-version', 'v3'], e);
    expect(imported.stdout).toContain('Imported 4 to cotton, 0 already subscribed, 0 rejected (4 rows).');

    const out = path.join(e.TIDINGS_DATA_DIR!, 'out.csv');
    expect((await ok(['subscribers', 'export', out], e)).stdout).toContain(`Wrote 4 subscriptions to ${out}.`);
    const first = readFileSync(out, 'utf8');
    expect(first.split('\r\n')[0]).toBe('email,name,language,keywords,newsletter,status,consent_source,consent_version,subscribed_at,confirmed_at');
    // Formula-like cells are neutralized; quoting is RFC 4180.
    expect(first).toContain(`'=cmd@example.org,"'=HYPERLINK(""http://evil.example"")",en,'-1; +2; @3,cotton,active,import,v3,`);
    expect(first).toContain('"Say ""hi"" again",zh');
    expect(first).toContain('li@example.org,李雷,zh,棉花,cotton');
    expect(stable(first).slice(1)).toEqual([
      ['ann@example.org', 'Lee, Ann', 'en', 'cotton; yarn', 'cotton', 'active', 'import', 'v3'],
      ['li@example.org', '李雷', 'zh', '棉花', 'cotton', 'active', 'import', 'v3'],
      ['quote@example.org', 'Say "hi" again', 'zh', '', 'cotton', 'active', 'import', 'v3'],
      ["'=cmd@example.org", `'=HYPERLINK("http://evil.example")`, 'en', "'-1; +2; @3", 'cotton', 'active', 'import', 'v3'],
    ]);

    // The export imports elsewhere as it is (its extra columns are ignored) and exports the same.
    const other = env();
    await newsletters(other);
    expect((await ok(['subscribers', 'import', '-', '--newsletter', 'cotton', '--consent-version', 'v3'], other, first)).stdout).toContain('Imported 4 to cotton');
    const second = (await ok(['subscribers', 'export', '-'], other)).stdout;
    expect(stable(second)).toEqual(stable(first));
    // And importing it again where it came from finds everyone already subscribed.
    expect((await ok(['subscribers', 'import', out, '--newsletter', 'cotton'], e)).stdout).toContain('Imported 0 to cotton, 4 already subscribed, 0 rejected');
  });

  it('reports rejected rows, and a dry run writes nothing', async () => {
    const e = env();
    await newsletters(e);
    await ok(['subscribers', 'add', 'old@example.org', '--newsletter', 'weekly'], e);
    const csv = 'email,name\nold@example.org,Old\nnew@example.org,New\nnonsense,\nNEW@example.org,Twice\n';
    const dry = await ok(['subscribers', 'import', '-', '--newsletter', 'weekly', '--dry-run'], e, csv);
    const lines = dry.stdout.trim().split('\n');
    expect(lines).toEqual([
      'row 4: nonsense: invalid address: the address needs the form name@example.org',
      'row 5: NEW@example.org: duplicate of row 3',
      'Dry run, nothing written: would import 1 to weekly, 1 already subscribed, 2 rejected (4 rows).',
    ]);
    expect((await ok(['subscribers', 'export', '--newsletter', 'weekly'], e)).stdout.trim().split('\r\n')).toHaveLength(2);

    const real = await ok(['subscribers', 'import', '-', '--newsletter', 'weekly', '--status', 'pending', '--json'], e, csv);
    expect(JSON.parse(real.stdout)).toEqual({
      rows: 4,
      imported: 1,
      already_subscribed: 1,
      dry_run: false,
      encoding: 'utf-8',
      newsletter: 'weekly',
      rejected: [
        { row: 4, email: 'nonsense', reason: 'invalid address: the address needs the form name@example.org' },
        { row: 5, email: 'NEW@example.org', reason: 'duplicate of row 3' },
      ],
    });
    const exported = stable((await ok(['subscribers', 'export', '--status', 'pending'], e)).stdout);
    expect(exported.slice(1)).toEqual([['new@example.org', 'New', 'en', '', 'weekly', 'pending', 'import', '']]);

    // Nothing importable at all: exit code 1, with the report.
    const none = await runCli(['subscribers', 'import', '-', '--newsletter', 'weekly'], e, undefined, 'email\nbad\n');
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('Imported 0 to weekly, 0 already subscribed, 1 rejected (1 rows).');
  });

  it('refuses a file without an email column, a missing file and bad options with one line, writing nothing', async () => {
    const e = env();
    await newsletters(e);
    expectUsageError(await runCli(['subscribers', 'import', '-', '--newsletter', 'cotton'], e, undefined, 'mail,name\na@example.org,A\n'), /stdin: the header row has no "email" column \(found: mail, name\)/);
    expectUsageError(await runCli(['subscribers', 'import', '/no/such.csv', '--newsletter', 'cotton'], e), /cannot read \/no\/such\.csv: no such file/);
    expectUsageError(await runCli(['subscribers', 'import', '-'], e, undefined, 'email\na@example.org\n'), /give --newsletter/);
    expectUsageError(await runCli(['subscribers', 'import', '-', '--newsletter', 'cotton', '--status', 'blocked'], e, undefined, 'email\n'), /--status must be active or pending/);
    expectUsageError(await runCli(['subscribers', 'export', '/no/such/dir/out.csv'], e), /cannot write \/no\/such\/dir\/out\.csv: no such file/);
    expect((await ok(['subscribers', 'list'], e)).stdout).toContain('No subscribers match');
  });

  it('reads a GBK file saved by Excel', async () => {
    const e = env();
    await newsletters(e);
    const file = path.join(e.TIDINGS_DATA_DIR!, 'excel.csv');
    writeFileSync(file, iconv.encode('email,name\r\nwang@example.org,王小明\r\n', 'gbk'));
    const r = await ok(['subscribers', 'import', file, '--newsletter', 'cotton'], e);
    expect(r.stdout).toContain('Read the file as GB18030 (it is not UTF-8).');
    expect(JSON.parse((await ok(['subscribers', 'list', '--json'], e)).stdout)[0]).toMatchObject({ email: 'wang@example.org', name: '王小明' });
  });

  it('imports 20,000 rows', async () => {
    const e = env();
    await newsletters(e);
    const rows = ['email,name,language,keywords'];
    for (let i = 0; i < 20_000; i++) rows.push(`member${i}@example.org,Member ${i},${i % 2 ? 'en' : 'zh'},cotton;yarn`);
    const file = path.join(e.TIDINGS_DATA_DIR!, 'big.csv');
    writeFileSync(file, rows.join('\n'));
    expect((await ok(['subscribers', 'import', file, '--newsletter', 'cotton'], e)).stdout).toContain('Imported 20000 to cotton, 0 already subscribed, 0 rejected (20000 rows).');
    expect((await ok(['subscribers', 'list', '--newsletter', 'cotton', '--status', 'active', '--limit', '1'], e)).stdout).toContain('Showing 1 of 20000 subscribers');
    const exported = (await ok(['subscribers', 'export', '--newsletter', 'cotton'], e)).stdout;
    expect(exported.trim().split('\r\n')).toHaveLength(20_001);
  });
});
