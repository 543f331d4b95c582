import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tidings-preview-'));
  env = { TIDINGS_DATA_DIR: dir, TIDINGS_POSTAL_ADDRESS: '12 Mill Street, Manchester', TIDINGS_PUBLIC_URL: 'https://news.example.org' };
  for (const args of [
    ['sources', 'add', 'examples/feeds/industry-news.xml'],
    ['sources', 'add', 'examples/textdump'],
    ['ingest'],
    ['newsletters', 'add', 'wire', '--name', 'Textile Wire'],
    ['newsletters', 'add', 'silk', '--include', 'silk'],
  ]) {
    const r = await runCli(args, env);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The numbered story lines of the preview summary. */
const stories = (out: string) => out.split('\n').filter((l) => /^ {2}\d+\. /.test(l));

describe('tidings preview', { timeout: 120_000 }, () => {
  it('renders the same next digest twice: nothing is recorded, no article used up', async () => {
    const first = await runCli(['preview', 'wire', '--out', path.join(dir, 'one.html')], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Preview of Textile Wire (wire): 6 stories. Nothing was recorded.');
    expect(first.stdout).toContain(`Wrote the email HTML to ${path.join(dir, 'one.html')}`);
    const second = await runCli(['preview', '1', '--out', path.join(dir, 'two.html')], env);
    expect(stories(first.stdout)).toHaveLength(6);
    expect(stories(second.stdout)).toEqual(stories(first.stdout));
    expect(stories(first.stdout).join('\n')).toContain('Mills stock up on cotton as futures extend gains — 2 sources');
    const shown = JSON.parse((await runCli(['newsletters', 'show', 'wire', '--json'], env)).stdout);
    expect(shown.digests).toEqual([]);
  });

  it('writes email HTML with the postal address and a working unsubscribe link', async () => {
    const file = path.join(dir, 'sub', 'preview.html');
    expect((await runCli(['preview', 'wire', '--out', file], env)).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('12 Mill Street, Manchester');
    expect(html).not.toContain('%%tidings.');
    const links = [...parseHTML(html).document.querySelectorAll('a')];
    const unsubscribe = links.find((a) => a.textContent?.trim() === 'Unsubscribe');
    expect(unsubscribe?.getAttribute('href')).toBe('https://news.example.org/unsubscribe');
    expect(html).toContain('Polyester staple fibre plants cut runs as margins thin');
  });

  it('prints HTML by default, the text email with --text and Telegram messages with --telegram', async () => {
    const html = await runCli(['preview', 'wire'], env);
    expect(html.stdout).toMatch(/^<!doctype html>/i);
    expect(html.stderr).toContain('Preview of Textile Wire');
    const text = await runCli(['preview', 'wire', '--text', '--telegram'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Subject: Textile Wire — /);
    expect(text.stdout).toContain('Unsubscribe: https://news.example.org/unsubscribe');
    expect(text.stdout).toContain('12 Mill Street, Manchester');
    expect(text.stdout).toMatch(/--- Telegram message 1 of \d+ ---\n<b>Textile Wire<\/b>/);
    expect(text.stdout).not.toContain('<!doctype');
  });

  it('says clearly when there is nothing new, and exits 0', async () => {
    const r = await runCli(['preview', 'silk'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Nothing new for silk: no article fetched since .* UTC matches it, so there is no digest to preview/);
    expect(r.stderr).toBe('');
  });
});
