// Log lines are JSON (level, time, msg) and never carry a secret's value, whatever key or
// message it hides in: a library error quoting a URL, a nested cause, a percent-encoded copy.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { secretScrubber, secretValues } from '../../src/ops/log-secrets.js';

const BOT_TOKEN = '123456789:AAEsecretBotTokenValue_0123456789xyz';
const SMTP_PASSWORD = 'p@ss/word"with\\odd';
const ENV = {
  TELEGRAM_BOT_TOKEN: BOT_TOKEN,
  SMTP_URL: `smtps://news:${encodeURIComponent(SMTP_PASSWORD)}@smtp.example.org:465`,
  DATABASE_URL: 'postgres://tidings:pg-pass-1234@db.example.org/tidings',
  ADMIN_TOKEN: 'admin-token-0123456789abcdefghijklmnop',
  LLM_BASE_URL: 'https://llm.example.org/v1?key=llm-query-key-42',
  LOG_LEVEL: 'debug',
};

function capture(secrets?: string[]) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _e, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination, secrets: secrets ?? secretValues(ENV) }), lines };
}

describe('log redaction', () => {
  it('writes one JSON object per line with level, time and msg', () => {
    const { log, lines } = capture();
    log.info({ source: 3 }, 'source ingested');
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: 30, msg: 'source ingested', source: 3 });
    expect(typeof entry.time).toBe('number');
  });

  it('replaces each secret value wherever it appears: messages, nested errors, URLs, encoded or JSON-escaped', () => {
    const { log, lines } = capture();
    const err = new Error(`request to https://api.telegram.org/bot${BOT_TOKEN}/sendMessage failed, reason: ECONNREFUSED`);
    log.error({ err, detail: { nested: [`auth as news:${SMTP_PASSWORD}`] } }, `login with ${encodeURIComponent(SMTP_PASSWORD)} refused`);
    log.warn({ url: ENV.DATABASE_URL, pw: 'pg-pass-1234', header: `Bearer ${ENV.ADMIN_TOKEN}` }, 'db');
    log.debug({ endpoint: ENV.LLM_BASE_URL }, 'llm call');
    const text = lines.join('');
    for (const s of [
      BOT_TOKEN,
      SMTP_PASSWORD,
      encodeURIComponent(SMTP_PASSWORD),
      JSON.stringify(SMTP_PASSWORD).slice(1, -1),
      'pg-pass-1234',
      ENV.ADMIN_TOKEN,
      'llm-query-key-42',
    ]) {
      expect(text).not.toContain(s);
    }
    // Still readable: what failed, and where.
    expect(text).toContain('ECONNREFUSED');
    expect(text).toContain('https://api.telegram.org/bot<redacted>/sendMessage');
    expect(text).toContain('https://llm.example.org/v1?key=<redacted>');
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  });

  it('redacts a bot-token-shaped path even when the token is not configured', () => {
    const scrub = secretScrubber([]);
    expect(scrub('GET https://api.telegram.org/bot999:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/getMe')).toBe('GET https://api.telegram.org/bot<redacted>/getMe');
  });

  it('takes the secret settings from the environment, skipping a SQLite path and short URL passwords', () => {
    const values = secretValues({
      DATABASE_URL: './data/tidings.db',
      SMTP_URL: 'smtp://u:pw@127.0.0.1:25',
      METRICS_TOKEN: 'metrics-token-0123456789',
      HTTP_PORT: '8080',
    });
    expect(values).toEqual(['smtp://u:pw@127.0.0.1:25', 'metrics-token-0123456789']);
  });

  it('defaults to the secrets in process.env', () => {
    const before = process.env.METRICS_TOKEN;
    process.env.METRICS_TOKEN = 'from-process-env-0123456789';
    try {
      const lines: string[] = [];
      const destination = new Writable({
        write(chunk, _e, done) {
          lines.push(String(chunk));
          done();
        },
      });
      createLogger({ level: 'info', destination }).info(`token from-process-env-0123456789 seen`);
      expect(lines.join('')).toContain('token <redacted> seen');
    } finally {
      if (before === undefined) delete process.env.METRICS_TOKEN;
      else process.env.METRICS_TOKEN = before;
    }
  });
});
