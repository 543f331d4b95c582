// One end-to-end run on one database: seed, then ingest → summarize → digest → email → Telegram
// in a measured process. On PostgreSQL the email stage is instead done by 1 and then 3 sender
// processes sharing the ledger (reset to pending in between), and Telegram by its own process.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { startBotApiEmulator, TELEGRAM_LIMITS } from '../../test/support/bot-api-emulator.js';
import { runWorker } from '../harness.js';
import type { E2eTarget } from './e2e-deps.js';
import { checkExactlyOnce, resetEmailLedger, type SendersResult, sendWith } from './e2e-scaleout.js';
import type { SeedInput } from './e2e-seed.js';
import type { CountingSink, SinkStats } from './e2e-sink.js';
import type { E2eRun, Stage, StageResult } from './e2e-stages.js';

export interface Sizes {
  feeds: number;
  items: number;
  subscribers: number;
  chats: number;
}

export interface DialectResult {
  seedMs: number;
  stages: Record<Stage, StageResult>;
  /** The stages end to end (on PostgreSQL: their sum, with the 1-sender email stage). */
  totalMs: number;
  /** Peak RSS of the process(es) running the stages, and of each sender process. */
  peakRss: number;
  telegram: { messages: number; responses429: number; sustainedPerS: number };
  sink: SinkStats;
  /** The machine's 1-minute load average at the end: other work on it slows every stage. */
  loadAvg: number;
  scaleOut?: { one: SendersResult; three: SendersResult };
}

const script = (name: string) => new URL(`./${name}`, import.meta.url);

function stagesRun(target: E2eTarget, newsletterId: number, stages: Stage[]): Promise<E2eRun> {
  return runWorker<E2eRun>(script('e2e-stages.ts'), [JSON.stringify({ target, newsletterId, stages })]);
}

export async function runDialect(databaseUrl: string | null, sizes: Sizes, feedPort: number, sink: CountingSink): Promise<DialectResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tidings-e2e-'));
  const emu = await startBotApiEmulator({ limits: TELEGRAM_LIMITS });
  try {
    const target: E2eTarget = {
      databaseUrl: databaseUrl ?? path.join(dataDir, 'e2e.db'),
      dataDir,
      smtp: { host: sink.host, port: sink.port },
      telegram: { apiRoot: emu.url, token: emu.token },
    };
    const seedInput: SeedInput = { databaseUrl: target.databaseUrl, feedPort, feeds: sizes.feeds, subscribers: sizes.subscribers, chats: sizes.chats };
    const seeded = await runWorker<{ newsletterId: number; ms: number }>(script('e2e-seed.ts'), [JSON.stringify(seedInput)]);
    await sink.reset();
    let stages: E2eRun['stages'];
    let peakRss: number;
    let scaleOut: DialectResult['scaleOut'];
    let sinkStats: SinkStats;
    if (!databaseUrl) {
      const run = await stagesRun(target, seeded.newsletterId, ['ingest', 'summarize', 'digest', 'email', 'telegram']);
      sinkStats = await checkExactlyOnce(target.databaseUrl, sink, sizes.subscribers);
      stages = run.stages;
      peakRss = Math.max(run.peakRss, run.maxRss);
    } else {
      const built = await stagesRun(target, seeded.newsletterId, ['ingest', 'summarize', 'digest']);
      const one = await sendWith(1, target, seeded.newsletterId, sink, sizes.subscribers);
      await resetEmailLedger(target.databaseUrl);
      const three = await sendWith(3, target, seeded.newsletterId, sink, sizes.subscribers);
      const tg = await stagesRun(target, seeded.newsletterId, ['telegram']);
      const w = one.workers[0]!;
      const email: StageResult = { ms: one.ms, startedAt: 0, endedAt: 0, peakRss: w.peakRss, sent: w.sent };
      stages = { ...built.stages, email, telegram: tg.stages.telegram! };
      peakRss = Math.max(built.peakRss, built.maxRss, tg.peakRss, tg.maxRss, ...[...one.workers, ...three.workers].map((x) => Math.max(x.peakRss, x.maxRss)));
      scaleOut = { one, three };
      sinkStats = one.sink;
    }
    const all = stages as Record<Stage, StageResult>;
    if (all.telegram.sent !== sizes.chats) throw new Error(`e2e bench: ${all.telegram.sent} of ${sizes.chats} Telegram deliveries sent`);
    const sends = emu.calls.filter((c) => c.method === 'sendMessage' || c.method === 'sendPhoto');
    const ok = sends.filter((c) => c.status === 200);
    // Exactly once on Telegram too: every chat got each part of the digest, and only once.
    const perChat = new Map<string | undefined, number>();
    for (const c of ok) perChat.set(c.chat, (perChat.get(c.chat) ?? 0) + 1);
    const parts = all.digest.telegram_parts!;
    if (perChat.size !== sizes.chats || [...perChat.values()].some((n) => n !== parts)) {
      throw new Error(`e2e bench: ${perChat.size} of ${sizes.chats} chats got messages, not all exactly ${parts}`);
    }
    const accepted = ok.map((c) => c.at).sort((a, b) => a - b);
    // Past the first second's burst, what the pacer sustains.
    const span = (accepted.at(-1)! - accepted[0]!) / 1000;
    return {
      seedMs: seeded.ms,
      stages: all,
      totalMs: databaseUrl
        ? Object.values(all).reduce((n, s) => n + s.ms, 0)
        : Math.max(...Object.values(all).map((s) => s.endedAt)) - Math.min(...Object.values(all).map((s) => s.startedAt)),
      peakRss,
      telegram: {
        messages: accepted.length,
        responses429: sends.filter((c) => c.status === 429).length,
        sustainedPerS: span > 0 ? (accepted.length - TELEGRAM_LIMITS.global) / span : 0,
      },
      sink: sinkStats,
      loadAvg: Math.round(loadavg()[0]! * 10) / 10,
      scaleOut,
    };
  } finally {
    await emu.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
