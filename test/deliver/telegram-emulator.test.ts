// The Bot API emulator's own strictness: if it let through what Telegram refuses, every Telegram
// test built on it would pass for the wrong reason.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegram } from 'telegraf';
import { afterEach, describe, expect, it } from 'vitest';
import { type BotApiEmulator, startBotApiEmulator } from '../support/bot-api-emulator.js';

let emu: BotApiEmulator;
afterEach(() => emu?.close());

async function call(method: string, params: Record<string, unknown> = {}, opts: { form?: boolean; token?: string } = {}) {
  const url = `${emu.url}/bot${opts.token ?? emu.token}/${method}`;
  const res = opts.form
    ? await fetch(url, {
        method: 'POST',
        body: new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
      })
    : await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  return {
    status: res.status,
    // biome-ignore lint/suspicious/noExplicitAny: results are whatever the method returns; each test reads its own fields
    body: (await res.json()) as { ok: boolean; result?: any; description?: string; error_code?: number; parameters?: { retry_after: number } },
  };
}

describe('Bot API emulator: requests', () => {
  it('refuses an unknown token with 401 and an unknown method with 404', async () => {
    emu = await startBotApiEmulator({ limits: false });
    expect(await call('getMe', {}, { token: '1:wrong' })).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    expect((await call('sendCarrierPigeon')).status).toBe(404);
    expect((await fetch(`${emu.url}/nothing`)).status).toBe(404);
    expect(emu.calls.map((c) => c.method)).toEqual(['sendCarrierPigeon']);
  });

  it('works as telegraf apiRoot and takes urlencoded bodies', async () => {
    emu = await startBotApiEmulator({ limits: false });
    const tg = new Telegram(emu.token, { apiRoot: emu.url });
    expect((await tg.getMe()).username).toBe('tidings_test_bot');
    const sent = await tg.sendMessage(5, '<b>Hi</b> &amp; welcome', { parse_mode: 'HTML' });
    expect(sent.text).toBe('Hi & welcome');
    expect((await call('sendMessage', { chat_id: '5', text: 'form' }, { form: true })).body.result.message_id).toBe(2);
    expect(emu.sent(5).map((m) => m.text)).toEqual(['Hi & welcome', 'form']);
  });

  it('validates parameters like the Bot API', async () => {
    emu = await startBotApiEmulator({ limits: false });
    expect((await call('sendMessage', { text: 'x' })).body.description).toBe('Bad Request: chat_id is empty');
    expect((await call('sendMessage', { chat_id: 1 })).body.description).toBe('Bad Request: message text is empty');
    expect((await call('sendMessage', { chat_id: 1, text: '<b> </b>', parse_mode: 'HTML' })).body.description).toBe('Bad Request: message text is empty');
    expect((await call('sendMessage', { chat_id: 1, text: 'x', parse_mode: 'Shouty' })).body.description).toMatch(/^Bad Request: unsupported parse_mode/);
    expect((await call('sendPhoto', { chat_id: 1 })).body.description).toBe('Bad Request: there is no photo in the request');
    expect(
      (await call('sendMessage', { chat_id: 1, text: 'x', reply_markup: { inline_keyboard: [[{ text: 'b', callback_data: 'x'.repeat(65) }]] } })).body
        .description,
    ).toBe('Bad Request: BUTTON_DATA_INVALID');
    expect((await call('sendMessage', { chat_id: 1, text: 'x', message_thread_id: 3 })).body.description).toBe('Bad Request: message thread not found');
    expect((await call('sendMessage', { chat_id: -1001, text: 'x', message_thread_id: 3 })).body.result.message_thread_id).toBe(3);
    expect((await call('sendChatAction', { chat_id: 1, action: 'dancing' })).body.description).toBe('Bad Request: wrong parameter action in request');
    expect(emu.messages).toHaveLength(1);
  });

  it('counts the 4096 and 1024 limits after entity parsing', async () => {
    emu = await startBotApiEmulator({ limits: false });
    const text = 'a'.repeat(4090);
    expect((await call('sendMessage', { chat_id: 1, text: `<b>${text}</b>&lt;&gt;&amp;`, parse_mode: 'HTML' })).status).toBe(200);
    expect((await call('sendMessage', { chat_id: 1, text: `${text}1234567` })).body).toMatchObject({
      error_code: 400,
      description: 'Bad Request: message is too long',
    });
    const caption = { chat_id: 1, photo: 'https://img.example.org/a.jpg', parse_mode: 'HTML' };
    expect((await call('sendPhoto', { ...caption, caption: `<i>${'c'.repeat(1024)}</i>` })).status).toBe(200);
    expect((await call('sendPhoto', { ...caption, caption: 'c'.repeat(1025) })).body.description).toBe('Bad Request: message caption is too long');
  });

  it.each([
    ['<b>unclosed', /Can't find end tag corresponding to start tag "b"/],
    ['<b><i>x</b></i>', /Unmatched end tag/],
    ['<blink>x</blink>', /Unsupported start tag "blink"/],
    ['1 < 2', /Unsupported start tag ""/],
    ['fish & chips', /unescaped "&"/],
    ['<span>x</span>', /must have class "tg-spoiler"/],
    ['&nbsp;', /unsupported HTML entity/],
  ])('refuses bad HTML %j', async (html, error) => {
    emu = await startBotApiEmulator({ limits: false });
    const { status, body } = await call('sendMessage', { chat_id: 1, text: html, parse_mode: 'HTML' });
    expect(status).toBe(400);
    expect(body.description).toMatch(/^Bad Request: can't parse entities: /);
    expect(body.description).toMatch(error);
  });

  it('accepts every tag and entity Telegram allows', async () => {
    emu = await startBotApiEmulator({ limits: false });
    const html =
      '<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>' +
      '<span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler><a href="https://x.example/?a=1&amp;b=2">l</a><code>c</code>' +
      '<pre><code class="language-ts">x</code></pre><blockquote>q</blockquote><blockquote expandable>e</blockquote>&lt;&gt;&amp;&quot;&#39;&#x41;';
    const { status, body } = await call('sendMessage', { chat_id: 1, text: html, parse_mode: 'HTML' });
    expect(status).toBe(200);
    expect(body.result.text.endsWith('<>&"\'A')).toBe(true);
    expect(body.result.entities.map((e: { type: string }) => e.type)).toContain('expandable_blockquote');
  });
});

describe('Bot API emulator: flood limits', () => {
  it('allows 30 messages in any 1 s window, then 429 with retry_after', async () => {
    let now = 0;
    emu = await startBotApiEmulator({ clock: () => now });
    for (let chat = 1; chat <= 30; chat++) expect((await call('sendMessage', { chat_id: chat, text: 'x' })).status).toBe(200);
    now = 999;
    expect((await call('sendMessage', { chat_id: 31, text: 'x' })).body).toEqual({
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    now = 1000;
    expect((await call('sendMessage', { chat_id: 31, text: 'x' })).status).toBe(200);
  });

  it('allows one message per second per chat and 20 per minute per group', async () => {
    let now = 0;
    emu = await startBotApiEmulator({ clock: () => now });
    expect((await call('sendMessage', { chat_id: 7, text: 'a' })).status).toBe(200);
    now = 500;
    expect((await call('sendMessage', { chat_id: 7, text: 'b' })).status).toBe(429);
    now = 1000;
    expect((await call('sendMessage', { chat_id: 7, text: 'b' })).status).toBe(200);
    for (let i = 0; i < 20; i++, now += 1000) expect((await call('sendMessage', { chat_id: -5, text: `g${i}` })).status).toBe(200);
    const refused = await call('sendMessage', { chat_id: -5, text: 'g20' });
    expect(refused.status).toBe(429);
    expect(refused.body.parameters!.retry_after).toBe(40);
    expect(emu.sent(-5)).toHaveLength(20);
  });
});

describe('Bot API emulator: scripts and chats', () => {
  it('plays scripted failures the given number of times', async () => {
    emu = await startBotApiEmulator({ limits: false });
    emu.script(1, { kind: 'blocked' }, { times: Infinity });
    emu.script(2, { kind: 'flood', retryAfter: 5 }, { times: 2 });
    emu.script(3, { kind: 'chat-not-found' });
    for (let i = 0; i < 2; i++) expect((await call('sendMessage', { chat_id: 1, text: 'x' })).body.description).toBe('Forbidden: bot was blocked by the user');
    expect((await call('sendMessage', { chat_id: 2, text: 'x' })).body.parameters).toEqual({ retry_after: 5 });
    expect((await call('sendMessage', { chat_id: 2, text: 'x' })).status).toBe(429);
    expect((await call('sendMessage', { chat_id: 2, text: 'x' })).status).toBe(200);
    expect((await call('sendMessage', { chat_id: 3, text: 'x' })).body).toMatchObject({ error_code: 400, description: 'Bad Request: chat not found' });
    expect((await call('sendMessage', { chat_id: 3, text: 'x' })).status).toBe(200);
    expect(emu.sent(1)).toEqual([]);
    expect(emu.calls.map((c) => c.status)).toEqual([403, 403, 429, 429, 200, 400, 200]);
  });

  it('hangs up before processing (network) or after processing (drop)', async () => {
    emu = await startBotApiEmulator({ limits: false });
    emu.script(1, { kind: 'network' });
    emu.script(2, { kind: 'drop' });
    await expect(call('sendMessage', { chat_id: 1, text: 'lost' })).rejects.toThrow();
    await expect(call('sendMessage', { chat_id: 2, text: 'maybe' })).rejects.toThrow();
    expect(emu.sent(1)).toEqual([]);
    expect(emu.sent(2).map((m) => [m.text, m.acknowledged])).toEqual([['maybe', false]]);
    expect(emu.calls.map((c) => c.status)).toEqual(['network', 'dropped']);
  });

  it('says whether the bot may post in a chat', async () => {
    emu = await startBotApiEmulator({ limits: false, autoChats: false });
    emu.addChat({ id: -1001, type: 'channel', username: 'newsroom', botStatus: 'member' });
    emu.addChat({ id: -22, botStatus: 'kicked' });
    expect((await call('sendMessage', { chat_id: 99, text: 'x' })).body.description).toBe('Bad Request: chat not found');
    expect((await call('getChatMember', { chat_id: '@newsroom', user_id: emu.bot.id })).body.result.status).toBe('member');
    expect((await call('sendMessage', { chat_id: '@newsroom', text: 'x' })).body.description).toBe(
      'Bad Request: need administrator rights in the channel chat',
    );
    emu.chat(-1001)!.botStatus = 'administrator';
    expect((await call('getChatMember', { chat_id: -1001, user_id: emu.bot.id })).body.result).toMatchObject({
      status: 'administrator',
      can_post_messages: true,
    });
    expect((await call('sendMessage', { chat_id: -1001, text: 'x' })).status).toBe(200);
    expect((await call('sendMessage', { chat_id: -22, text: 'x' })).body).toMatchObject({
      error_code: 403,
      description: 'Forbidden: bot was kicked from the group chat',
    });
  });

  it('edits and answers like the Bot API', async () => {
    emu = await startBotApiEmulator({ limits: false });
    const sent = (await call('sendMessage', { chat_id: 9, text: 'v1', reply_markup: { inline_keyboard: [[{ text: 'Next', callback_data: 'n' }]] } })).body
      .result;
    const { id } = await emu.callbackQuery({ from: { id: 9 }, message: emu.sent(9)[0]!, data: 'n' });
    expect((await call('answerCallbackQuery', { callback_query_id: id, text: 'ok' })).status).toBe(200);
    expect((await call('answerCallbackQuery', { callback_query_id: id })).status).toBe(400);
    expect(
      (
        await call('editMessageText', {
          chat_id: 9,
          message_id: sent.message_id,
          text: 'v1',
          reply_markup: { inline_keyboard: [[{ text: 'Next', callback_data: 'n' }]] },
        })
      ).body.description,
    ).toMatch(/^Bad Request: message is not modified/);
    expect((await call('editMessageText', { chat_id: 9, message_id: sent.message_id, text: 'v2' })).body.result.text).toBe('v2');
    expect((await call('editMessageText', { chat_id: 9, message_id: 77, text: 'v2' })).body.description).toBe('Bad Request: message to edit not found');
    expect((await call('setMyCommands', { commands: [{ command: 'Start', description: 'x' }] })).body.description).toBe('Bad Request: BOT_COMMAND_INVALID');
    expect((await call('setMyCommands', { commands: [{ command: 'start', description: 'Begin' }], language_code: 'zh' })).status).toBe(200);
    expect(emu.commands('default', 'zh')).toEqual([{ command: 'start', description: 'Begin' }]);
  });
});

describe('Bot API emulator: updates', () => {
  it('long-polls, confirms by offset and refuses getUpdates while a webhook is set', async () => {
    emu = await startBotApiEmulator({ limits: false });
    const waiting = call('getUpdates', { timeout: 10 });
    await emu.waitFor(() => emu.callsTo('getUpdates').length === 1);
    await emu.userMessage({ from: { id: 5, language_code: 'zh' }, text: '/latest 3' });
    const first = (await waiting).body.result;
    expect(first).toHaveLength(1);
    expect(first[0].message).toMatchObject({ text: '/latest 3', chat: { id: 5, type: 'private' }, entities: [{ type: 'bot_command', offset: 0, length: 7 }] });
    await emu.channelPost({ chat: -1009, text: '/stats' });
    const again = (await call('getUpdates', { offset: first[0].update_id })).body.result;
    expect(again.map((u: { update_id: number }) => u.update_id)).toEqual([1, 2]);
    expect(again[1].channel_post.from).toBeUndefined();
    expect((await call('getUpdates', { offset: 3 })).body.result).toEqual([]);
    expect((await call('setWebhook', { url: 'http://127.0.0.1:1/hook', secret_token: 'bad secret!' })).body.description).toBe(
      'Bad Request: secret token contains unallowed characters',
    );
    expect((await call('setWebhook', { url: 'http://hooks.example.org/hook' })).body.description).toMatch(/HTTPS URL/);
    expect((await call('setWebhook', { url: 'http://127.0.0.1:1/hook' })).status).toBe(200);
    expect((await call('getUpdates')).status).toBe(409);
  });

  it('POSTs updates to the webhook with the secret and runs a method in its reply', async () => {
    emu = await startBotApiEmulator({ limits: false });
    const seen: (string | undefined)[] = [];
    const hook = createServer((req, res) => {
      seen.push(req.headers['x-telegram-bot-api-secret-token'] as string | undefined);
      req.resume().on('end', () => {
        if (req.headers['x-telegram-bot-api-secret-token'] !== 'S3cret_token') return res.writeHead(401).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: 'sendMessage', chat_id: 5, text: 'pong' }));
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      await call('setWebhook', { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/tg`, secret_token: 'S3cret_token' });
      const update = await emu.userMessage({ from: { id: 5 }, text: 'ping' });
      expect(emu.sent(5).map((m) => m.text)).toEqual(['pong']);
      expect((await emu.postToWebhook(update, { secret: null })).status).toBe(401);
      expect((await emu.postToWebhook(update, { secret: 'wrong' })).status).toBe(401);
      expect(seen).toEqual(['S3cret_token', undefined, 'wrong']);
      expect(emu.callsTo('sendMessage')[0]!.via).toBe('webhook-reply');
      expect((await call('getWebhookInfo')).body.result).toMatchObject({
        pending_update_count: 0,
        last_error_message: 'Wrong response from the webhook: 401 Unauthorized',
      });
    } finally {
      await new Promise((r) => hook.close(r));
    }
  });
});
