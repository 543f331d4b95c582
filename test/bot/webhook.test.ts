// Acceptance 5 (issue 5): POST /telegram/webhook on the real HTTP server. A missing secret is a
// 401 and a wrong one a 403, with the bot never running; the secret never reaches the logs or a
// response; the same update delivered twice gets one reply.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { handleUpdate } from '../../src/bot/bot.js';
import { WEBHOOK_PATH } from '../../src/bot/webhook.js';
import { buildServer } from '../../src/http/server.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { ALICE, type Harness, startHarness } from './harness.js';

const SECRET = 'webhook-secret-0123456789abcdef-XYZ';

forEachDialect('telegram webhook', (dialect) => {
  let store: TestStore;
  let h: Harness;
  let app: FastifyInstance;
  let handled: unknown[];

  beforeEach(async () => {
    store = await dialect.open();
    h = await startHarness(store, { polling: false });
    handled = [];
    app = buildServer({
      db: store.db,
      log: h.deps.log,
      now: h.deps.now,
      sender: { organization: 'Tidings Test', postalAddress: '1 Test Street', publicUrl: 'http://127.0.0.1' },
      telegramWebhook: {
        secret: SECRET,
        handle: async (update) => {
          handled.push(update);
          await handleUpdate(h.bot, update, h.deps);
        },
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    await h.bot.telegram.setWebhook(`http://127.0.0.1:${port}${WEBHOOK_PATH}`, { secret_token: SECRET });
  });
  afterEach(async () => {
    await app.close();
    await h.stop();
    await store.close();
  });

  it('runs updates Telegram posts with the right secret', async () => {
    await h.emu.userMessage({ from: ALICE, text: '/help' });
    expect(h.emu.webhookDeliveries.map((d) => d.status)).toEqual([200]);
    expect(h.emu.sent(ALICE.id).map((m) => m.text)).toEqual([expect.stringContaining('/search words')]);
  });

  it('answers 401 without the header and 403 with a wrong one, never running the bot', async () => {
    const update = {
      update_id: 9001,
      message: { message_id: 1, date: 0, chat: { id: ALICE.id, type: 'private' }, from: { ...ALICE, is_bot: false }, text: '/help' },
    };
    const missing = await h.emu.postToWebhook(update, { secret: null });
    const wrong = await h.emu.postToWebhook(update, { secret: 'webhook-secret-0123456789abcdef-XYY' });
    const short = await h.emu.postToWebhook(update, { secret: 'x' });
    expect([missing.status, wrong.status, short.status]).toEqual([401, 403, 403]);
    expect(handled).toEqual([]);
    expect(h.emu.sent(ALICE.id)).toEqual([]);
    expect(await store.db.selectFrom('bot_updates').selectAll().execute()).toEqual([]);
    // Neither the expected secret nor the one sent shows up anywhere.
    const everything = [missing.body, wrong.body, short.body, h.logText()].join('\n');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('0123456789abcdef');
    expect(h.logText()).toContain('telegram webhook: wrong secret token');
  });

  it('refuses a request that is not an update', async () => {
    const res = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}${WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(res.status).toBe(400);
    expect(handled).toEqual([]);
  });

  it('handles the same update delivered twice once', async () => {
    const update = await h.emu.userMessage({ from: ALICE, text: '/newsletters' });
    expect(h.emu.sent(ALICE.id)).toHaveLength(1);
    const again = await h.emu.postToWebhook(update);
    expect(again.status).toBe(200);
    expect(handled).toHaveLength(2);
    expect(h.emu.sent(ALICE.id)).toHaveLength(1);
    expect(await store.db.selectFrom('bot_updates').select('update_id').execute()).toEqual([{ update_id: expect.anything() }]);
  });
});
