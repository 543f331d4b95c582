import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../support/temp-dirs.js';
import { runCli } from '../support/cli.js';

const dataDir = tempDirs('start');

describe('tidings start builds a digest', { timeout: 120_000 }, () => {
  it('adds the example newsletter, writes its first digest, then points at it when nothing is new', async () => {
    const dir = dataDir();
    const env = { TIDINGS_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    const first = await runCli(['start', '--once'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('No newsletters yet: added the example "Industry News" (industry-news)');
    const html = path.join(dir, 'digests', 'industry-news-1.html');
    expect(first.stdout).toMatch(/Digest 1 of Industry News: 6 stories, "Industry News — .+"\./);
    expect(first.stdout).toContain(`Open the digest: ${html}`);
    expect(first.stdout).toContain('Archive: http://127.0.0.1:8080/n/industry-news/1 (served by `npx tidings serve`)');
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain('Mills stock up on cotton as futures extend gains');
    expect(page).toContain('[postal address: set TIDINGS_POSTAL_ADDRESS]');
    expect(page).not.toContain('%%tidings.');
    expect(first.stdout).toContain('No mail to send (no active subscribers, or all sent).');
    expect(first.stdout).toContain(`outbox     ${path.join(dir, 'outbox')}`);
    const text = readFileSync(path.join(dir, 'digests', 'industry-news-1.txt'), 'utf8');
    expect(text).toContain('Unsubscribe: http://127.0.0.1:8080/unsubscribe');

    const second = await runCli(['start', '--once'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('added the example');
    expect(second.stdout).toContain('No new digest of Industry News: nothing new since the last digest.');
    expect(second.stdout).toContain(`Open the last digest (1): ${html}`);
    expect(second.stdout).toContain('Archive: http://127.0.0.1:8080/n/industry-news/1');
    expect(existsSync(path.join(dir, 'digests', 'industry-news-2.html'))).toBe(false);
  });

  it('uses the public URL, leaves existing newsletters alone, and rewrites a deleted digest file', async () => {
    const dir = dataDir();
    const env = { TIDINGS_DATA_DIR: dir, LOG_LEVEL: 'warn', TIDINGS_PUBLIC_URL: 'https://news.example.org/', TIDINGS_POSTAL_ADDRESS: '12 Mill Street' };
    expect((await runCli(['newsletters', 'add', 'chinese', '--name', '中文简报', '--lang', 'zh', '--include', '纺织'], env)).code).toBe(0);
    const first = await runCli(['start', '--once'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).not.toContain('added the example');
    expect(first.stdout).toMatch(/Digest 1 of 中文简报: 1 story, "/);
    expect(first.stdout).toContain('Archive: https://news.example.org/n/chinese/1 (served by `npx tidings serve`)');
    const html = path.join(dir, 'digests', 'chinese-1.html');
    expect(readFileSync(html, 'utf8')).toContain('纺织行业协会发布三季度运行报告');
    rmSync(html);
    const second = await runCli(['start', '--once'], env);
    expect(second.stdout).toContain(`Open the last digest (1): ${html}`);
    expect(readFileSync(html, 'utf8')).toContain('12 Mill Street');
  });
});
