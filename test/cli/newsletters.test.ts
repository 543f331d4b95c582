// `tidings newsletters` as an adapter: options parsed into the core's input, output as text or
// JSON, and a core error as one line with its exit code. The rules themselves (validation,
// filters merged, pause/resume, remove refused with digests, audit rows) are tested in-process
// in test/core/newsletters.test.ts.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempDir = tempDirs('nl');
const env = (): Record<string, string> => ({ TIDINGS_DATA_DIR: tempDir() });

/** One clear line on stderr: "error: …", no stack, no hint to turn on debug logging. */
function expectUsageError(r: { code: number; stderr: string }, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^error: /);
}

describe('tidings newsletters', { timeout: 120_000 }, () => {
  it('adds with every option, lists, updates, shows, pauses, resumes and removes', async () => {
    const e = env();
    expect((await runCli(['sources', 'add', 'examples/textdump'], e)).code).toBe(0);
    const add = await runCli(
      [
        'newsletters',
        'add',
        'cotton-daily',
        '--name',
        'Cotton Daily',
        '--lang',
        'zh',
        '--max-items',
        '5',
        '--include',
        'cotton, 棉花',
        '--include',
        'yarn',
        '--exclude',
        'rumour',
        '--categories',
        'Markets',
        '--sources',
        '1',
        '--sections',
        '--cron',
        '30 7 * * 1-5',
        '--timezone',
        'Asia/Shanghai',
        '--lookback',
        '48',
      ],
      e,
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('Added newsletter 1 "Cotton Daily" (cotton-daily)');

    const [row] = JSON.parse((await runCli(['newsletters', 'list', '--json'], e)).stdout);
    expect(row).toMatchObject({
      id: 1,
      slug: 'cotton-daily',
      name: 'Cotton Daily',
      language: 'zh',
      max_items: 5,
      sections: 1,
      cron: '30 7 * * 1-5',
      timezone: 'Asia/Shanghai',
      lookback_hours: 48,
      enabled: 1,
      filters: { include: ['cotton', '棉花', 'yarn'], exclude: ['rumour'], categories: ['Markets'], sources: [1] },
    });

    // An empty value clears a list; the lists not given keep their values.
    const update = await runCli(['newsletters', 'update', 'cotton-daily', '--include', 'polyester', '--exclude', '', '--no-sections'], e);
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain('filters    include polyester · categories Markets · sources 1');

    const pause = await runCli(['newsletters', 'pause', '1'], e);
    expect(pause.stdout).toBe('Cotton Daily (cotton-daily). Paused: no scheduled digests until `tidings newsletters resume cotton-daily`.\n');
    const list = await runCli(['newsletters', 'list'], e);
    expect(list.stdout).toMatch(/1\s+cotton-daily\s+Cotton Daily\s+zh\s+30 7 \* \* 1-5 Asia\/Shanghai\s+5\s+PAUSED\s+never/);
    expect((await runCli(['newsletters', 'resume', 'cotton-daily'], e)).stdout).toMatch(/^Cotton Daily \(cotton-daily\)\. Resumed/);

    const show = await runCli(['newsletters', 'show', 'cotton-daily'], e);
    expect(show.stdout).toContain('Cotton Daily (cotton-daily, id 1)\n');
    expect(show.stdout).toContain('archive    http://127.0.0.1:8080/n/cotton-daily');
    expect(show.stdout).toContain('No digests yet');
    expect((await runCli(['newsletters', 'remove', 'cotton-daily'], e)).stdout).toBe('Removed newsletter 1 "Cotton Daily" (cotton-daily).\n');
  });

  it('refuses bad values with one clear line and exit code 2', async () => {
    const e = env();
    expectUsageError(await runCli(['newsletters', 'add', 'big', '--max-items', 'lots'], e), /--max-items must be a whole number, got "lots"/);
    expectUsageError(await runCli(['newsletters', 'add', 'daily', '--cron', 'every morning'], e), /Schedule "every morning" is not a valid cron expression/);
    expectUsageError(await runCli(['newsletters', 'show', 'weekly'], e), /No newsletter "weekly"/);
  });
});
