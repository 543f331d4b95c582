// The bot under test: telegraf pointed at the Bot API emulator, long polling as in production,
// a migrated store with two newsletters, a source and a few articles, and a capturing logger.
import { randomBytes } from 'node:crypto';
import type { Telegraf } from 'telegraf';
import { createBot } from '../../src/bot/bot.js';
import { redactor } from '../../src/bot/redact.js';
import { pollUntil } from '../../src/bot/run.js';
import type { BotDeps } from '../../src/bot/turn.js';
import { sendNow } from '../../src/core/send-now.js';
import { ledgerWriter } from '../../src/digest/ledger.js';
import { type BuildDeps, buildDigest } from '../../src/digest/build.js';
import { renderTelegram } from '../../src/digest/render-telegram.js';
import { searchText } from '../../src/ingest/text.js';
import { insertArticles } from '../../src/store/articles.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { NewArticle, NewsletterRow } from '../../src/store/schema.js';
import { addSource } from '../../src/store/sources.js';
import { tokenSigner } from '../../src/subscribers/tokens.js';
import { buildReaders } from '../../src/deps.js';
import { testFetcher } from '../support/fetcher.js';
import { type BotApiEmulator, type EmulatorOptions, startBotApiEmulator } from '../support/bot-api-emulator.js';
import type { TestStore } from '../support/databases.js';
import { capturingLogger } from '../support/log.js';

export const ADMIN = { id: 1001, first_name: 'Ada', language_code: 'en' };
export const ALICE = { id: 2002, first_name: 'Alice', language_code: 'en-US' };
export const WANG = { id: 3003, first_name: '王', language_code: 'zh-hans' };

export interface Harness {
  store: TestStore;
  emu: BotApiEmulator;
  bot: Telegraf;
  deps: BotDeps;
  logText: () => string;
  daily: NewsletterRow;
  china: NewsletterRow;
  sourceId: number;
  /** Adds an article fetched `hoursAgo` before now; its search column is built as ingest builds it. */
  article: (title: string, text: string, opts?: { lang?: string; hoursAgo?: number }) => Promise<number>;
  build: (newsletter: NewsletterRow) => ReturnType<typeof buildDigest>;
  stop: () => Promise<void>;
}

export function buildDepsFor(store: TestStore, log: BotDeps['log'], now: () => Date): BuildDeps {
  return {
    db: store.db,
    now,
    log,
    render: async (model) => ({ subject: model.newsletter.name, preheader: '', html: '<p>digest</p>', text: 'digest', telegram: renderTelegram(model) }),
    createLedger: ledgerWriter('news.example.org', now),
  };
}

export async function startHarness(
  store: TestStore,
  opts: { emulator?: EmulatorOptions; polling?: boolean; sources?: BotDeps['sources'] } = {},
): Promise<Harness> {
  const emu = await startBotApiEmulator({ limits: false, ...opts.emulator });
  const captured = capturingLogger('debug');
  let clock = Date.now();
  // Each call a millisecond later: ledger and digest timestamps stay distinct and ordered.
  const now = () => new Date(++clock);
  const daily = await addNewsletter(store.db, { slug: 'daily', name: 'Daily Cotton', lookbackHours: 48 }, now());
  const china = await addNewsletter(store.db, { slug: 'china', name: '中国棉业', language: 'zh', lookbackHours: 48 }, now());
  const sourceId = (await addSource(store.db, { kind: 'feed', url: 'https://news.example.org/feed', name: 'Example News' }, now())).id;
  let n = 0;
  const article: Harness['article'] = async (title, text, o = {}) => {
    n++;
    const at = new Date(clock - (o.hoursAgo ?? 1) * 3_600_000 + n * 1000).toISOString();
    const lang = o.lang ?? 'en';
    const row: NewArticle = {
      source_id: sourceId,
      guid: `g${n}`,
      guid_key: `${sourceId}:g${n}`,
      url: `https://news.example.org/a/${n}`,
      title,
      published_at: at,
      fetched_at: at,
      lang,
      text,
      fingerprint: `fp-${n}-${randomBytes(4).toString('hex')}`,
      search_text: searchText(title, text, lang).searchText,
    };
    return (await insertArticles(store.db, [row])).inserted[0]!.id;
  };
  const buildDeps = buildDepsFor(store, captured.log, now);
  const fetcher = testFetcher();
  const deps: BotDeps = {
    db: store.db,
    log: captured.log,
    now,
    adminIds: [ADMIN.id],
    redact: redactor([emu.token]),
    organization: 'Tidings Test',
    tokens: tokenSigner(randomBytes(32)),
    // Reads sources as the service does; loopback feeds (test fixtures) allowed.
    sources: opts.sources ?? { fetcher, readers: buildReaders(), sourceIntervalMinutes: 60 },
    // Queues only, as in the service (no delivery loop runs here).
    sendNow: (actor, key) => sendNow({ db: store.db, now, log: captured.log, actor, build: buildDeps, wake: () => {} }, key),
  };
  const bot = createBot({ token: emu.token, apiRoot: emu.url }, deps);
  const stopPolling = new AbortController();
  let polling: Promise<void> | undefined;
  if (opts.polling !== false) {
    bot.botInfo = await bot.telegram.getMe();
    polling = pollUntil(bot, stopPolling.signal);
  }
  return {
    store,
    emu,
    bot,
    deps,
    logText: captured.text,
    daily,
    china,
    sourceId,
    article,
    build: (newsletter) => buildDigest(buildDeps, newsletter, now()),
    async stop() {
      stopPolling.abort();
      await polling?.catch(() => undefined);
      await emu.close();
      await fetcher.close();
    },
  };
}

/** The bot's messages to a chat, visible text only. */
export const textsTo = (h: Harness, chat: number) => h.emu.sent(chat).map((m) => m.text);

/** Sends `text` as `from` and waits for the bot's `count`-th message to that chat. */
export async function say(
  h: Pick<Harness, 'emu'>,
  from: typeof ALICE,
  text: string,
  o: { chat?: number; threadId?: number; replies?: number; document?: { name: string; content: string | Buffer } } = {},
): Promise<string> {
  const chat = o.chat ?? from.id;
  const before = h.emu.sent(chat).length;
  const update = await h.emu.userMessage({ from, text, chat: o.chat, threadId: o.threadId, document: o.document });
  await h.emu.waitFor(() => h.emu.sent(chat).length >= before + (o.replies ?? 1));
  // Writes after the reply (the audit log) are done too.
  await handled(h, update.update_id);
  return h.emu.sent(chat).at(-1)!.text;
}

/** Resolves once the poller has confirmed `updateId` (its next getUpdates asks for a later offset): the update was handled. */
export function handled(h: Pick<Harness, 'emu'>, updateId: number): Promise<void> {
  return h.emu.waitFor(() => h.emu.callsTo('getUpdates').some((c) => Number(c.params.offset) > updateId));
}
