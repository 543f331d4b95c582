// The CLI adapter of the subscriber use cases: arguments, output, exit codes, the removal prompt,
// files and stdin. What the operations do (rules, consent, audit, CSV round trips) is tested
// in-process in test/core/subscribers*.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempDir = tempDirs('subs');
const env = (): Record<string, string> => ({ TIDINGS_DATA_DIR: tempDir() });

function expectUsageError(r: { code: number; stderr: string }, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  // One line (after the question, when one was asked), never a stack trace.
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

describe('tidings subscribers', { timeout: 60_000 }, () => {
  it('adds, lists and removes, asking first', async () => {
    const e = env();
    await newsletters(e);
    const add = await ok(['subscribers', 'add', 'Ann@Example.ORG', '--newsletter', 'cotton,weekly', '--name', 'Ann Lee'], e);
    expect(add.stdout).toBe('ann@example.org → cotton: subscribed (active)\nann@example.org → weekly: subscribed (active)\nSubscriber 1.\n');
    expectUsageError(
      await runCli(['subscribers', 'add', 'ann at example', '--newsletter', 'cotton'], e),
      /"ann at example" is not a valid email address: the address contains spaces/,
    );

    const list = await ok(['subscribers', 'list'], e);
    expect(list.stdout).toMatch(/^id\s+email\s+name\s+newsletters\s+created/);
    expect(list.stdout).toMatch(/1\s+ann@example\.org\s+Ann Lee\s+cotton:active, weekly:active\s+\d{4}-\d\d-\d\d \d\d:\d\d/);
    expect(list.stdout).toContain('1 subscribers.');

    // Without --yes it asks; no answer (a script) removes nothing.
    expectUsageError(
      await runCli(['subscribers', 'remove', 'ann@example.org'], e),
      /subscriber 1 <ann@example\.org> was not removed: answer y, or run again with --yes/,
    );
    const asked = await ok(['subscribers', 'remove', 'ANN@example.org'], e, 'y\n');
    expect(asked.stderr).toContain('Delete subscriber 1 <ann@example.org> and their 2 subscriptions');
    expect(asked.stdout).toBe('Removed subscriber 1 <ann@example.org> and their 2 subscriptions.\n');
  });

  it('imports a file or stdin and exports to a file or stdout, with the report and exit codes', async () => {
    const e = env();
    await newsletters(e);
    const file = path.join(e.TIDINGS_DATA_DIR!, 'excel.csv');
    writeFileSync(file, iconv.encode('email,name\r\nwang@example.org,王小明\r\nnonsense,\r\n', 'gbk'));
    const imported = await ok(['subscribers', 'import', file, '--newsletter', 'cotton'], e);
    expect(imported.stdout).toBe(
      'Read the file as GB18030 (it is not UTF-8).\nrow 3: nonsense: invalid address: the address needs the form name@example.org\nImported 1 to cotton, 0 already subscribed, 1 rejected (2 rows).\n',
    );
    const dry = await ok(['subscribers', 'import', '-', '--newsletter', 'weekly', '--dry-run', '--json'], e, 'email\nli@example.org\n');
    expect(JSON.parse(dry.stdout)).toEqual({
      rows: 1,
      imported: 1,
      already_subscribed: 0,
      dry_run: true,
      encoding: 'utf-8',
      newsletter: 'weekly',
      rejected: [],
    });
    // Nothing importable at all: exit code 1, with the report.
    const none = await runCli(['subscribers', 'import', '-', '--newsletter', 'weekly'], e, undefined, 'email\nbad\n');
    expect([none.code, none.stdout.trim().split('\n').at(-1)]).toEqual([1, 'Imported 0 to weekly, 0 already subscribed, 1 rejected (1 rows).']);

    const out = path.join(e.TIDINGS_DATA_DIR!, 'out.csv');
    expect((await ok(['subscribers', 'export', out, '--bom'], e)).stdout).toBe(`Wrote 1 subscriptions to ${out}.\n`);
    expect(readFileSync(out, 'utf8')).toMatch(
      /^\ufeffemail,name,language,keywords,newsletter,status,consent_source,consent_version,subscribed_at,confirmed_at\r\nwang@example\.org,王小明,zh,,cotton,active,import,,/,
    );
    expect((await ok(['subscribers', 'export', '-', '--status', 'pending'], e)).stdout.split('\r\n')).toHaveLength(2);
  });

  it('refuses a bad file, a missing file and bad options with one line and exit code 2', async () => {
    const e = env();
    await newsletters(e);
    expectUsageError(
      await runCli(['subscribers', 'import', '-', '--newsletter', 'cotton'], e, undefined, 'mail,name\na@example.org,A\n'),
      /the header row has no "email" column \(found: mail, name\)/,
    );
    expectUsageError(await runCli(['subscribers', 'import', '/no/such.csv', '--newsletter', 'cotton'], e), /cannot read \/no\/such\.csv: no such file/);
    expectUsageError(
      await runCli(['subscribers', 'import', '-', '--newsletter', 'cotton', '--status', 'blocked'], e, undefined, 'email\n'),
      /must be active or pending/,
    );
    expectUsageError(await runCli(['subscribers', 'list', '--status', 'happy'], e), /must be one of pending, active/);
  });
});
