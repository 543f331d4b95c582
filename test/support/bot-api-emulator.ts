/**
 * A strict local Telegram Bot API for tests: node:http on 127.0.0.1, `/bot<token>/<method>`,
 * JSON, urlencoded or query-string parameters. Point telegraf (`telegram: { apiRoot: emu.url }`)
 * or TELEGRAM_API_ROOT at `emu.url`.
 *
 *   const emu = await startBotApiEmulator();             // real flood limits, real-time clock
 *   emu.addChat({ id: -1001, type: 'channel', username: 'news' });
 *   emu.script(42, { kind: 'flood', retryAfter: 2 }, { times: 2 });   // 429 twice, then normal
 *   emu.script(43, { kind: 'blocked' }, { times: Infinity });         // 403 for good
 *   emu.script(44, { kind: 'drop' }, { after: 1 });    // 2nd send processed, then hung up on
 *   emu.define('getChatMenuButton', () => ({ type: 'default' }));     // a method it lacks
 *   … run the code under test …
 *   emu.sent(42)            // messages chat 42 received, in order
 *   emu.calls               // every call: { method, params, chat, at, status, description }
 *   await emu.userMessage({ from: { id: 7, language_code: 'zh' }, text: '/latest 3' });
 *   await emu.waitFor(() => emu.sent(7).length === 1);
 *   await emu.close();
 *
 * Strict like the real server: 401 for a wrong token, 404 for an unknown method, 400 "Bad
 * Request: …" for missing or invalid parameters, text over 4096 / caption over 1024 (after
 * entity parsing), bad HTML (src/digest/telegram-html.ts, strict), 429 with retry_after when a
 * send breaks a flood limit (see bot-api/limits.ts; `limits: false` turns them off), 403/400
 * when the bot may not post in a chat. Unknown numeric chats are created on first use unless
 * `autoChats: false` (then they are 400 "chat not found").
 * Documents: `userMessage({ …, document: { name, content } })` sends a file (the text is its
 * caption); getFile answers with its file_path, downloadable from `${url}/file/bot<token>/<path>`.
 * Updates: pushed ones wait for getUpdates, or, after setWebhook, are POSTed to the webhook with
 * X-Telegram-Bot-Api-Secret-Token; a method in the webhook's JSON reply is run as a call.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ApiState, type CallContext, createState, nextMessageId, resolveChat } from './bot-api/api-state.js';
import {
  answerCallbackQuery,
  deleteMyCommands,
  getChat,
  getFile,
  getChatAdministrators,
  getChatMember,
  getMe,
  getMyCommands,
  setMyCommands,
} from './bot-api/chat-methods.js';
import { type RateLimits, TELEGRAM_LIMITS } from './bot-api/limits.js';
import { deleteMessage, editMessageText, sendChatAction, sendMessage, sendPhoto } from './bot-api/messages.js';
import { ApiError, chatKeyOf, type Params, readParams } from './bot-api/params.js';
import { type ChatInit, type EmulatedChat, type EmulatedUser, makeChat, type MemberStatus, type SentMessage } from './bot-api/state.js';
import { type Update, UpdateHub, type WebhookDelivery } from './bot-api/updates.js';
import { updateBodies } from './bot-api/user-updates.js';

export type { ChatInit, EmulatedChat, EmulatedUser, MemberStatus, RateLimits, SentMessage, Update, WebhookDelivery };
export { TELEGRAM_LIMITS };

export interface BotApiCall {
  method: string;
  params: Params;
  /** chat_id as a string, when the call had one. */
  chat: string | undefined;
  /** Emulator clock (ms) when the request had arrived whole. */
  at: number;
  /** HTTP status replied; 'network': socket destroyed unprocessed; 'dropped': processed, then destroyed. */
  status: number | 'network' | 'dropped' | 'pending';
  description: string | undefined;
  via: 'http' | 'webhook-reply';
}

/** A scripted reply for calls about one chat. */
export type ScriptedOutcome =
  | { kind: 'blocked' }
  | { kind: 'kicked' }
  | { kind: 'chat-not-found' }
  | { kind: 'flood'; retryAfter: number }
  | { kind: 'error'; status: number; description: string; retryAfter?: number }
  /** The socket is destroyed before anything is processed: nothing was sent. */
  | { kind: 'network' }
  /** Processed and recorded as sent, then the socket is destroyed without a reply. */
  | { kind: 'drop' };

export interface ScriptOptions {
  /** How many matching calls get the outcome (default 1; Infinity for good). */
  times?: number;
  /** Matching calls to let through normally first (default 0). */
  after?: number;
  /** Which methods it applies to (default: sendMessage, sendPhoto, editMessageText, sendChatAction, deleteMessage). */
  methods?: string[] | 'all';
}

export interface EmulatorOptions {
  /** Default '123456789:TEST-emulator-token-0123456789'; the bot's id is the part before the colon. */
  token?: string;
  botUsername?: string;
  /** Flood limits (default: Telegram's); false: none. */
  limits?: Partial<RateLimits> | false;
  /** Milliseconds; default performance.now(). Drives rate limits and call timestamps. */
  clock?: () => number;
  autoChats?: boolean;
}

const MESSAGE_METHODS = ['sendMessage', 'sendPhoto', 'editMessageText', 'sendChatAction', 'deleteMessage'];

const METHODS: Record<string, (ctx: CallContext) => unknown> = {
  getMe,
  getChat,
  getFile,
  getChatMember,
  getChatAdministrators,
  answerCallbackQuery,
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
  sendMessage,
  sendPhoto,
  editMessageText,
  deleteMessage,
  sendChatAction,
};

export type BotApiEmulator = Awaited<ReturnType<typeof startBotApiEmulator>>;

export async function startBotApiEmulator(opts: EmulatorOptions = {}) {
  const token = opts.token ?? '123456789:TEST-emulator-token-0123456789';
  const clock = opts.clock ?? (() => performance.now());
  const bot: EmulatedUser = { id: Number(token.split(':')[0]), first_name: 'Tidings Test Bot', username: opts.botUsername ?? 'tidings_test_bot', is_bot: true };
  const state: ApiState = createState(bot, opts.autoChats ?? true, opts.limits === false ? null : { ...TELEGRAM_LIMITS, ...opts.limits });
  const calls: BotApiCall[] = [];
  const scripts: { chat: string; outcome: ScriptedOutcome; skip: number; left: number; methods: string[] | 'all' }[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  const inFlight = new Set<Promise<void>>();
  const extra = new Map<string, (ctx: CallContext) => unknown>();
  const hub = new UpdateHub(async (method, params) => {
    await runCall(method, params, 'webhook-reply', null);
  });

  /** The first live script for this call; calls a script lets through first count down its `skip`. */
  function pickScript(chat: string | undefined, method: string) {
    const matching = scripts.filter((s) => s.left > 0 && s.chat === chat && (s.methods === 'all' || s.methods.includes(method)));
    const live = matching.find((s) => s.skip === 0);
    for (const s of matching) if (s.skip > 0) s.skip--;
    return live;
  }

  /** Runs one call (HTTP or webhook reply); `res` null: nobody to answer (a webhook reply). */
  async function runCall(method: string, params: Params, via: BotApiCall['via'], res: ServerResponse | null): Promise<void> {
    const call: BotApiCall = { method, params, chat: chatKeyOf(params), at: clock(), status: 'pending', description: undefined, via };
    calls.push(call);
    notify();
    const ctx: CallContext = { state, params, at: call.at, sent: [] };
    const script = pickScript(call.chat, method);
    let reply: { ok: true; result: unknown } | ApiError;
    try {
      if (script && script.outcome.kind !== 'drop') {
        script.left--;
        if (script.outcome.kind === 'network') {
          call.status = 'network';
          res?.socket?.destroy();
          return;
        }
        throw scriptedError(script.outcome, call.chat);
      }
      reply = { ok: true, result: await dispatch(method, ctx, res) };
      if (script && res) {
        script.left--;
        for (const m of ctx.sent) m.acknowledged = false;
        call.status = 'dropped';
        res.socket?.destroy();
        return;
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      reply = err;
    } finally {
      notify();
    }
    if (reply instanceof ApiError) {
      call.status = reply.status;
      call.description = reply.description;
      const body: Params = { ok: false, error_code: reply.status, description: reply.description };
      if (reply.retryAfter !== undefined) body.parameters = { retry_after: reply.retryAfter };
      if (res) respond(res, reply.status, body);
    } else {
      call.status = 200;
      if (res) respond(res, 200, reply);
    }
    notify();
  }

  async function dispatch(method: string, ctx: CallContext, res: ServerResponse | null): Promise<unknown> {
    const name = Object.keys(METHODS).find((m) => m.toLowerCase() === method.toLowerCase());
    const custom = extra.get(method.toLowerCase());
    if (custom) return custom(ctx);
    if (name) return METHODS[name]!(ctx);
    switch (method.toLowerCase()) {
      case 'getupdates': {
        const abort = new AbortController();
        res?.on('close', () => abort.abort());
        return hub.getUpdates(ctx.params, abort.signal);
      }
      case 'setwebhook':
        return hub.setWebhook(ctx.params);
      case 'deletewebhook':
        return hub.deleteWebhook(ctx.params);
      case 'getwebhookinfo':
        return hub.getWebhookInfo();
    }
    throw new ApiError(404, 'Not Found');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) respond(res, 500, { ok: false, error_code: 500, description: `emulator error: ${String(err)}` });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const download = /^\/file\/bot([^/]*)\/(.+)$/.exec(url.pathname);
    if (download) return serveFile(res, download[1] === token ? download[2]! : null);
    const m = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return respond(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== token) return respond(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    let params: Params;
    try {
      params = readParams(req, Buffer.concat(chunks), url);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return respond(res, err.status, { ok: false, error_code: err.status, description: err.description });
    }
    const running = runCall(m[2]!, params, 'http', res);
    inFlight.add(running);
    await running.finally(() => inFlight.delete(running));
  }

  /** File downloads: the path getFile gave, under /file/bot<token>/; anything else is 404 as on the real server. */
  function serveFile(res: ServerResponse, filePath: string | null): void {
    const file = filePath === null ? undefined : [...state.files.values()].find((f) => f.file_path === filePath);
    if (!file) {
      respond(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.content.length });
    res.end(file.content);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    /** The API root: TELEGRAM_API_ROOT / telegraf's apiRoot. */
    url: `http://127.0.0.1:${port}`,
    token,
    bot,
    calls,
    /** Every message the bot sent (or had processed before a scripted drop), in order. */
    messages: state.messages,
    /** Webhook POSTs made so far, with the status the webhook replied. */
    webhookDeliveries: hub.deliveries,
    /** Calls of one method (case-insensitive). */
    callsTo: (method: string) => calls.filter((c) => c.method.toLowerCase() === method.toLowerCase()),
    /** Messages chat `chatId` received, in order (deleted ones included, flagged). */
    sent: (chatId: number | string) => state.messages.filter((msg) => String(msg.chat_id) === String(chatId)),
    addChat(init: ChatInit): EmulatedChat {
      const chat = makeChat(init);
      state.chats.set(chat.id, chat);
      return chat;
    },
    /** The live chat object (change `botStatus`, `canPostMessages` … in place). */
    chat: (id: number) => state.chats.get(id),
    setMember(chatId: number, user: EmulatedUser, status: MemberStatus): void {
      resolveChat(state, chatId).members.set(user.id, { user, status });
    },
    /** The next `times` matching calls about `chatId` get `outcome` instead of the normal reply. */
    script(chatId: number | string, outcome: ScriptedOutcome, o: ScriptOptions = {}): void {
      scripts.push({ chat: String(chatId), outcome, skip: o.after ?? 0, left: o.times ?? 1, methods: o.methods ?? MESSAGE_METHODS });
    },
    clearScripts: () => void scripts.splice(0),
    /** Adds or overrides a method (name case-insensitive). */
    define(method: string, handler: (ctx: CallContext) => unknown): void {
      extra.set(method.toLowerCase(), handler);
    },
    /** Queues an update (or POSTs it to the webhook) and resolves with it, update_id assigned. */
    pushUpdate: (body: Record<string, unknown>) => hub.push(body).finally(notify),
    ...updateBodies(state, (body) => hub.push(body).finally(notify)),
    /** POSTs an update to the webhook as is; `secret` null sends no header. Default: the one set. */
    postToWebhook: (update: Update, o: { secret?: string | null } = {}) =>
      hub.post(update, o.secret === undefined ? (hub.webhook?.secret ?? null) : o.secret).finally(notify),
    webhook: () => hub.webhook,
    callbackAnswer: (id: string) => state.callbackQueries.get(id)?.answer,
    commands: (scope = 'default', languageCode = '') => state.commands.get(`${scope}:${languageCode}`),
    nextMessageId: (chatId: number) => nextMessageId(state, chatId),
    /** Resolves once `predicate` holds, checked after every call and update; rejects after `timeoutMs`. */
    waitFor(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`waitFor: condition not met after ${timeoutMs} ms (${calls.length} calls so far)`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    /** Ends waiting polls, lets calls in progress finish, then closes every connection. */
    async close(): Promise<void> {
      hub.close();
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function scriptedError(o: Exclude<ScriptedOutcome, { kind: 'network' | 'drop' }>, chat: string | undefined): ApiError {
  switch (o.kind) {
    case 'blocked':
      return new ApiError(403, 'Forbidden: bot was blocked by the user');
    case 'kicked':
      return new ApiError(403, Number(chat) < 0 ? 'Forbidden: bot was kicked from the group chat' : 'Forbidden: user is deactivated');
    case 'chat-not-found':
      return new ApiError(400, 'Bad Request: chat not found');
    case 'flood':
      return new ApiError(429, `Too Many Requests: retry after ${o.retryAfter}`, o.retryAfter);
    case 'error':
      return new ApiError(o.status, o.description, o.retryAfter);
  }
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
