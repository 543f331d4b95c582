// The measured process of the end-to-end bench, standing in for `tidings ingest`, `summarize`
// and `send`: runs the named stages in order through the real composition root, timing each
// and sampling this process's RSS. Also the email sender of the PostgreSQL scale-out (stages
// ["email"], several at once). Prints one JSON line (E2eRun).
import { buildDigest } from '../../src/digest/build.js';
import { ingestDeps, sendDeps, summarizeDeps, telegramSendOptions } from '../../src/deps.js';
import type { Root } from '../../src/main.js';
import { sendPending } from '../../src/deliver/email-send.js';
import { sendTelegramPending } from '../../src/deliver/telegram-send.js';
import { ingestAll } from '../../src/ingest/ingest.js';
import { tuneHeap } from '../../src/runtime.js';
import { getNewsletter } from '../../src/store/newsletters.js';
import { summarizePending } from '../../src/summarize/stage.js';
import { e2eDeps, type E2eTarget } from './e2e-deps.js';

export const STAGES = ['ingest', 'summarize', 'digest', 'email', 'telegram'] as const;
export type Stage = (typeof STAGES)[number];

export interface StageResult {
  ms: number;
  /** Epoch ms, so stages of several processes can be laid on one clock. */
  startedAt: number;
  endedAt: number;
  peakRss: number;
  [count: string]: number;
}

export interface E2eRun {
  stages: Partial<Record<Stage, StageResult>>;
  /** All stages, first start to last end. */
  ms: number;
  peakRss: number;
  maxRss: number;
}

type Counts = Record<string, number>;

async function runStage(deps: Root, stage: Stage, newsletterId: number): Promise<Counts> {
  const { config } = deps;
  if (stage === 'ingest') {
    const r = await ingestAll(ingestDeps(deps));
    return { sources: r.sources, stored: r.new, duplicates: r.duplicates, failed: r.failed };
  }
  if (stage === 'summarize') {
    const r = await summarizePending(summarizeDeps(deps), { budget: { sentences: config.summary.sentences } });
    return { summarized: r.summarized, failed: r.failed };
  }
  if (stage === 'digest') {
    const newsletter = await getNewsletter(deps.store.db, newsletterId);
    const r = await buildDigest(deps.build(), newsletter!, deps.now());
    if (r.status !== 'ready') throw new Error(`e2e bench: the digest was ${r.status}: ${r.reason ?? ''}`);
    return {
      digest: r.digestId!,
      items: r.model!.sections.reduce((n, s) => n + s.items.length, 0),
      ledger_rows: r.recipients ?? 0,
      telegram_parts: r.parts!.telegram.length,
    };
  }
  if (stage === 'email') {
    const p = await sendPending(sendDeps(deps, deps.email()), {
      concurrency: config.delivery.concurrency,
      leaseMs: config.delivery.leaseMs,
      maxAttempts: config.delivery.maxAttempts,
    });
    return { sent: p.sent, failed: p.failed, retried: p.retried, suppressed: p.suppressed };
  }
  const p = await sendTelegramPending(deps.telegram()!, telegramSendOptions(config));
  return { sent: p.sent, failed: p.failed, retried: p.retried, suppressed: p.suppressed };
}

export async function runStages(target: E2eTarget, newsletterId: number, stages: readonly Stage[]): Promise<E2eRun> {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const sampler = setInterval(sample, 20);
  const deps = await e2eDeps(target);
  const run: E2eRun = { stages: {}, ms: 0, peakRss: 0, maxRss: 0 };
  try {
    const t0 = performance.now();
    for (const stage of stages) {
      sample();
      const stagePeakBefore = peak;
      peak = 0;
      const startedAt = performance.timeOrigin + performance.now();
      const counts = await runStage(deps, stage, newsletterId);
      const endedAt = performance.timeOrigin + performance.now();
      sample();
      run.stages[stage] = { ms: endedAt - startedAt, startedAt, endedAt, peakRss: peak, ...counts };
      // A run takes minutes: show each stage as it ends.
      process.stderr.write(`  e2e [${deps.store.dialect}] ${stage}: ${((endedAt - startedAt) / 1000).toFixed(1)} s ${JSON.stringify(counts)}\n`);
      peak = Math.max(peak, stagePeakBefore);
    }
    run.ms = performance.now() - t0;
  } finally {
    clearInterval(sampler);
    await deps.close();
  }
  sample();
  return { ...run, peakRss: peak, maxRss: process.resourceUsage().maxRSS * 1024 };
}

if (process.argv[2]) {
  // The same process settings as the CLI, which this process stands in for.
  tuneHeap();
  const { target, newsletterId, stages } = JSON.parse(process.argv[2]) as { target: E2eTarget; newsletterId: number; stages: Stage[] };
  process.stdout.write(`${JSON.stringify(await runStages(target, newsletterId, stages))}\n`);
}
