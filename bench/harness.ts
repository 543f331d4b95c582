// Shared shape of a benchmark figure (DESIGN.md "Benchmark output") and the timing helpers every
// bench module uses. The machine is noisy: report medians of repeated runs, never one timing.
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface Figure {
  value: number;
  unit: string;
  higher_is_better: boolean;
  baseline?: string;
  baseline_value?: number;
  /** ours / baseline when higher is better, baseline / ours when lower is better: > 1 means we win. */
  ratio?: number;
  /** Extra named numbers printed beside the figure (e.g. r2, rl, peak RSS). */
  [extra: string]: unknown;
}

export type Figures = Record<string, Figure>;

/** A bench module: name → a function producing one or more named figures. */
export interface Bench {
  name: string;
  description: string;
  /** Names of the figures it produces when they differ from `name` (so `npm run bench -- rouge_bbc` works). */
  figures?: string[];
  run(): Promise<Figures>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median wall time in ms of `runs` calls after `warmup` unmeasured ones. */
export async function timeMedian(fn: () => unknown, runs = 7, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export function withRatio(f: Figure): Figure {
  if (f.baseline_value === undefined || f.baseline_value === 0 || f.value === 0) return f as Figure;
  const ratio = f.higher_is_better ? f.value / f.baseline_value : f.baseline_value / f.value;
  return { ...f, ratio: Math.round(ratio * 100) / 100 };
}

/** Starts a bench script (TypeScript, under tsx) as a child process whose memory is its own. */
export function forkTs(script: URL, args: readonly (string | number)[]): ChildProcess {
  return fork(script, args.map(String), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
}

/** The first line a child prints (its JSON result, or a readiness line). */
export async function firstLine(child: ChildProcess): Promise<string> {
  const rl = createInterface({ input: child.stdout! });
  const [line] = (await once(rl, 'line')) as [string];
  rl.close();
  return line;
}

/** Runs a bench worker to its end and parses the one JSON line it prints. */
export async function runWorker<T>(script: URL, args: readonly (string | number)[]): Promise<T> {
  const child = forkTs(script, args);
  const line = await firstLine(child);
  await once(child, 'exit');
  return JSON.parse(line) as T;
}
