// The four front-ends over ONE fresh store, for table-driven tests that run an operation through
// each and compare what it did: the CLI (the compiled `tidings` in a child process, DATABASE_URL
// pointing at the store), the JSON API (bearer token), the admin web UI (a logged-in session,
// CSRF handled) and the Telegram bot (an admin talking to it through the Bot API emulator).
//
//   const fe = await frontEnds();
//   await fe.cli(['sources', 'add', url]);        // or fe.api('POST', '/api/v1/sources', { url })
//   await fe.web('POST', '/admin/sources', { url }); await fe.bot(`/sources add ${url}`);
//   await fe.auditActions()                       // [{ actor, action, ok }] oldest first
//   await fe.close();
//
// Nothing is seeded: the store holds only what the operation under test (and the test) wrote.
// Every front-end reads with a fetcher allowed to reach 127.0.0.1 and adds sources at a
// 60-minute interval, so the same operation leaves the same rows whichever front-end ran it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Telegraf } from 'telegraf';
import { createBot } from '../../src/bot/bot.js';
import { redactor } from '../../src/bot/redact.js';
import { pollUntil } from '../../src/bot/run.js';
import type { BotDeps } from '../../src/bot/turn.js';
import { sendNow } from '../../src/core/send-now.js';
import { buildReaders } from '../../src/deps.js';
import { silentLogger } from '../../src/log.js';
import type { Fetcher } from '../../src/sources/types.js';
import { tokenSigner } from '../../src/subscribers/tokens.js';
import { type ApiHarness, apiHarness } from '../admin/api-harness.js';
import { adminServer, type Client, type Harness as WebHarness, login, upload } from '../admin/web-harness.js';
import { ADMIN, buildDepsFor, say } from '../bot/harness.js';
import { type BotApiEmulator, startBotApiEmulator } from './bot-api-emulator.js';
import { type CliResult, runCli } from './cli.js';
import { dialects, type TestStore } from './databases.js';
import { testFetcher } from './fetcher.js';

export const SOURCE_INTERVAL_MINUTES = 60;
/** The Telegram admin the bot's messages come from (TELEGRAM_ADMIN_IDS holds only this id). */
export const BOT_ADMIN = ADMIN;

export type FrontEndName = 'cli' | 'api' | 'web' | 'bot';
export const FRONT_ENDS: readonly FrontEndName[] = ['cli', 'api', 'web', 'bot'];

export interface AuditEntry {
  actor: string;
  action: string;
  ok: boolean;
  detail: string | null;
}

export interface FrontEnds {
  store: TestStore;
  /** `tidings <args>` in a child process on this store; `input` is its stdin. */
  cli(args: string[], input?: string): Promise<CliResult>;
  /** The JSON API with the admin token (JSON-encodes an object body). */
  api(method: InjectOptions['method'], url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /**
   * The admin web UI as the logged-in admin: GET, or POST of a form (the CSRF field added), or
   * of a multipart form when `file` is given (an upload, as a browser sends it).
   */
  web(
    method: 'GET' | 'POST',
    url: string,
    form?: Record<string, string | string[]>,
    file?: { field: string; name: string; content: string | Buffer },
  ): Promise<LightMyRequestResponse>;
  /** `text` from the Telegram admin in its private chat (with a file attached, `text` its caption); the bot's reply. */
  bot(text: string, opts?: { document?: { name: string; content: string | Buffer } }): Promise<string>;
  /** Writes a file in this harness's temp folder (for `tidings … <file>`); returns its path. */
  file(name: string, content: string | Buffer): string;
  /** The audit log, oldest first, without the harness's own rows (the web UI's login). */
  auditActions(): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

interface Parts {
  api?: ApiHarness;
  web?: { server: WebHarness; client: Client };
  bot?: { emu: BotApiEmulator; bot: Telegraf; fetcher: Fetcher; stop: AbortController; polling: Promise<void> };
}

/** Starts lazily: a test that only uses the CLI pays for no server, bot or login. */
export async function frontEnds(): Promise<FrontEnds> {
  const store = await dialects[0]!.open();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tidings-fe-'));
  const parts: Parts = {};
  const setupRows = new Set<number>();
  const lastAuditId = async () =>
    Number(
      (
        await store.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.max('id').as('id'))
          .executeTakeFirst()
      )?.id ?? 0,
    );
  const env = {
    DATABASE_URL: store.url,
    TIDINGS_DATA_DIR: dir,
    FETCH_ALLOW: '127.0.0.1',
    SOURCE_INTERVAL_MINUTES: String(SOURCE_INTERVAL_MINUTES),
    LOG_LEVEL: 'warn',
  };

  async function apiPart(): Promise<ApiHarness> {
    parts.api ??= await apiHarness(store, { sourceIntervalMinutes: SOURCE_INTERVAL_MINUTES });
    return parts.api;
  }
  async function webPart() {
    if (!parts.web) {
      const server = await adminServer(store.db);
      // The login's own audit row is the harness's doing, not the operation's: left out of auditActions().
      const before = await lastAuditId();
      const client = await login(server.app);
      for (let id = before + 1; id <= (await lastAuditId()); id++) setupRows.add(id);
      parts.web = { server, client };
    }
    return parts.web;
  }
  async function botPart() {
    if (!parts.bot) {
      const emu = await startBotApiEmulator({ limits: false });
      const fetcher = testFetcher();
      const bot = createBot({ token: emu.token, apiRoot: emu.url }, botDeps(store, emu, fetcher));
      bot.botInfo = await bot.telegram.getMe();
      const stop = new AbortController();
      parts.bot = { emu, bot, fetcher, stop, polling: pollUntil(bot, stop.signal) };
    }
    return parts.bot;
  }

  return {
    store,
    cli: (args, input) => runCli(args, env, undefined, input),
    async api(method, url, body, headers) {
      return (await apiPart()).call(method, url, body, headers);
    },
    async web(method, url, fields, file) {
      const { client } = await webPart();
      if (method === 'GET') return client.get(url);
      if (!file) return client.post(url, fields);
      return client.inject({ method: 'POST', url, ...upload({ _csrf: client.csrf, ...(fields as Record<string, string>) }, file) });
    },
    async bot(text, opts = {}) {
      const { emu } = await botPart();
      return say({ emu }, BOT_ADMIN, text, { document: opts.document });
    },
    file(name, content) {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return file;
    },
    async auditActions() {
      const rows = await store.db.selectFrom('audit_log').select(['id', 'actor', 'action', 'ok', 'detail']).orderBy('id').execute();
      return rows.filter((r) => !setupRows.has(r.id)).map((r) => ({ actor: r.actor, action: r.action, ok: Boolean(r.ok), detail: r.detail }));
    },
    async close() {
      try {
        if (parts.bot) {
          parts.bot.stop.abort();
          await parts.bot.polling.catch(() => undefined);
          await parts.bot.emu.close();
          await parts.bot.fetcher.close();
        }
        await parts.web?.server.close();
        await parts.api?.close();
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function botDeps(store: TestStore, emu: BotApiEmulator, fetcher: Fetcher): BotDeps {
  const log = silentLogger();
  const now = () => new Date();
  return {
    db: store.db,
    log,
    now,
    adminIds: [BOT_ADMIN.id],
    redact: redactor([emu.token]),
    organization: 'Tidings Test',
    tokens: tokenSigner(randomBytes(32)),
    sources: { fetcher, readers: buildReaders(), sourceIntervalMinutes: SOURCE_INTERVAL_MINUTES },
    // Queues only, as in the service; nothing runs a delivery loop here.
    sendNow: (actor, key) => sendNow({ db: store.db, now, log, actor, build: buildDepsFor(store, log, now), wake: () => {} }, key),
  };
}
