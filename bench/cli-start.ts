// `tidings --help` as users run it (bin/tidings.js → the build in dist/), start to exit, beside
// `node -e 0` in the same run: what the CLI adds to Node's own start. Issue 11's goal: ≤ 3×.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Bench, median } from './harness.js';

const BIN = fileURLToPath(new URL('../bin/tidings.js', import.meta.url));
const RUNS = 10;

/** Wall time in ms of one process, start to exit. */
export function processMs(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export const cliStartBench: Bench = {
  name: 'cli_start',
  description: `wall time of \`tidings --help\` and of \`node -e 0\`, median of ${RUNS} each, alternating`,
  async run() {
    // Builds first if src/ is newer than dist/, so no timed run includes a build.
    execFileSync(process.execPath, [BIN, '--version'], { stdio: 'ignore' });
    const ours: number[] = [];
    const node: number[] = [];
    // Alternating, so a burst of load on the machine hits both alike.
    for (let i = 0; i < RUNS; i++) {
      ours.push(processMs([BIN, '--help']));
      node.push(processMs(['-e', '0']));
    }
    const value = median(ours);
    const baseline = median(node);
    return {
      cli_start: {
        value,
        unit: 'ms',
        higher_is_better: false,
        baseline: 'node -e 0',
        baseline_value: baseline,
        ratio: Math.round((value / baseline) * 100) / 100,
        goal_max_ratio: 3,
      },
    };
  },
};
