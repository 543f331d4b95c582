// The Telegram delivery settings: Telegram's own limits by default, each one overridable, and a
// bad value named at start.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { TELEGRAM_PACING } from '../../src/deliver/pacing.js';

describe('Telegram delivery config', () => {
  it("defaults to Telegram's flood limits", () => {
    expect(loadConfig({}).telegramDelivery).toEqual({ pacing: TELEGRAM_PACING, concurrency: 64 });
  });

  it('takes each limit from the environment', () => {
    const c = loadConfig({ TELEGRAM_RATE_GLOBAL: '25', TELEGRAM_RATE_PER_CHAT_MS: '1500', TELEGRAM_RATE_GROUP_PER_MIN: '15', TELEGRAM_CONCURRENCY: '8' });
    expect(c.telegramDelivery).toEqual({ pacing: { global: 25, windowMs: 1000, perChatMs: 1500, group: 15, groupWindowMs: 60_000 }, concurrency: 8 });
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => loadConfig({ TELEGRAM_RATE_GLOBAL: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ TELEGRAM_RATE_GROUP_PER_MIN: 'lots' })).toThrow(/TELEGRAM_RATE_GROUP_PER_MIN: expected a whole number between 1 and 1000/);
  });
});
