
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../support/temp-dirs.js';
import { runCli } from '../support/cli.js';

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
  it('adds, lists, shows and updates a newsletter on SQLite', async () => {
    const e = env();
    expect((await runCli(['sources', 'add', 'examples/textdump'], e)).code).toBe(0);
    const add = await runCli(
      ['newsletters', 'add', 'cotton-daily', '--name', 'Cotton Daily', '--lang', 'zh', '--max-items', '5', '--include', 'cotton, 棉花', '--include', 'yarn',
        '--exclude', 'rumour', '--categories', 'Markets', '--sources', '1', '--sections', '--cron', '30 7 * * 1-5', '--timezone', 'Asia/Shanghai', '--lookback', '48'],
      e,
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('Added newsletter 1 "Cotton Daily" (cotton-daily)');

    const json = JSON.parse((await runCli(['newsletters', 'list', '--json'], e)).stdout);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({
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

    const list = await runCli(['newsletters', 'list'], e);
    expect(list.stdout).toMatch(/^id\s+slug\s+name\s+lang\s+schedule/);
    expect(list.stdout).toMatch(/1\s+cotton-daily\s+Cotton Daily\s+zh\s+30 7 \* \* 1-5 Asia\/Shanghai\s+5\s+enabled\s+never/);
    expect(list.stdout).toContain('1 newsletters.');

    // Only the lists given change; the others keep their values.
    const update = await runCli(['newsletters', 'update', 'cotton-daily', '--include', 'polyester', '--exclude', '', '--no-sections', '--disable'], e);
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain('Cotton Daily (cotton-daily, id 1) — DISABLED');
    const shown = JSON.parse((await runCli(['newsletters', 'show', '1', '--json'], e)).stdout);
    expect(shown.newsletter).toMatchObject({ sections: 0, enabled: 0, filters: { include: ['polyester'], categories: ['Markets'], sources: [1] } });
    expect(shown.newsletter.filters.exclude).toBeUndefined();
    expect(shown.digests).toEqual([]);

    const show = await runCli(['newsletters', 'show', 'cotton-daily'], e);
    expect(show.stdout).toContain('filters    include polyester · categories Markets · sources 1');
    expect(show.stdout).toContain('archive    http://127.0.0.1:8080/n/cotton-daily');
    expect(show.stdout).toContain('No digests yet');

    // Admin changes from the shell are audited like the web UI's and the bot's.
    const audit = await runCli(['telegram', 'audit'], e);
    expect(audit.stdout).toMatch(/cli\s+newsletter\.update\s+ok\s+cotton-daily: sections, enabled, filters/);
    expect(audit.stdout).toMatch(/cli\s+newsletter\.add\s+ok\s+cotton-daily/);
    expect(audit.stdout).toMatch(/cli\s+source\.add\s+ok\s+1 /);
  });

  it('refuses bad values with one clear line and exit code 2', async () => {
    const e = env();
    expect((await runCli(['newsletters', 'add', 'daily'], e)).code).toBe(0);
    expectUsageError(await runCli(['newsletters', 'add', 'Bad Slug'], e), /slug "Bad Slug" is invalid/);
    expectUsageError(await runCli(['newsletters', 'add', 'french', '--lang', 'fr'], e), /language "fr" is not supported: use en or zh/);
    expectUsageError(await runCli(['newsletters', 'add', 'big', '--max-items', 'lots'], e), /--max-items must be a whole number, got "lots"/);
    expectUsageError(await runCli(['newsletters', 'add', 'huge', '--max-items', '500'], e), /max items must be a whole number from 1 to 200/);
    expectUsageError(await runCli(['newsletters', 'add', 'daily'], e), /slug "daily" already exists/);
    expectUsageError(await runCli(['newsletters', 'add', 'src', '--sources', '7'], e), /no source 7/);
    expectUsageError(await runCli(['newsletters', 'update', 'daily', '--cron', 'every morning'], e), /Schedule "every morning" is not a valid cron expression/);
    expectUsageError(await runCli(['newsletters', 'update', 'daily', '--timezone', 'Mars/Olympus'], e), /Unknown time zone "Mars\/Olympus"/);
    expectUsageError(await runCli(['newsletters', 'update', 'daily'], e), /nothing to change/);
    expectUsageError(await runCli(['newsletters', 'show', 'weekly'], e), /no newsletter "weekly"/);
    expectUsageError(await runCli(['preview', '9'], e), /no newsletter "9"/);
    // Nothing above changed the one good newsletter.
    const [row] = JSON.parse((await runCli(['newsletters', 'list', '--json'], e)).stdout);
    expect(row).toMatchObject({ slug: 'daily', name: 'Daily', language: 'en', cron: '0 8 * * *', timezone: 'UTC', max_items: 20 });
  });

  it('removes a newsletter without digests, and keeps one that has them', async () => {
    const e = env();
    await runCli(['newsletters', 'add', 'spare'], e);
    const removed = await runCli(['newsletters', 'remove', 'spare'], e);
    expect(removed.stdout).toContain('Removed newsletter 1 "Spare" (spare)');
    expect((await runCli(['newsletters', 'list'], e)).stdout).toContain('No newsletters yet');
    // start adds the example newsletter and records its first digest.
    expect((await runCli(['start', '--once'], { ...e, LOG_LEVEL: 'warn' })).code).toBe(0);
    expectUsageError(await runCli(['newsletters', 'remove', 'industry-news'], e), /has digests .*newsletters update industry-news --disable/);
    expect(JSON.parse((await runCli(['newsletters', 'list', '--json'], e)).stdout)).toHaveLength(1);
  });
});
