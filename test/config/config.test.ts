import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedConfig } from '../../src/config/index.js';

describe('config', () => {
  it('has working defaults for the embedded setup', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe(path.resolve('data', 'tidings.db'));
    expect(c.fetch).toMatchObject({ timeoutMs: 20_000, maxBytes: 15 * 1024 * 1024, maxRedirects: 5, allow: [] });
    expect(c.logLevel).toBeUndefined();
    expect(Object.isFrozen(c) && Object.isFrozen(c.fetch) && Object.isFrozen(c.fetch.allow)).toBe(true);
  });

  it('parses lists and numbers, treating empty values as unset', () => {
    const c = loadConfig({ FETCH_ALLOW: ' 10.0.0.0/8, intranet.local ,', FETCH_TIMEOUT_MS: '1500', LOG_LEVEL: '', INGEST_CONCURRENCY: '' });
    expect(c.fetch.allow).toEqual(['10.0.0.0/8', 'intranet.local']);
    expect(c.fetch.timeoutMs).toBe(1500);
    expect(c.ingest.concurrency).toBe(32);
  });

  it('names every bad variable and what it expects', () => {
    let err: unknown;
    try {
      loadConfig({ FETCH_TIMEOUT_MS: 'soon', LOG_LEVEL: 'loud', FETCH_MAX_BYTES: '12' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('FETCH_TIMEOUT_MS: expected a whole number between 100 and 600000 (got "soon")');
    expect(msg).toContain('LOG_LEVEL: expected one of');
    expect(msg).toContain('FETCH_MAX_BYTES');
  });

  it('never prints the value of a secret', () => {
    const secret = 'mysql://admin:hunter2-very-secret@db.internal/tidings';
    try {
      loadConfig({ DATABASE_URL: secret });
      expect.unreachable('a mysql URL must be refused');
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('DATABASE_URL');
      expect(msg).not.toContain('hunter2');
      expect(msg).not.toContain('db.internal');
    }
  });

  it('redacts secrets in the dump', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u:hunter2@127.0.0.1/x' });
    expect(JSON.stringify(redactedConfig(c))).not.toContain('hunter2');
    expect(redactedConfig(c).databaseUrl).toBe('<redacted>');
  });
});

describe('summary and LLM settings', () => {
  const LLM = { LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'qwen2.5:7b' };
  const failure = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    return expect.unreachable('the configuration must be refused');
  };

  it('is extractive with 3 sentences by default', () => {
    expect(loadConfig({}).summary).toEqual({ sentences: 3, llm: undefined });
    // A model alone, without an endpoint, changes nothing.
    expect(loadConfig({ LLM_MODEL: 'x', SUMMARY_SENTENCES: '5' }).summary).toEqual({ sentences: 5, llm: undefined });
  });

  it('turns the LLM variables into the summarizer options, with defaults', () => {
    expect(loadConfig(LLM).summary.llm).toEqual({
      baseUrl: LLM.LLM_BASE_URL,
      model: 'qwen2.5:7b',
      apiKey: undefined,
      timeoutMs: 60_000,
      maxTokensPerRun: 200_000,
      maxRetries: 2,
    });
    const c = loadConfig({ ...LLM, LLM_API_KEY: 'sk-1', LLM_TIMEOUT_MS: '5000', LLM_TOKEN_BUDGET: '0', LLM_MAX_RETRIES: '0' });
    expect(c.summary.llm).toMatchObject({ apiKey: 'sk-1', timeoutMs: 5000, maxTokensPerRun: 0, maxRetries: 0 });
  });

  it('names bad values and what they expect', () => {
    const msg = failure({ ...LLM, SUMMARY_SENTENCES: '0', LLM_TIMEOUT_MS: 'soon', LLM_MAX_RETRIES: '11', LLM_TOKEN_BUDGET: '-1' });
    expect(msg).toContain('SUMMARY_SENTENCES: expected a whole number between 1 and 20 (got "0")');
    expect(msg).toContain('LLM_TIMEOUT_MS: expected a whole number between 100 and 600000 (got "soon")');
    expect(msg).toContain('LLM_MAX_RETRIES: expected a whole number between 0 and 10');
    expect(msg).toContain('LLM_TOKEN_BUDGET');
    expect(failure({ LLM_BASE_URL: LLM.LLM_BASE_URL })).toContain('LLM_MODEL: expected a model name when LLM_BASE_URL is set');
    expect(failure({ ...LLM, LLM_BASE_URL: 'ftp://127.0.0.1/v1' })).toContain('LLM_BASE_URL: expected an http(s) URL without user:password');
  });

  it('never prints the API key or a base URL that may carry one', () => {
    const msg = failure({ ...LLM, LLM_BASE_URL: 'https://user:hunter2@llm.internal/v1', LLM_API_KEY: 'sk-hunter3', SUMMARY_SENTENCES: 'x' });
    expect(msg).toContain('LLM_BASE_URL');
    expect(msg).not.toContain('hunter2');
    expect(msg).not.toContain('llm.internal');
    expect(msg).not.toContain('hunter3');
  });

  it('redacts the key and the base URL query in the dump', () => {
    const c = loadConfig({ ...LLM, LLM_BASE_URL: 'https://llm.example/openai/v1?api-key=hunter2', LLM_API_KEY: 'sk-hunter3' });
    const dump = redactedConfig(c);
    expect(JSON.stringify(dump)).not.toMatch(/hunter[23]/);
    expect(dump.summary).toMatchObject({ llm: { baseUrl: 'https://llm.example/openai/v1?<redacted>', apiKey: '<redacted>', model: 'qwen2.5:7b' } });
    expect((redactedConfig(loadConfig(LLM)).summary as { llm: { baseUrl: string } }).llm.baseUrl).toBe('http://127.0.0.1:11434/v1');
  });
});
