// Issue 6, acceptance 7: the whole pipeline end to end over loopback — 1,000 feeds ingested,
// summarized, one digest built for 100,000 email subscribers and 1,000 Telegram chats, sent to
// an SMTP sink and to the Bot API emulator (Telegram's real limits) — each stage timed, on
// SQLite and then on PostgreSQL, where the email stage is also done by 3 sender processes.
// One long run, not a median: it takes minutes, so it runs only when named (`npm run bench -- e2e`).
// BENCH_E2E_SCALE=0.05 shrinks every size for a quick check.
import { availableParallelism } from 'node:os';
import { type Bench, type Figure, type Figures, firstLine, forkTs, withRatio } from './harness.js';
import { type DialectResult, runDialect, type Sizes } from './support/e2e-run.js';
import { createBenchSchema, pgProblem } from './support/e2e-pg.js';
import { startCountingSink } from './support/e2e-sink.js';

const SCALE = Number(process.env.BENCH_E2E_SCALE ?? 1);
const SIZES: Sizes = {
  feeds: Math.max(10, Math.round(1000 * SCALE)),
  items: 10,
  subscribers: Math.max(100, Math.round(100_000 * SCALE)),
  chats: Math.max(10, Math.round(1000 * SCALE)),
};

const s = (ms: number) => Math.round(ms / 10) / 100;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

function stageFigures(prefix: string, r: DialectResult, base?: DialectResult): Figures {
  const { ingest, summarize, digest, email, telegram } = r.stages;
  // PostgreSQL's stages beside SQLite's: ratio > 1 means PostgreSQL was faster.
  const vs = (f: Figure, b: number | undefined, what = 'same stage on SQLite'): Figure =>
    b === undefined ? f : withRatio({ ...f, baseline: what, baseline_value: s(b) });
  return {
    [`${prefix}_ingest`]: vs(
      {
        value: s(ingest.ms),
        unit: 's',
        higher_is_better: false,
        feeds: SIZES.feeds,
        stored: ingest.stored!,
        failed: ingest.failed!,
        rss_mb: mb(ingest.peakRss),
      },
      base?.stages.ingest.ms,
    ),
    [`${prefix}_summarize`]: vs(
      {
        value: s(summarize.ms),
        unit: 's',
        higher_is_better: false,
        articles: summarize.summarized!,
        per_s: Math.round((summarize.summarized! * 1000) / summarize.ms),
        rss_mb: mb(summarize.peakRss),
      },
      base?.stages.summarize.ms,
    ),
    [`${prefix}_digest`]: vs(
      { value: s(digest.ms), unit: 's', higher_is_better: false, ledger_rows: digest.ledger_rows!, items: digest.items!, rss_mb: mb(digest.peakRss) },
      base?.stages.digest.ms,
    ),
    [`${prefix}_email`]: vs(
      {
        value: s(email.ms),
        unit: 's',
        higher_is_better: false,
        sent: email.sent!,
        msgs_per_s: Math.round((email.sent! * 1000) / email.ms),
        distinct_ids: r.sink.distinct,
        duplicates: r.sink.duplicates,
        rss_mb: mb(email.peakRss),
      },
      base?.stages.email.ms,
    ),
    // Bounded by Telegram's 30 messages/s, not by us: the baseline is that cap.
    [`${prefix}_telegram`]: withRatio({
      value: Math.round((r.telegram.messages * 100_000) / telegram.ms) / 100,
      unit: 'msgs/s',
      higher_is_better: true,
      baseline: 'Telegram cap',
      baseline_value: 30,
      seconds: s(telegram.ms),
      chats: telegram.sent!,
      messages: r.telegram.messages,
      sustained_per_s: Math.round(r.telegram.sustainedPerS * 100) / 100,
      responses_429: r.telegram.responses429,
    }),
    [`${prefix}_total`]: vs(
      { value: s(r.totalMs), unit: 's', higher_is_better: false, seed_s: s(r.seedMs), cores: availableParallelism(), runs: 1, load_avg: r.loadAvg },
      base?.totalMs,
      'the SQLite run',
    ),
    // The largest of the stage process(es) and, on PostgreSQL, of every sender process.
    [`${prefix}_rss_mb`]: { value: mb(r.peakRss), unit: 'MB', higher_is_better: false, processes: base ? 'stages+senders' : 'stages' },
  };
}

function scaleOutFigure(r: DialectResult): Figures {
  const { one, three } = r.scaleOut!;
  return {
    e2e_pg_email_3w: withRatio({
      value: s(three.ms),
      unit: 's',
      higher_is_better: false,
      baseline: '1 sender process',
      baseline_value: s(one.ms),
      cores: availableParallelism(),
      msgs_per_s: Math.round((SIZES.subscribers * 1000) / three.ms),
      per_worker: three.workers.map((w) => w.sent).join('/'),
      worker_rss_mb: three.workers.map((w) => mb(Math.max(w.peakRss, w.maxRss))).join('/'),
      distinct_ids: three.sink.distinct,
      duplicates: three.sink.duplicates,
    }),
  };
}

export const e2eBench: Bench = {
  name: 'e2e',
  description: `end to end: ${SIZES.feeds} feeds × ${SIZES.items} items → summaries → digest → ${SIZES.subscribers} emails + ${SIZES.chats} Telegram chats, SQLite then PostgreSQL (1 vs 3 senders); one run, 7–11 minutes on 2 cores`,
  async run() {
    const corpus = forkTs(new URL('./support/e2e-corpus.ts', import.meta.url), [SIZES.feeds, SIZES.items]);
    const sink = await startCountingSink();
    try {
      const { port, bytes } = JSON.parse(await firstLine(corpus)) as { port: number; bytes: number };
      process.stderr.write(`  e2e: ${availableParallelism()} cores, one run; corpus ${mb(bytes)} MB; SQLite…\n`);
      const sqlite = await runDialect(null, SIZES, port, sink);
      const figures: Figures = stageFigures('e2e', sqlite);
      figures.e2e_ingest!.feed_mb = mb(bytes);
      const problem = await pgProblem();
      if (problem) {
        process.stderr.write(`  e2e: skipping the PostgreSQL run: ${problem}\n`);
        return figures;
      }
      process.stderr.write('  e2e: PostgreSQL…\n');
      const schema = await createBenchSchema();
      try {
        const pg = await runDialect(schema.url, SIZES, port, sink);
        return { ...figures, ...stageFigures('e2e_pg', pg, sqlite), ...scaleOutFigure(pg) };
      } finally {
        await schema.drop();
      }
    } finally {
      await sink.stop();
      corpus.disconnect();
      corpus.kill();
    }
  },
};
