// The one place adapters are chosen and wired. Everything else receives the few pieces it uses.
import type { Config } from './config/index.js';
import { feedReader } from './sources/feed.js';
import { parseFeed } from './sources/feed/parse.js';
import { withLocalFiles } from './sources/local.js';
import { pageReader } from './sources/page.js';
import { textdumpReader } from './sources/textdump.js';
import type { Fetcher, FetcherOptions, Reader, SourceKind } from './sources/types.js';
import { openDb, type Store } from './store/db.js';
import { migrateToLatest } from './store/migrate.js';
import type { Logger } from './log.js';
import type { IngestDeps } from './ingest/ingest.js';
import type { BuildDeps } from './digest/build.js';
import type { SenderInfo } from './digest/model.js';
import { archiveDigestUrl } from './http/archive.js';
import type { HttpDeps } from './http/server.js';
import type { AdminWebOptions } from './admin/web/index.js';
import type { AdminApiOptions } from './admin/api/index.js';
import { createStories, type Stories } from './ingest/story-sync.js';
import { ledgerWriter } from './digest/ledger.js';
import { deliveryBuilder, emailContentLoader } from './deliver/email-content.js';
import type { SendDeps } from './deliver/email-send.js';
import type { TelegramSendOptions } from './deliver/telegram-send.js';
import type { EmailChannel } from './deliver/channel.js';
import { dkimAligned, dkimSigner } from './deliver/dkim.js';
import { smtpChannel } from './deliver/email.js';
import { outboxChannel } from './deliver/outbox.js';
import { confirmationMailer } from './subscribers/confirm-mail.js';
import { loadSecret } from './subscribers/secret.js';
import { type TokenSigner, tokenSigner } from './subscribers/tokens.js';
import { extractiveSummarizer } from './summarize/extractive.js';
import { llmSummarizer } from './summarize/llm.js';
import { extractiveInPool, type SummarizeStageDeps } from './summarize/stage.js';
import type { Summarizer, SummaryBudget } from './summarize/summarizer.js';
import { createWorkPool, type WorkPool } from './work/pool.js';
import type { Work } from './work/tasks.js';

export interface Deps {
  config: Readonly<Config>;
  log: Logger;
  store: Store;
  fetcher: Fetcher;
  readers: Record<SourceKind, Reader>;
  /** Near-duplicate index of recent stories: one per process, loaded at the first ingest write. */
  stories: Stories;
  /** One per process: the LLM token budget (LLM_TOKEN_BUDGET) is counted per summarizer. */
  summarizer: Summarizer;
  /** Signs and checks the links in mails (unsubscribe, preferences, confirm). */
  tokens: TokenSigner;
  /** One per process: the worker threads that parse, extract and summarize (readers and summarizer use it). */
  work: WorkPool;
  now: () => Date;
  close(): Promise<void>;
}

/** Without `work`, parsing and extraction run in-process (tests, one-off tools). */
export function buildReaders(work?: Work): Record<SourceKind, Reader> {
  const parse = (body: Buffer, url: string) => (work ? work.run('parseFeed', { body, url }) : parseFeed(body, { url }));
  return {
    feed: withLocalFiles(feedReader(work), parse),
    page: pageReader({ work }),
    textdump: textdumpReader(),
  };
}

export async function buildDeps(config: Readonly<Config>, log: Logger, opts: { migrate?: boolean } = {}): Promise<Deps> {
  const store = openDb(config.databaseUrl, { log });
  if (opts.migrate !== false) await migrateToLatest(store);
  const fetcher = lazyFetcher({ ...config.fetch, allow: [...config.fetch.allow] });
  const work = createWorkPool({ ...config.work, log });
  return {
    config,
    log,
    store,
    fetcher,
    readers: buildReaders(work),
    work,
    stories: createStories({ dialect: store.dialect }),
    tokens: tokenSigner(loadSecret(config)),
    summarizer: buildSummarizer(config, log, work),
    now: () => new Date(),
    async close() {
      await work.close();
      await fetcher.close();
      await store.close();
    },
  };
}

/**
 * The fetcher, its HTTP client (undici, ~0.3 s to import on a busy machine) loaded at the first
 * fetch: commands that read only the database never pay for it.
 */
function lazyFetcher(opts: FetcherOptions): Fetcher {
  let real: Promise<Fetcher> | undefined;
  const load = () => (real ??= import('./sources/fetcher.js').then((m) => m.createFetcher(opts)));
  return {
    fetch: async (url, req) => (await load()).fetch(url, req),
    close: async () => {
      if (real) await (await real).close();
    },
  };
}

/**
 * The LLM summarizer (extractive behind it) when LLM_BASE_URL is set, else the extractive one;
 * the extractive one runs in `work` when given.
 */
export function buildSummarizer(config: Readonly<Config>, log: Logger, work?: Work): Summarizer {
  const extractive = work ? extractiveInPool(work) : extractiveSummarizer();
  const llm = config.summary.llm;
  if (!llm) return extractive;
  return llmSummarizer({ ...llm, log, fallback: extractive });
}

/** SMTP when SMTP_URL is set, else the .eml outbox in the data folder; DKIM-signed when configured. */
export function buildEmailChannel(config: Readonly<Config>, log: Logger): EmailChannel {
  const { email } = config;
  const dkim = email.dkim && dkimSigner(email.dkim);
  if (email.dkim && !dkimAligned(email.from.address, email.dkim.domain)) {
    log.warn(
      { from: email.from.address, dkimDomain: email.dkim.domain },
      'DKIM_DOMAIN does not match the MAIL_FROM domain: receivers will not count the signature for DMARC',
    );
  }
  if (!email.smtpUrl) {
    log.info({ dir: email.outboxDir }, 'SMTP_URL is not set: email is written to the outbox folder');
    return outboxChannel({ dir: email.outboxDir, dkim });
  }
  if (!email.tlsRejectUnauthorized) log.warn('SMTP_TLS_REJECT_UNAUTHORIZED=false: the SMTP relay’s certificate is not checked');
  return smtpChannel({
    url: email.smtpUrl,
    connections: email.poolConnections,
    ratePerSecond: email.ratePerSecond,
    rejectUnauthorized: email.tlsRejectUnauthorized,
    dkim,
    log,
  });
}

export function summarizeDeps(deps: Deps): SummarizeStageDeps {
  return { db: deps.store.db, summarizer: deps.summarizer, log: deps.log, now: deps.now };
}

/** Shown in footers until TIDINGS_POSTAL_ADDRESS is set; nothing is sent without the real one. */
export const POSTAL_ADDRESS_PLACEHOLDER = '[postal address: set TIDINGS_POSTAL_ADDRESS]';

export function senderInfo(config: Readonly<Config>): SenderInfo {
  const { organization, postalAddress, publicUrl } = config.sender;
  return { organization, postalAddress: postalAddress ?? POSTAL_ADDRESS_PLACEHOLDER, publicUrl };
}

/** How a digest becomes email and Telegram parts, and where its archive page will be. */
export function buildRenderer(config: Readonly<Config>): Pick<BuildDeps, 'render' | 'archiveUrl'> {
  const sender = senderInfo(config);
  const templatesDir = config.templatesDir;
  return {
    // The template engines load at the first digest, not in every process that builds deps.
    render: async (model) => {
      const [{ renderEmail }, { renderTelegram }] = await Promise.all([import('./digest/render-email.js'), import('./digest/render-telegram.js')]);
      return { ...(await renderEmail(model, sender, { templatesDir })), telegram: renderTelegram(model) };
    },
    archiveUrl: ({ newsletter, digestId }) => archiveDigestUrl(sender.publicUrl, newsletter.slug, digestId),
  };
}

/** Host part of Message-IDs and List-Ids: the public site's. */
function mailDomain(config: Readonly<Config>): string {
  return new URL(config.sender.publicUrl).hostname;
}

export function digestDeps(deps: Deps): BuildDeps {
  const domain = mailDomain(deps.config);
  return {
    db: deps.store.db,
    now: deps.now,
    log: deps.log,
    ...buildRenderer(deps.config),
    createLedger: ledgerWriter(domain, deps.now),
  };
}

/**
 * The web server's deps. With `mail` (the email channel and From address) it also serves the
 * subscriber pages, whose confirmation mails go through that channel; BOUNCE_WEBHOOK_SECRET
 * turns on POST /hooks/bounces.
 */
export function httpDeps(deps: Deps, mail?: { channel: EmailChannel; from: { name: string; address: string } }): HttpDeps {
  const { config } = deps;
  const sender = senderInfo(config);
  const subscribers = mail && {
    tokens: deps.tokens,
    confirmTokenMs: config.delivery.confirmTokenMs,
    sendConfirmation: confirmationMailer({ ...mail, sender, domain: mailDomain(config), now: deps.now }),
  };
  const secret = config.bounceWebhookSecret;
  const bounces = secret ? { secret, softBounceLimit: config.delivery.softBounceLimit } : undefined;
  return { db: deps.store.db, log: deps.log, now: deps.now, sender, trustProxy: config.http.trustProxy, subscribers, bounces };
}

/** The admin JSON API's part of HttpDeps (`api`): ADMIN_TOKEN, digest building for send-now, source probing. */
export function adminApiDeps(deps: Deps): AdminApiOptions {
  const { render, archiveUrl, createLedger } = digestDeps(deps);
  return {
    token: deps.config.admin.token,
    digests: { render, archiveUrl, createLedger },
    fetcher: deps.fetcher,
    readers: deps.readers,
    sourceIntervalMinutes: deps.config.ingest.intervalMinutes,
  };
}

/** The admin web UI's part of HttpDeps (`admin`): credentials, digest building for send-now and preview, source probing. */
export function adminWebDeps(deps: Deps): AdminWebOptions {
  return {
    credentials: deps.config.admin,
    build: digestDeps(deps),
    fetcher: deps.fetcher,
    readers: deps.readers,
    sourceIntervalMinutes: deps.config.ingest.intervalMinutes,
  };
}

/** The email send loop over the ledger (deliver/email-send.ts), through `email`. */
export function sendDeps(deps: Deps, email: EmailChannel): SendDeps {
  const { config } = deps;
  return {
    db: deps.store.db,
    dialect: deps.store.dialect,
    email,
    log: deps.log,
    now: deps.now,
    contentFor: emailContentLoader(deps.store.db, { from: config.email.from, domain: mailDomain(config) }),
    deliveryFor: deliveryBuilder(deps.tokens, config.sender.publicUrl),
  };
}

export function telegramSendOptions(config: Readonly<Config>): Pick<TelegramSendOptions, 'concurrency' | 'leaseMs' | 'maxAttempts'> {
  return { concurrency: config.telegramDelivery.concurrency, leaseMs: config.delivery.leaseMs, maxAttempts: config.delivery.maxAttempts };
}

/**
 * Why real sending must not start yet, or null. Bulk-mail rules (CAN-SPAM, Gmail and Yahoo since
 * 2024) want a postal address in every mail and a working one-click unsubscribe, which needs a
 * public URL; the outbox writes files only, so it may go without.
 */
export function sendingBlocker(config: Readonly<Config>): string | null {
  if (!config.email.smtpUrl) return null;
  const missing = [
    ...(config.sender.postalAddress ? [] : ['TIDINGS_POSTAL_ADDRESS (the postal address every mail must show)']),
    ...(config.sender.publicUrlConfigured ? [] : ['TIDINGS_PUBLIC_URL (where unsubscribe and preference links point)']),
  ];
  return missing.length ? `sending by SMTP needs ${missing.join(' and ')}; set it in .env and try again` : null;
}

/**
 * With `summarize`, the extractive summary is made with each article at ingest (see
 * ingestSummaryBudget): what `tidings ingest` and the service's ingest loop do.
 */
export function ingestDeps(deps: Deps, opts: { summarize?: boolean } = {}): IngestDeps {
  const summary = opts.summarize ? ingestSummaryBudget(deps.config) : undefined;
  return {
    db: deps.store.db,
    readers: deps.readers,
    fetcher: deps.fetcher,
    log: deps.log,
    now: deps.now,
    concurrency: deps.config.ingest.concurrency,
    pauseAfter: deps.config.ingest.pauseAfter,
    stories: deps.stories,
    work: deps.work,
    ...(summary && { summary }),
  };
}

/**
 * The budget for summarizing at ingest (IngestDeps.summary): the extractive summary is then made
 * with the article, in the pool, and stored in its insert, instead of the summaries stage
 * reading every new article back and rewriting its row. Undefined when an LLM summarizes: that
 * one runs in the stage. A caller using it reports IngestSummary.summarized with the stage's count.
 */
function ingestSummaryBudget(config: Readonly<Config>): SummaryBudget | undefined {
  return config.summary.llm ? undefined : { sentences: config.summary.sentences };
}
