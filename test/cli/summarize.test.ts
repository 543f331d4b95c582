import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { summarizeExtractive } from '../../src/summarize/extractive.js';
import { tempDirs } from '../support/temp-dirs.js';
import { ROOT, runCli } from '../support/cli.js';
import { type FixtureServer, startServer } from '../support/http-fixture.js';

const EN_FILE = 'examples/textdump/001_cotton_prices.txt';
const ZH_FILE = path.join(ROOT, 'examples/textdump/003_zh_report.txt');
const PLAIN_EN =
  'Freight rates between Asia and Europe fell for a fifth week, brokers said on Friday.\n\n' +
  'Spot rates are now close to pre-pandemic levels after new ships entered service.\n\n' +
  'Carriers have begun cancelling sailings to support prices, analysts said.';
const API_KEY = 'sk-cli-SECRET-24680';

const dataDir = tempDirs('sum');
let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('tidings summarize', { timeout: 120_000 }, () => {
  it('prints the summary sentences of an English text dump, one per line', async () => {
    const r = await runCli(['summarize', EN_FILE], { TIDINGS_DATA_DIR: dataDir() });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Cotton futures rose for a third straight session/);
    // The dump's header, image name and navigation footer are not article text.
    expect(r.stdout).not.toMatch(/Market Watch|\.jpg|Last text|Next text/);
  });

  it('prints JSON for a Chinese text dump, with the sentences asked for', async () => {
    const r = await runCli(['summarize', ZH_FILE, '--json', '--sentences', '2'], { TIDINGS_DATA_DIR: dataDir() });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { lang: string; method: string; sentences: string[]; summary: string };
    expect(out).toMatchObject({ lang: 'zh', method: 'extractive' });
    expect(out.sentences).toHaveLength(2);
    expect(out.sentences[0]).toBe('纺织行业协会近日发布三季度行业运行报告。');
    expect(out.summary).toBe(out.sentences.join(''));
    expect(out.summary).not.toContain('c9f1-report-cover.jpg');
  });

  it('reads stdin with "-": plain English, and Chinese with --lang', async () => {
    const en = await runCli(['summarize', '-', '--sentences', '1', '--json'], { TIDINGS_DATA_DIR: dataDir() }, ROOT, PLAIN_EN);
    expect(en.code, en.stderr).toBe(0);
    const expected = summarizeExtractive({ title: '', text: PLAIN_EN, lang: 'en' }, { sentences: 1 });
    expect(JSON.parse(en.stdout)).toEqual({ lang: 'en', method: 'extractive', sentences: expected.sentences, summary: expected.text });

    const zhText = readFileSync(ZH_FILE, 'utf8').split('\n').slice(6, 9).join('\n');
    const zh = await runCli(['summarize', '-', '--lang', 'zh-CN'], { TIDINGS_DATA_DIR: dataDir() }, ROOT, zhText);
    expect(zh.code, zh.stderr).toBe(0);
    expect(zh.stdout.trimEnd().split('\n')).toEqual(summarizeExtractive({ title: '', text: zhText.trim(), lang: 'zh' }).sentences);
  });

  it('reports bad input in one line with exit code 2', async () => {
    const env = { TIDINGS_DATA_DIR: dataDir() };
    const cases: [string[], string | undefined, RegExp][] = [
      [['summarize', '/no/such/file.txt'], undefined, /^error: cannot read \/no\/such\/file\.txt: no such file\n$/],
      [['summarize', '-'], '  \n\n ', /^error: stdin is empty: nothing to summarize\n$/],
      [['summarize', EN_FILE, '--sentences', '0'], undefined, /^error: --sentences must be a whole number from 1 to 20, got "0"\n$/],
      [['summarize', EN_FILE, '--sentences', '2.5'], undefined, /^error: --sentences must be a whole number from 1 to 20, got "2\.5"\n$/],
      [['summarize', EN_FILE, '--lang', '??'], undefined, /^error: --lang must be a language tag such as en or zh, got "\?\?"\n$/],
    ];
    for (const [args, input, message] of cases) {
      const r = await runCli(args, env, ROOT, input);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      noStack(r.stderr);
    }
  });

  it('uses the configured LLM (or the extractive summarizer with --extractive), never printing the key', async () => {
    let status = 200;
    server = await startServer(async (req: IncomingMessage, res) => {
      for await (const _ of req);
      const body = status === 200 ? { choices: [{ message: { content: 'Cotton rose as mills restocked. Traders stay bullish.' } }] } : { error: 'down' };
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    const env = { TIDINGS_DATA_DIR: dataDir(), LLM_BASE_URL: `${server.url}/v1`, LLM_MODEL: 'test-model', LLM_API_KEY: API_KEY, LLM_MAX_RETRIES: '0' };
    const llm = await runCli(['summarize', EN_FILE, '--json'], env);
    expect(llm.code, llm.stderr).toBe(0);
    expect(JSON.parse(llm.stdout)).toEqual({
      lang: 'en',
      method: 'llm:test-model',
      sentences: ['Cotton rose as mills restocked.', 'Traders stay bullish.'],
      summary: 'Cotton rose as mills restocked. Traders stay bullish.',
    });
    expect(server.hits).toEqual(['POST /v1/chat/completions']);

    const forced = await runCli(['summarize', EN_FILE, '--json', '--extractive'], env);
    expect(JSON.parse(forced.stdout).method).toBe('extractive');
    expect(server.hits).toHaveLength(1);

    status = 503;
    const down = await runCli(['summarize', EN_FILE, '--json'], env);
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout).method).toBe('extractive-fallback');
    expect(down.stderr).toContain('LLM summary unavailable');
    expect(down.stderr + down.stdout).not.toContain(API_KEY);
  });
});

describe('summaries after ingest', { timeout: 120_000 }, () => {
  it('ingest and start summarize new articles once and say so', async () => {
    const env = { TIDINGS_DATA_DIR: dataDir() };
    expect((await runCli(['sources', 'add', 'examples/textdump', '--kind', 'textdump'], env)).code).toBe(0);
    const first = await runCli(['ingest'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Summarized 3 articles (extractive 3).');
    const rows = JSON.parse((await runCli(['articles', '--json'], env)).stdout) as { title: string; summary: string; summary_method: string }[];
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.summary_method).toBe('extractive');
    expect(rows.find((r) => r.title === '纺织行业协会发布三季度运行报告')!.summary).toMatch(/^纺织行业协会近日发布三季度行业运行报告。报告显示/);

    const json = await runCli(['ingest', '--force', '--json'], env);
    expect(JSON.parse(json.stdout).summaries).toMatchObject({ summarized: 0, failed: 0, byMethod: {} });
    const start = await runCli(['start', '--once'], { ...env, LOG_LEVEL: 'warn' });
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain('Summarized 0 articles.');
  });

  it('start on an empty data dir summarizes the bundled examples', async () => {
    const r = await runCli(['start', '--once'], { TIDINGS_DATA_DIR: dataDir(), LOG_LEVEL: 'warn' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 sources: 7 new[^\n]*\nSummarized 7 articles \(extractive 7\)\./);
  });
});
