// `tidings start`'s long-running service: the roles this process plays, each a loop over work
// claimed in the database. stop() is the graceful path for SIGTERM: stop taking work, let sends
// in flight finish and hand back the rows not started, close connections — within a deadline,
// after which whatever is still running is abandoned to its leases.
import { ingestDeps, sendDeps, sendingBlocker, summarizeDeps, telegramSendOptions } from '../deps.js';
import type { Root } from '../main.js';
import type { IngestSummary } from '../ingest/ingest.js';
import type { Logger } from '../log.js';
import type { NewsletterRun } from '../schedule/run.js';
import { alertNotifier } from './alerts.js';
import { startLoop } from './loop.js';
import type { Role } from './roles.js';
import { startTicker, type Ticker } from './ticker.js';
import { startWeb, type Web } from './web.js';
import { deliveryStep, ingestStep } from './work.js';
import { emailDelivery } from '../deliver/email-send.js';
import { telegramDelivery } from '../deliver/telegram-send.js';
import { startBot } from './bot.js';
import { createOps, type Ops } from '../ops/routes.js';

export interface ServiceOptions {
  roles: ReadonlySet<Role>;
  /** Where the web role listens (default: HTTP_HOST, HTTP_PORT). */
  listen?: { host: string; port: number };
  /** Schedule ticks (default 10 s). */
  tickSeconds?: number;
  /** An idle loop looks for new work this often (default 5 s). */
  idleMs?: number;
  /** stop() gives up waiting after this long (default 8 s). */
  shutdownMs?: number;
  onIngest?: (summary: IngestSummary) => void;
  onBuilt?: (run: NewsletterRun) => void;
}

export interface Service {
  /** The web role's address, when it runs. */
  url?: string;
  web?: Web;
  ticker?: Ticker;
  /** What is running, for the start-up line. */
  running: string[];
  /** Metrics and readiness of this process. */
  ops: Ops;
  /** True when everything stopped before the deadline. */
  stop(): Promise<boolean>;
}

interface Part {
  name: string;
  stop(): Promise<void>;
}

export async function startService(deps: Root, opts: ServiceOptions): Promise<Service> {
  const { config, log } = deps;
  const idleMs = opts.idleMs ?? 5000;
  const parts: Part[] = [];
  const ops = createOps({ db: deps.store.db, log, now: deps.now, config });
  const stop = async () => {
    // Load balancers see /readyz fail first and stop sending traffic while the rest winds down.
    ops.readiness.drain();
    const clean = await stopAll(parts, log, opts.shutdownMs ?? 8000);
    ops.close();
    return clean;
  };
  const service: Service = { running: [], ops, stop };
  try {
    if (opts.roles.has('worker')) startWorkers(deps, ops, idleMs, parts, service.running);
    if (opts.roles.has('ingest')) {
      const onIngest = (summary: IngestSummary) => {
        ops.metrics.recordIngest(summary);
        opts.onIngest?.(summary);
      };
      const step = {
        ingest: ingestDeps(deps, { summarize: true }),
        dialect: deps.store.dialect,
        summarize: summarizeDeps(deps),
        sentences: config.summary.sentences,
        onIngest,
      };
      parts.push({ name: 'ingest', ...startLoop('ingest', log, () => ingestStep(step), idleMs) });
      service.running.push('ingest');
    }
    if (opts.roles.has('scheduler')) {
      const { adminIds } = config.telegram;
      const api = adminIds.length ? deps.botApi() : null;
      const alert = alertNotifier({ db: deps.store.db, log, now: deps.now, telegram: api ? { api, adminIds } : undefined });
      const ticker = startTicker(
        { db: deps.store.db, log, now: deps.now, build: deps.build(), alert },
        {
          tickSeconds: opts.tickSeconds ?? 10,
          log,
          // A digest built here is sent at once by this process's workers; others notice it idle.
          onRun: (run) => {
            if (run.built && run.built.status !== 'not-owner') ops.metrics.recordDigest(run.built.status);
            if (run.built?.status !== 'ready') return;
            deps.wake();
            opts.onBuilt?.(run);
          },
        },
      );
      parts.push({ name: 'scheduler', stop: () => ticker.stop() });
      service.ticker = ticker;
      service.running.push('scheduler');
    }
    if (opts.roles.has('bot')) {
      const bot = await startBot(deps);
      if (bot) {
        parts.push({ name: 'bot', stop: bot.stop });
        service.running.push('bot');
      }
    }
    // Last: the load balancer sees the process only once everything behind it runs.
    if (opts.roles.has('web')) {
      const web = await startWeb(deps, opts.listen ?? config.http, ops.routes);
      parts.unshift({ name: 'web', stop: web.close });
      Object.assign(service, { web, url: web.url });
      service.running.push('web');
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return service;
}

function startWorkers(deps: Root, ops: Ops, idleMs: number, parts: Part[], running: string[]): void {
  const { config, log } = deps;
  const loops: { name: string; step: (signal: AbortSignal) => Promise<boolean> }[] = [];
  const blocker = sendingBlocker(config);
  if (blocker) log.warn(`email is not sent: ${blocker}`);
  else {
    const opts = { concurrency: config.delivery.concurrency, leaseMs: config.delivery.leaseMs, maxAttempts: config.delivery.maxAttempts };
    const send = { ...sendDeps(deps, deps.email()), observe: ops.metrics.observeSend };
    loops.push({ name: 'email delivery', step: (signal) => deliveryStep(send, emailDelivery(send), opts, signal) });
  }
  const tg = deps.telegram();
  if (tg) {
    const telegram = { ...tg, observe: ops.metrics.observeSend };
    loops.push({ name: 'telegram delivery', step: (signal) => deliveryStep(telegram, telegramDelivery(telegram), telegramSendOptions(config), signal) });
  }
  // The transports belong to the root (closed with it): the web role's mails share them.
  for (const { name, step } of loops) {
    const loop = startLoop(name, log, step, idleMs);
    const unsubscribe = deps.onWake(loop.wake);
    parts.push({
      name,
      stop: async () => {
        unsubscribe();
        await loop.stop();
      },
    });
    running.push(name);
  }
}

/** Stops every part at once; true when all were done before the deadline. */
async function stopAll(parts: Part[], log: Logger, deadlineMs: number): Promise<boolean> {
  const pending = new Set(parts.map((p) => p.name));
  const all = Promise.allSettled(
    parts.map(async (p) => {
      await p.stop();
      pending.delete(p.name);
    }),
  ).then(() => true);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), deadlineMs);
  });
  const clean = await Promise.race([all, late]);
  clearTimeout(timer);
  if (clean) log.info({ parts: parts.map((p) => p.name) }, 'stopped');
  else log.warn({ unfinished: [...pending] }, 'shutdown deadline passed; leaving the rest to their leases');
  return clean;
}
