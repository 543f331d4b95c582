// An alert is stored for the dashboard, logged, and sent to every Telegram admin; an admin the
// bot cannot reach costs a log line, not the alert.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { botApiClient } from '../../src/deliver/telegram-api.js';
import { createLogger } from '../../src/log.js';
import { alertNotifier } from '../../src/service/alerts.js';
import { listAlerts } from '../../src/store/alerts.js';
import { type BotApiEmulator, startBotApiEmulator } from '../support/bot-api-emulator.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const TOKEN = '123456789:TEST-emulator-token-0123456789';
const NOW = new Date('2026-11-24T09:00:00Z');

forEachDialect('alerts', (dialect) => {
  let store: TestStore;
  let bot: BotApiEmulator;
  beforeEach(async () => {
    store = await dialect.open();
    bot = await startBotApiEmulator({ token: TOKEN });
  });
  afterEach(async () => {
    await bot.close();
    await store.close();
  });

  it('stores the alert, logs it, and tells each Telegram admin; a blocked admin is only logged', async () => {
    bot.addChat({ id: 111 });
    bot.addChat({ id: 222 });
    bot.script(222, { kind: 'blocked' });
    const lines: string[] = [];
    const log = createLogger({ level: 'info', secrets: [TOKEN], destination: { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream });
    const api = botApiClient({ apiRoot: bot.url, token: TOKEN, connections: 2 });
    try {
      const alert = alertNotifier({ db: store.db, log, now: () => NOW, telegram: { api, adminIds: [111, 222] } });
      await alert({ kind: 'missed-slots', message: 'Daily: 3 slots were missed.' });
    } finally {
      await api.close();
    }
    expect(await listAlerts(store.db, { limit: 5 })).toMatchObject([
      { kind: 'missed-slots', message: 'Daily: 3 slots were missed.', created_at: NOW.toISOString(), acknowledged_at: null },
    ]);
    expect(bot.sent(111).map((m) => m.text)).toEqual(['⚠️ Daily: 3 slots were missed.']);
    expect(bot.sent(222)).toEqual([]);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(logged.find((l) => l.msg === 'Daily: 3 slots were missed.')?.level).toBe(40);
    expect(logged.some((l) => l.msg === 'could not tell a Telegram admin about an alert')).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});
