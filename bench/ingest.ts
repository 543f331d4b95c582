// 1,000 feeds × 50 items from loopback, Tidings beside rss2email in the same run, each as its
// users run it — a whole process, start to exit: `tidings ingest` (which also summarizes) against
// `r2e run --no-send`, the first pass and the all-304 pass, and the peak RSS of each process.
// Both read the same feeds from the same OPML file. rss2email: `apt-get install rss2email`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Bench, firstLine, forkTs, median, withRatio } from './harness.js';
import { feedAddress } from './support/feed-address.js';
import { type Run, timeProcess } from './support/process-run.js';

const FEEDS = 1000;
const ITEMS = 50;
const AGAIN_RUNS = 3;
const BIN = fileURLToPath(new URL('../bin/tidings.js', import.meta.url));
const NOT_MEASURED = 'rss2email: not measured (apt-get install rss2email)';

const feedUrl = (f: number, port: number) => `http://${feedAddress(f)}:${port}/feed/${f}.xml`;

function opml(port: number): string {
  const outlines = Array.from({ length: FEEDS }, (_, f) => `<outline type="rss" text="bench ${f}" xmlUrl="${feedUrl(f, port)}"/>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>bench</title></head><body>\n${outlines.join('\n')}\n</body></opml>\n`;
}

function r2eVersion(): string | undefined {
  const r = spawnSync('r2e', ['--version'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? undefined : r.stdout.trim().split('\n')[0];
}

function setup(cmd: string, args: string[], env?: NodeJS.ProcessEnv): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.trim()}`);
}

export const ingestBench: Bench = {
  name: 'ingest',
  description: `${FEEDS} feeds × ${ITEMS} items from loopback: \`tidings ingest\` beside \`r2e run --no-send\`, first pass, all-304 pass, peak RSS`,
  async run() {
    const server = forkTs(new URL('./support/feed-server.ts', import.meta.url), [FEEDS, ITEMS]);
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-bench-ingest-'));
    try {
      const { port, bytes } = JSON.parse(await firstLine(server)) as { port: number; bytes: number };
      const feeds = path.join(dir, 'feeds.opml');
      writeFileSync(feeds, opml(port));
      // Only what the command needs, as the tests give it; the feeds are loopback, so allowed.
      const env = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TIDINGS_DATA_DIR: path.join(dir, 'tidings'),
        FETCH_ALLOW: '127.0.0.0/8',
        LOG_LEVEL: 'warn',
      };
      setup(process.execPath, [BIN, 'sources', 'import', feeds], env);
      const tidings = () => timeProcess(process.execPath, [BIN, 'ingest', '--json'], env);

      const version = r2eVersion();
      const r2eArgs = ['-c', path.join(dir, 'r2e.cfg'), '-d', path.join(dir, 'r2e.json')];
      if (version) {
        setup('r2e', [...r2eArgs, 'new', 'bench@example.invalid']);
        setup('r2e', [...r2eArgs, 'opmlimport', feeds]);
      }
      const r2e = async () => (version ? timeProcess('r2e', [...r2eArgs, 'run', '--no-send']) : undefined);

      const first = await tidings();
      const r2eFirst = await r2e();
      const again: Run[] = [];
      const r2eAgain: Run[] = [];
      // Alternating, so a burst of load on the machine hits both alike.
      for (let i = 0; i < AGAIN_RUNS; i++) {
        again.push(await tidings());
        const r = await r2e();
        if (r) r2eAgain.push(r);
      }
      const summary = JSON.parse(first.stdout) as { new: number; failed: number; summaries?: { summarized: number } };
      const last = JSON.parse(again.at(-1)!.stdout) as { notModified: number };
      const baseline = version ? `${version} (r2e run --no-send)` : NOT_MEASURED;
      const r2eAgainS = r2eAgain.length ? median(r2eAgain.map((r) => r.seconds)) : undefined;
      const peakMb = Math.max(first.peakMb, ...again.map((r) => r.peakMb));
      const r2eMb = r2eFirst ? Math.max(r2eFirst.peakMb, ...r2eAgain.map((r) => r.peakMb)) : undefined;
      return {
        ingest_first: withRatio({
          value: first.seconds,
          unit: 's',
          higher_is_better: false,
          baseline,
          baseline_value: r2eFirst?.seconds,
          goal_ratio: 3,
          stored: summary.new,
          failed: summary.failed,
          summarized: summary.summaries?.summarized,
          feed_mb: bytes / 2 ** 20,
        }),
        ingest_304: withRatio({
          value: median(again.map((r) => r.seconds)),
          unit: 's',
          higher_is_better: false,
          baseline,
          baseline_value: r2eAgainS,
          goal_ratio: 3,
          not_modified: last.notModified,
        }),
        ingest_rss_mb: withRatio({ value: peakMb, unit: 'MB', higher_is_better: false, baseline, baseline_value: r2eMb, target: 250 }),
      };
    } finally {
      server.disconnect();
      server.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
