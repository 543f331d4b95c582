// The thread entry of the worker pool (pool.ts): runs one task at a time, by name, and answers
// with its output or its error's message. The tasks' modules are loaded (statically, through
// tasks.ts) before it says it is ready, so a task's deadline counts the work, not the loading;
// only the page modules wait for the first page task (tasks.ts says why).
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { runTask, type TaskName } from './tasks.js';

export interface TaskRequest {
  id: number;
  task: TaskName;
  input: unknown;
}

export type WorkerMessage = { ready: true } | { id: number; ok: true; output: unknown } | { id: number; ok: false; message: string };

const port = parentPort;
if (!port) throw new Error('src/work/worker.ts runs only as a thread of the worker pool');

// On a busy machine the event loop's thread must win the CPU over a long parse, or /healthz and
// sending stall anyway. On Linux the nice value belongs to the thread: this lowers only this one.
// Elsewhere it may apply to the whole process or be refused; then the threads stay as they are.
if (process.platform === 'linux') {
  try {
    setPriority(10);
  } catch {}
}

port.on('message', async (req: TaskRequest) => {
  try {
    const output = await runTask(req.task, req.input as never);
    // Inside the try: an output that cannot be cloned is this task's failure, not the thread's.
    port.postMessage({ id: req.id, ok: true, output } satisfies WorkerMessage);
  } catch (err) {
    port.postMessage({ id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies WorkerMessage);
  }
});
port.postMessage({ ready: true } satisfies WorkerMessage);
