// The bot's pure parts: redaction, command and /schedule parsing, wall-clock times, the config.
import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../src/bot/admin-newsletters.js';
import { parseCommand } from '../../src/bot/dispatch.js';
import { resolveLang, say } from '../../src/i18n/index.js';
import { errorLine, redactor, safeError } from '../../src/bot/redact.js';
import { searchTerms } from '../../src/bot/read-commands.js';
import { ConfigError, loadConfig, redactedConfig } from '../../src/config/index.js';
import { formatWallTime } from '../../src/time-zone.js';

const TOKEN = '123456789:AAE-secret_Part-0123456789abcdefXYZ';

describe('redactor', () => {
  const redact = redactor([TOKEN, 'webhook-secret-value-0123', undefined]);

  it('removes the secrets, as given and percent-encoded, and any token-shaped Bot API path', () => {
    expect(redact(`request to https://api.telegram.org/bot${TOKEN}/getMe failed`)).toBe('request to https://api.telegram.org/bot<redacted>/getMe failed');
    expect(redact(`GET /bot${encodeURIComponent(TOKEN)}/x`)).toBe('GET /bot<redacted>/x');
    expect(redact('/bot42:someone-elses_token/sendMessage')).toBe('/bot<redacted>/sendMessage');
    expect(redact('header was webhook-secret-value-0123!')).toBe('header was <redacted>!');
    expect(redact('nothing secret here')).toBe('nothing secret here');
  });

  it('makes errors safe to log: message, stack and code, redacted', () => {
    const err = Object.assign(new Error(`connect failed for /bot${TOKEN}/getUpdates`), { code: 'ECONNREFUSED' });
    const safe = safeError(err, redact);
    expect(safe).toMatchObject({ type: 'Error', code: 'ECONNREFUSED', message: 'connect failed for /bot<redacted>/getUpdates' });
    expect(JSON.stringify(safe)).not.toContain('secret_Part');
    expect(safe.stack).toContain('/bot<redacted>/getUpdates');
    expect(errorLine(new Error(`one ${TOKEN}\ntwo`), redact)).toBe('one <redacted>');
  });
});

describe('command parsing', () => {
  it('splits /name@bot args, lower-casing the name', () => {
    expect(parseCommand('/Search cotton  prices')).toEqual({ name: 'search', to: undefined, args: 'cotton  prices' });
    expect(parseCommand('/latest@Tidings_Bot 5')).toEqual({ name: 'latest', to: 'Tidings_Bot', args: '5' });
    expect(parseCommand('/start')).toEqual({ name: 'start', to: undefined, args: '' });
    expect(parseCommand('/topics 棉花\n价格')).toEqual({ name: 'topics', to: undefined, args: '棉花\n价格' });
    expect(parseCommand('hello /start')).toBeNull();
    expect(parseCommand('/')).toBeNull();
  });

  it('cuts Chinese search queries into the words the archive was indexed with', () => {
    expect(searchTerms('棉花价格')).toEqual(['棉花', '价格']);
    expect(searchTerms('Cotton  PRICES cotton')).toEqual(['cotton', 'prices']);
    expect(searchTerms('!!!')).toEqual([]);
  });
});

describe('/schedule', () => {
  it('parses the newsletter, a quoted or bare cron and an optional zone', () => {
    expect(parseSchedule('daily "0 8 * * *" Asia/Shanghai')).toEqual({ key: 'daily', cron: '0 8 * * *', timezone: 'Asia/Shanghai' });
    expect(parseSchedule('daily 0 8 * * * Europe/Berlin')).toEqual({ key: 'daily', cron: '0 8 * * *', timezone: 'Europe/Berlin' });
    expect(parseSchedule('daily 0 8 * * *')).toEqual({ key: 'daily', cron: '0 8 * * *', timezone: undefined });
    expect(parseSchedule('daily 0 8 * * MON')).toEqual({ key: 'daily', cron: '0 8 * * MON', timezone: undefined });
    expect(parseSchedule('daily 0 8 * * * UTC')).toEqual({ key: 'daily', cron: '0 8 * * *', timezone: 'UTC' });
    expect(parseSchedule('daily')).toBeNull();
  });

  it('formats a date as a wall clock in a zone', () => {
    expect(formatWallTime(new Date('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toBe('Sun 2026-03-29 03:30');
    expect(formatWallTime(new Date('2026-11-30T00:00:00Z'), 'UTC')).toBe('Mon 2026-11-30 00:00');
  });
});

describe('bot texts', () => {
  it('escapes what is filled in and picks Chinese for zh language codes', () => {
    expect(say('en', 'unknownNewsletter', { slug: '<b>x</b>&' })).toBe('There is no newsletter "&lt;b&gt;x&lt;/b&gt;&amp;". /newsletters lists them.');
    expect(resolveLang('zh-hans')).toBe('zh');
    expect(resolveLang('ZH-TW')).toBe('zh');
    expect(resolveLang('en-US')).toBe('en');
    expect(resolveLang(undefined)).toBe('en');
  });
});

describe('Telegram config', () => {
  it('has defaults, parses admin ids and strips a trailing slash from the API root', () => {
    const c = loadConfig({ TELEGRAM_ADMIN_IDS: ' 12345, 67890 ,12345', TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/' });
    expect(c.telegram).toEqual({ botToken: undefined, apiRoot: 'http://127.0.0.1:8081', mode: 'polling', webhookSecret: undefined, adminIds: [12345, 67890] });
    expect(loadConfig({}).telegram.apiRoot).toBe('https://api.telegram.org');
  });

  it('needs a token and a secret for webhook mode, and never prints either', () => {
    const fail = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(fail({ TELEGRAM_MODE: 'webhook', TELEGRAM_BOT_TOKEN: TOKEN })).toContain('TELEGRAM_WEBHOOK_SECRET: expected a secret');
    expect(fail({ TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: 'webhook-secret-value-0123' })).toContain('TELEGRAM_BOT_TOKEN: expected a bot token');
    const bad = fail({ TELEGRAM_BOT_TOKEN: 'secret_Part-not-a-token', TELEGRAM_WEBHOOK_SECRET: 'short!', TELEGRAM_ADMIN_IDS: 'alice' });
    expect(bad).toContain('TELEGRAM_BOT_TOKEN: expected a bot token from @BotFather');
    expect(bad).toContain('TELEGRAM_WEBHOOK_SECRET: expected 16 to 256 characters');
    expect(bad).toContain('TELEGRAM_ADMIN_IDS: expected comma-separated numeric Telegram user ids, such as 12345678,87654321 (got "alice")');
    expect(bad).not.toContain('secret_Part');
    expect(bad).not.toContain('short!');
    expect(fail({ TELEGRAM_MODE: 'hook' })).toContain('TELEGRAM_MODE: expected one of polling, webhook');
  });

  it('shows both secrets as <redacted> in the admin view', () => {
    const c = loadConfig({ TELEGRAM_MODE: 'webhook', TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'webhook-secret-value-0123' });
    const shown = JSON.stringify(redactedConfig(c));
    expect(shown).not.toContain('secret_Part');
    expect(shown).not.toContain('webhook-secret-value');
    expect(redactedConfig(c).telegram).toMatchObject({ botToken: '<redacted>', webhookSecret: '<redacted>', mode: 'webhook' });
  });
});
