// The LLM summarizer against a real local HTTP server playing an OpenAI-compatible endpoint:
// each failure mode ends in the extractive summary, marked 'extractive-fallback'. Waits between
// retries go through an injected sleep, so the delays asked for are asserted, not timed.
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { extractiveSummarizer, summarizeExtractive } from '../../src/summarize/extractive.js';
import { type LlmSummarizerOptions, chatEndpoint, llmSummarizer } from '../../src/summarize/llm.js';
import type { SummaryBudget } from '../../src/summarize/summarizer.js';
import { type FixtureServer, startServer } from '../support/http-fixture.js';

const API_KEY = 'sk-test-SECRET-0123456789';
const ARTICLE = {
  title: 'Cotton prices rise',
  lang: 'en',
  text: 'Cotton prices rose 5% on Monday as mills rebuilt stocks.\n\nMills said stocks were at a decade low.\n\nTraders expect demand to stay strong.',
};
const EXTRACTIVE = summarizeExtractive(ARTICLE);

interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer. */
  hang?: boolean;
  /** Send the headers and the start of the body, then nothing. */
  stall?: boolean;
}
const ok = (content: string, totalTokens?: number): Reply => ({
  body: JSON.stringify({
    choices: [{ index: 0, message: { role: 'assistant', content } }],
    ...(totalTokens !== undefined && { usage: { total_tokens: totalTokens } }),
  }),
});

let servers: FixtureServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** A chat endpoint answering with `replies` in turn (the last one repeats); records request bodies. */
async function endpoint(...replies: Reply[]) {
  const bodies: Record<string, unknown>[] = [];
  let n = 0;
  const server = await startServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    bodies.push(JSON.parse(raw) as Record<string, unknown>);
    const reply = replies[Math.min(n++, replies.length - 1)]!;
    if (reply.hang) return;
    if (reply.stall) {
      res.writeHead(200, { 'content-type': 'application/json' }).write('{"choices":[');
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '');
  });
  servers.push(server);
  return { server, bodies };
}

function setup(baseUrl: string, overrides: Partial<LlmSummarizerOptions> = {}) {
  const logged: string[] = [];
  const sleeps: number[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logged.push(String(chunk));
      done();
    },
  });
  const summarizer = llmSummarizer({
    baseUrl,
    model: 'test-model',
    apiKey: API_KEY,
    timeoutMs: 2000,
    maxTokensPerRun: 10_000,
    maxRetries: 2,
    log: createLogger({ level: 'debug', destination }),
    fallback: extractiveSummarizer(),
    retryBaseMs: 10,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { summarizer, sleeps, log: () => logged.join('') };
}

const expectFallback = (s: { text: string; method: string }, budget?: SummaryBudget) => {
  expect(s.method).toBe('extractive-fallback');
  expect(s.text).toBe(budget ? summarizeExtractive(ARTICLE, budget).text : EXTRACTIVE.text);
};

describe('llmSummarizer', () => {
  it('asks an OpenAI-compatible endpoint for a summary in the article language and returns it', async () => {
    const { server, bodies } = await endpoint(ok('Cotton prices rose 5% as mills restocked. Traders expect strong demand.', 321));
    const { summarizer } = setup(`${server.url}/v1/`);
    const s = await summarizer.summarize({ ...ARTICLE, lang: 'zh' }, { sentences: 2 });
    expect(s).toEqual({
      text: 'Cotton prices rose 5% as mills restocked. Traders expect strong demand.',
      sentences: ['Cotton prices rose 5% as mills restocked.', 'Traders expect strong demand.'],
      method: 'llm:test-model',
    });
    expect(server.hits).toEqual(['POST /v1/chat/completions']);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    const body = bodies[0] as { model: string; temperature: number; max_tokens: number; messages: { role: string; content: string }[] };
    expect(body).toMatchObject({ model: 'test-model', temperature: 0, max_tokens: 400 });
    expect(body.messages[0]!.content).toMatch(/in Chinese, at most 2 sentences/);
    expect(body.messages[1]!.content).toContain('Title: Cotton prices rise');
    expect(body.messages[1]!.content).toContain('Traders expect demand to stay strong.');
    expect(summarizer.tokensUsed()).toBe(321);
  });

  it('sends no Authorization header without a key', async () => {
    const { server } = await endpoint(ok('Cotton prices rose 5% on Monday.'));
    const { summarizer } = setup(server.url, { apiKey: undefined });
    expect((await summarizer.summarize(ARTICLE)).method).toBe('llm:test-model');
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('falls back after the timeout (headers or body late), without retrying', async () => {
    const { server } = await endpoint({ hang: true });
    const { summarizer, sleeps, log } = setup(server.url, { timeoutMs: 150 });
    expectFallback(await summarizer.summarize(ARTICLE));
    expect(server.hits).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(log()).toContain('no complete answer within 150 ms');

    const stalled = await endpoint({ stall: true });
    const slow = setup(stalled.server.url, { timeoutMs: 150 });
    expectFallback(await slow.summarizer.summarize(ARTICLE));
    expect(stalled.server.hits).toHaveLength(1);
    expect(slow.log()).toContain('no complete answer within 150 ms');
  });

  it('retries a 500 after the backoff and uses the answer', async () => {
    const { server } = await endpoint({ status: 500, body: '{"error":"overloaded"}' }, ok('Cotton prices rose 5% on Monday.'));
    const { summarizer, sleeps } = setup(server.url);
    expect((await summarizer.summarize(ARTICLE)).method).toBe('llm:test-model');
    expect(server.hits).toHaveLength(2);
    expect(sleeps).toEqual([10]);
  });

  it('waits as long as a 429 Retry-After says, up to the cap', async () => {
    const { server } = await endpoint({ status: 429, headers: { 'retry-after': '2' } }, ok('Cotton prices rose 5% on Monday.'));
    const { summarizer, sleeps } = setup(server.url, { maxRetryAfterMs: 5000 });
    expect((await summarizer.summarize(ARTICLE)).method).toBe('llm:test-model');
    expect(sleeps).toEqual([2000]);

    const long = await endpoint({ status: 429, headers: { 'retry-after': '120' } }, ok('never asked for'));
    const capped = setup(long.server.url, { maxRetryAfterMs: 5000 });
    expectFallback(await capped.summarizer.summarize(ARTICLE));
    expect(long.server.hits).toHaveLength(1);
    expect(capped.sleeps).toEqual([]);
    expect(capped.log()).toContain('Retry-After 120 s');
  });

  it('gives up after maxRetries on 5xx and on network errors, doubling the backoff', async () => {
    const { server } = await endpoint({ status: 503 });
    const { summarizer, sleeps } = setup(server.url, { maxRetries: 2 });
    expectFallback(await summarizer.summarize(ARTICLE));
    expect(server.hits).toHaveLength(3);
    expect(sleeps).toEqual([10, 20]);

    const gone = await startServer(() => undefined);
    const url = gone.url;
    await gone.close();
    const refused = setup(url, { maxRetries: 1 });
    expectFallback(await refused.summarizer.summarize(ARTICLE));
    expect(refused.sleeps).toEqual([10]);
    expect(refused.log()).toMatch(/network error: fetch failed \(ECONNREFUSED\), after 2 attempts/);
  });

  it('falls back on garbage: not JSON, no content, an empty or refusing answer', async () => {
    for (const reply of [
      { body: '<html>502 Bad Gateway</html>' },
      { body: '{"choices":[]}' },
      ok('   '),
      ok("I'm sorry, but I can't help with summarizing this article."),
      ok('抱歉，我无法完成这个请求。'),
    ]) {
      const { server } = await endpoint(reply);
      const { summarizer } = setup(server.url);
      expectFallback(await summarizer.summarize(ARTICLE));
      expect(server.hits, reply.body).toHaveLength(1);
    }
  });

  it('stops calling once the run token budget is spent', async () => {
    const { server } = await endpoint(ok('Cotton prices rose 5% on Monday.', 150));
    const { summarizer, log } = setup(server.url, { maxTokensPerRun: 100 });
    expect((await summarizer.summarize(ARTICLE)).method).toBe('llm:test-model');
    expectFallback(await summarizer.summarize(ARTICLE));
    expectFallback(await summarizer.summarize(ARTICLE));
    expect(server.hits).toHaveLength(1);
    expect(summarizer.tokensUsed()).toBe(150);
    // Said once, not once per article.
    expect(log().match(/token budget of 100 for this run is spent/g)).toHaveLength(1);
  });

  it('estimates tokens when the server reports no usage', async () => {
    const { server } = await endpoint(ok('Cotton prices rose 5% on Monday.'));
    const { summarizer } = setup(server.url);
    await summarizer.summarize(ARTICLE);
    expect(summarizer.tokensUsed()).toBeGreaterThan(20);
  });

  it('treats the output as untrusted text: markup, links and control characters go', async () => {
    const content =
      '<p>**Cotton** prices <script>alert(1)</script>rose\u0007 5%\u202e on Monday.</p>\n\n' +
      '<img src=x onerror=alert(1)> [Mills](javascript:alert(1)) rebuilt &lt;b&gt;stocks&lt;/b&gt;.';
    const { server } = await endpoint(ok(content));
    const { summarizer } = setup(server.url);
    const s = await summarizer.summarize(ARTICLE);
    expect(s.method).toBe('llm:test-model');
    expect(s.text).toBe('Cotton prices rose 5% on Monday. Mills rebuilt stocks.');
  });

  it('keeps to the budget: extra sentences are dropped, an over-long reply falls back', async () => {
    const three = await endpoint(ok('One sentence here. Two sentences here. Three sentences here.'));
    const s = await setup(three.server.url).summarizer.summarize(ARTICLE, { sentences: 2 });
    expect(s.sentences).toEqual(['One sentence here.', 'Two sentences here.']);

    const long = await endpoint(ok(`${'Cotton '.repeat(40)}prices rose.`));
    expectFallback(await setup(long.server.url).summarizer.summarize(ARTICLE, { chars: 100 }), { chars: 100 });
  });

  it('falls back on an unforeseen error, such as a throwing language function', async () => {
    const { server } = await endpoint(ok('Cotton prices rose 5% on Monday.'));
    const { summarizer, log } = setup(server.url, {
      language: () => {
        throw new Error('no language names here');
      },
    });
    expectFallback(await summarizer.summarize(ARTICLE));
    expect(server.hits).toHaveLength(0);
    expect(log()).toContain('unexpected error: no language names here');
  });

  it('never logs the API key, even when the server echoes it', async () => {
    const { server } = await endpoint({ status: 401, body: `{"error":"invalid key ${API_KEY}"}` });
    const { summarizer, log } = setup(server.url);
    expectFallback(await summarizer.summarize(ARTICLE));
    expect(log()).toContain('HTTP 401');
    expect(log()).not.toContain(API_KEY);
    expect(log()).not.toContain('SECRET');
  });

  it('rejects a base URL with credentials or a bad scheme without repeating the secret', () => {
    expect(() => chatEndpoint('http://user:hunter2@127.0.0.1:11434/v1')).toThrow(/must not contain credentials/);
    try {
      chatEndpoint('http://user:hunter2@127.0.0.1:11434/v1');
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
    expect(() => chatEndpoint('file:///etc/passwd')).toThrow(/must be http\(s\)/);
    expect(chatEndpoint('http://127.0.0.1:11434/v1/').href).toBe('http://127.0.0.1:11434/v1/chat/completions');
  });
});
