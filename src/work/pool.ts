// The worker-thread pool for CPU-bound steps (feed parsing, page extraction, summarizing), so
// that no input can stall the event loop that answers /healthz, ticks the schedule and sends
// mail. Each task gets a wall deadline and each thread a heap limit; a thread past either is
// terminated, its task fails with a message naming the limit, and a fresh thread takes its place.
// Threads start on demand and do not keep an idle process alive.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { TASK_LABELS, type TaskInput, type TaskName, type TaskOutput, type Work } from './tasks.js';
import type { TaskRequest, WorkerMessage } from './worker.js';

export interface WorkPoolOptions {
  /** Threads at most. */
  size: number;
  /** Wall time a task may take once a thread has it. */
  taskTimeoutMs: number;
  /** Old-space heap per thread (resourceLimits.maxOldGenerationSizeMb). */
  maxHeapMb: number;
  log: Logger;
}

export interface WorkPool extends Work {
  close(): Promise<void>;
}

export type WorkErrorCode = 'deadline' | 'memory' | 'crashed' | 'closed';

/** A task stopped by the pool rather than failing on its own; `message` is for users. */
export class WorkError extends Error {
  override readonly name = 'WorkError';
  constructor(
    readonly code: WorkErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Where the thread entry is. From source (vitest, tsx) this module is src/work/pool.ts and the
 * entry is worker.ts beside it, which Node loads only through tsx. In the esbuild bundle this
 * code sits in a file of dist/node/ and the entry is dist/node/worker.js, built as its own entry
 * point by scripts/build.mjs; there is no tsx at run time.
 */
export function workerEntry(here: string = import.meta.url): { url: URL; fromSource: boolean } {
  if (here.endsWith('.ts')) return { url: new URL('./worker.ts', here), fromSource: true };
  return { url: new URL('./worker.js', here), fromSource: false };
}

/**
 * Node 20 ignores `--import tsx` in a worker's execArgv, and tsx's plain loader registers nothing
 * off the main thread, so a thread run from source registers tsx's ESM API itself first.
 */
function startThread(entry: { url: URL; fromSource: boolean }, options: WorkerOptions): Worker {
  if (!entry.fromSource) return new Worker(entry.url, options);
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve('tsx/package.json');
  const api = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!.import.default;
  const apiUrl = pathToFileURL(path.join(path.dirname(pkgFile), api)).href;
  const boot = `import(${JSON.stringify(apiUrl)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.url.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

interface Job {
  id: number;
  task: TaskName;
  input: unknown;
  resolve(output: unknown): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  /** Terminated or failed, waiting for its exit: no new task goes to it. */
  dead: boolean;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

const seconds = (ms: number) => `${ms / 1000} s`;

/**
 * Young generation per thread. V8's default grows to 32 MB per thread under an ingest's
 * allocation rate, though a task's garbage is short-lived; 8 MB cut a first ingest's peak RSS by
 * ~20–30 MB (two threads) at no measurable CPU cost, and 4 MB another ~10 MB (1,000 feeds: 235–238
 * against 246–247 MB) for a first pass ~5–10% slower. The old-space limit is unchanged.
 */
const YOUNG_GENERATION_MB = 4;

export function createWorkPool(opts: WorkPoolOptions): WorkPool {
  const { size, taskTimeoutMs, maxHeapMb, log } = opts;
  if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`work pool size must be a positive integer, got ${size}`);
  const entry = workerEntry();
  const threads = new Set<Thread>();
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  const settle = (t: Thread): Job | undefined => {
    const job = t.job;
    clearTimeout(t.timer);
    t.job = undefined;
    t.timer = undefined;
    t.worker.unref();
    return job;
  };

  const spawn = () => {
    const worker = startThread(entry, { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const t: Thread = { worker, ready: false, dead: false, job: undefined, timer: undefined };
    threads.add(t);
    worker.on('message', (m: WorkerMessage) => {
      if ('ready' in m) {
        t.ready = true;
        worker.unref();
        pump();
        return;
      }
      const job = settle(t);
      if (!job || job.id !== m.id) return;
      if (m.ok) job.resolve(m.output);
      else job.reject(new Error(m.message));
      pump();
    });
    worker.on('error', (err: Error & { code?: string }) => {
      t.dead = true;
      const job = settle(t);
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        job?.reject(
          new WorkError(
            'memory',
            `${TASK_LABELS[job.task]} needed more than ${maxHeapMb} MB of memory and was stopped (WORK_MAX_HEAP_MB); the document is too large or too complex to read`,
          ),
        );
        log.warn({ task: job?.task, maxHeapMb }, 'a work thread ran out of memory; it is replaced');
      } else {
        log.error({ err: err.message, task: job?.task }, 'a work thread failed; it is replaced');
        job?.reject(new WorkError('crashed', `${job ? TASK_LABELS[job.task] : 'a task'} failed: ${err.message}`));
      }
      // A thread that dies before it is ready would die again: fail what waits instead of looping.
      if (!t.ready) for (const waiting of queue.splice(0)) waiting.reject(new WorkError('crashed', `the work pool could not start a thread: ${err.message}`));
    });
    worker.on('exit', (code) => {
      threads.delete(t);
      settle(t)?.reject(new WorkError('crashed', `a work thread exited (code ${code}) in the middle of a task`));
      pump();
    });
  };

  const dispatch = (t: Thread, job: Job) => {
    t.job = job;
    t.worker.ref();
    t.timer = setTimeout(() => {
      t.dead = true;
      settle(t);
      job.reject(
        new WorkError(
          'deadline',
          `${TASK_LABELS[job.task]} took longer than ${seconds(taskTimeoutMs)} and was stopped (WORK_TASK_TIMEOUT_MS); the document is too large or too complex to read`,
        ),
      );
      log.warn({ task: job.task, taskTimeoutMs }, 'a task passed its deadline; its thread is replaced');
      void t.worker.terminate();
    }, taskTimeoutMs);
    const req: TaskRequest = { id: job.id, task: job.task, input: job.input };
    try {
      t.worker.postMessage(req);
    } catch (err) {
      settle(t);
      job.reject(new Error(`${TASK_LABELS[job.task]}: its input cannot be passed to a thread (${(err as Error).message})`));
      // The thread is idle again, after the pump that called us has passed it.
      queueMicrotask(pump);
    }
  };

  function pump(): void {
    if (closed) return;
    for (const t of threads) {
      if (queue.length === 0) return;
      if (t.ready && !t.dead && !t.job) dispatch(t, queue.shift()!);
    }
    const starting = [...threads].filter((t) => !t.ready && !t.dead).length;
    for (let k = starting; k < queue.length && threads.size < size; k++) spawn();
    // Threads that are starting, and threads with work, keep the process alive for their tasks.
    for (const t of threads) if (!t.ready) t.worker.ref();
  }

  return {
    run<K extends TaskName>(task: K, input: TaskInput<K>): Promise<TaskOutput<K>> {
      if (closed) return Promise.reject(new WorkError('closed', 'the work pool is closed'));
      return new Promise<TaskOutput<K>>((resolve, reject) => {
        queue.push({ id: nextId++, task, input, resolve: resolve as (o: unknown) => void, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new WorkError('closed', 'the work pool is closed'));
      await Promise.all(
        [...threads].map((t) => {
          settle(t)?.reject(new WorkError('closed', 'the work pool is closed'));
          return t.worker.terminate();
        }),
      );
      threads.clear();
    },
  };
}
