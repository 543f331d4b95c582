// The summaries stage end to end on the LLM path: configuration → buildSummarizer → stage →
// store, against a real OpenAI-compatible endpoint played by a local server on 127.0.0.1.
import type { IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildSummarizer } from '../../src/deps.js';
import { openDb, type Store } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { addSource } from '../../src/store/sources.js';
import { summarizeExtractive } from '../../src/summarize/extractive.js';
import { summarizePending } from '../../src/summarize/stage.js';
import { type FixtureServer, startServer } from '../support/http-fixture.js';
import { capturingLogger } from '../support/log.js';

const API_KEY = 'sk-stage-SECRET-987654321';
const T0 = new Date('2026-11-24T16:18:07.123Z');
const ARTICLES = [
  {
    title: 'Cotton prices rise',
    lang: 'en',
    text: 'Cotton prices rose 5% on Monday as mills rebuilt stocks.\n\nMills said stocks were at a decade low.\n\nTraders expect demand to stay strong.',
  },
  {
    title: '纺织行业协会发布三季度运行报告',
    lang: 'zh',
    text: '纺织行业协会近日发布三季度行业运行报告。报告显示，工业增加值同比增长百分之三点二。\n\n协会建议企业加强库存管理。',
  },
];

let server: FixtureServer | undefined;
let store: Store;
beforeEach(async () => {
  // The LLM path is dialect-independent; the store part of the stage is tested on both dialects in stage.test.ts.
  store = openDb(':memory:');
  await migrateToLatest(store);
  const src = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/feed.xml', name: 'feed' }, T0)).id;
  for (const [i, a] of ARTICLES.entries()) {
    await store.db
      .insertInto('articles')
      .values({
        ...a,
        source_id: src,
        guid: `g${i}`,
        guid_key: `${src}:g${i}`,
        published_at: T0.toISOString(),
        fetched_at: T0.toISOString(),
        fingerprint: `fp${i}`,
        search_text: a.title,
      })
      .execute();
  }
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await store.close();
});

/** A chat endpoint answering every request with `status` and `content` (and token usage). */
async function chatEndpoint(status: number, content: string, totalTokens = 50) {
  const prompts: string[] = [];
  server = await startServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    prompts.push((JSON.parse(raw) as { messages: { content: string }[] }).messages[1]!.content);
    const body = status === 200 ? { choices: [{ message: { role: 'assistant', content } }], usage: { total_tokens: totalTokens } } : { error: content };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return { url: `${server.url}/v1`, prompts };
}

async function runStage(env: Record<string, string>) {
  const config = loadConfig({ LLM_MODEL: 'test-model', LLM_API_KEY: API_KEY, LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: '5000', ...env });
  const { log, text } = capturingLogger('debug');
  const result = await summarizePending({ db: store.db, summarizer: buildSummarizer(config, log), log }, { budget: { sentences: config.summary.sentences } });
  const rows = await store.db.selectFrom('articles').select(['title', 'summary', 'summary_method']).orderBy('id').execute();
  return { result, rows, log: text() };
}

describe('summaries stage with an LLM endpoint', () => {
  it('stores the LLM summary with method llm:<model>', async () => {
    const endpoint = await chatEndpoint(200, 'Cotton prices rose as mills restocked. Demand should stay strong.');
    const { result, rows } = await runStage({ LLM_BASE_URL: endpoint.url });
    expect(result).toMatchObject({ summarized: 2, failed: 0, byMethod: { 'llm:test-model': 2 } });
    expect(rows.map((r) => [r.summary, r.summary_method])).toEqual([
      ['Cotton prices rose as mills restocked. Demand should stay strong.', 'llm:test-model'],
      ['Cotton prices rose as mills restocked. Demand should stay strong.', 'llm:test-model'],
    ]);
    expect(server!.hits).toEqual(['POST /v1/chat/completions', 'POST /v1/chat/completions']);
    expect(server!.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(endpoint.prompts.sort()).toEqual(
      [`Title: ${ARTICLES[0]!.title}\n\nArticle:\n${ARTICLES[0]!.text}`, `Title: ${ARTICLES[1]!.title}\n\nArticle:\n${ARTICLES[1]!.text}`].sort(),
    );
  });

  it('falls back to the extractive summary when the endpoint fails, and stores that method', async () => {
    const endpoint = await chatEndpoint(500, 'overloaded');
    const { result, rows, log } = await runStage({ LLM_BASE_URL: endpoint.url });
    expect(result).toMatchObject({ summarized: 2, failed: 0, byMethod: { 'extractive-fallback': 2 } });
    expect(rows).toEqual(
      ARTICLES.map((a) => ({ title: a.title, summary: summarizeExtractive(a, { sentences: 3 }).text, summary_method: 'extractive-fallback' })),
    );
    expect(log).toContain('HTTP 500');
    expect(log).not.toContain(API_KEY);
  });

  it('spends at most LLM_TOKEN_BUDGET per run, then summarizes extractively', async () => {
    const endpoint = await chatEndpoint(200, 'Cotton prices rose as mills restocked.', 150);
    const { result } = await runStage({ LLM_BASE_URL: endpoint.url, LLM_TOKEN_BUDGET: '100' });
    expect(result.byMethod).toEqual({ 'llm:test-model': 1, 'extractive-fallback': 1 });
    expect(server!.hits).toHaveLength(1);
  });

  it('uses the extractive summarizer, and no network, without LLM_BASE_URL', async () => {
    await chatEndpoint(200, 'never asked');
    const { result } = await runStage({});
    expect(result.byMethod).toEqual({ extractive: 2 });
    expect(server!.hits).toEqual([]);
  });
});
