// `tidings preview` as an adapter: which output goes where for each option, and the exit codes.
// What a preview holds and that it records nothing is tested in-process (test/core).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNewsletter } from '../../src/core/newsletters.js';
import { silentLogger } from '../../src/log.js';
import { seedArticles } from '../core/newsletter-fixtures.js';
import { runCli } from '../support/cli.js';
import { dialects, type TestStore } from '../support/databases.js';

let dir: string;
let store: TestStore;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tidings-preview-'));
  store = await dialects.find((d) => d.name === 'sqlite')!.open();
  env = {
    DATABASE_URL: store.url,
    TIDINGS_DATA_DIR: dir,
    TIDINGS_POSTAL_ADDRESS: '12 Mill Street, Manchester',
    TIDINGS_PUBLIC_URL: 'https://news.example.org',
  };
  const ctx = { db: store.db, now: () => new Date(), log: silentLogger(), actor: 'cli' as const };
  await seedArticles(store.db, ctx.now());
  await addNewsletter(ctx, { slug: 'wire', name: 'Textile Wire' });
  await addNewsletter(ctx, { slug: 'silk', filters: { include: ['silk'] } });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tidings preview', { timeout: 60_000 }, () => {
  it('--out writes the archive copy of the email and prints the stories on stdout', async () => {
    const file = path.join(dir, 'sub', 'preview.html');
    const r = await runCli(['preview', 'wire', '--out', file], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Preview of Textile Wire (wire): 2 stories. Nothing was recorded.');
    expect(r.stdout).toMatch(/^ {2}1\. (Mills stock up on cotton|Polyester plants cut runs) — /m);
    expect(r.stdout).toContain(`Wrote the email HTML to ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('12 Mill Street, Manchester');
    const links = [...parseHTML(html).document.querySelectorAll('a')];
    expect(links.find((a) => a.textContent?.trim() === 'Unsubscribe')?.getAttribute('href')).toBe('https://news.example.org/unsubscribe');
  });

  it('prints HTML by default, the text email with --text and Telegram messages with --telegram; the summary on stderr', async () => {
    const html = await runCli(['preview', 'wire'], env);
    expect(html.stdout).toMatch(/^<!doctype html>/i);
    expect(html.stderr).toContain('Preview of Textile Wire');
    const text = await runCli(['preview', '1', '--text', '--telegram'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Subject: Textile Wire — /);
    expect(text.stdout).toContain('Unsubscribe: https://news.example.org/unsubscribe');
    expect(text.stdout).toMatch(/--- Telegram message 1 of \d+ ---\n<b>Textile Wire<\/b>/);
    expect(text.stdout).not.toContain('<!doctype');
  });

  it('says clearly when there is nothing new (exit 0), and which newsletter does not exist (exit 2)', async () => {
    const r = await runCli(['preview', 'silk'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Nothing new for silk: no article fetched since .* UTC matches it, so there is no digest to preview/);
    expect(r.stderr).toBe('');
    const missing = await runCli(['preview', '9'], env);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/^error: No newsletter "9"[^\n]*\n$/)]);
  });
});
