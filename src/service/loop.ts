// One background loop of the service: run a step, and when it found nothing to do, wait before
// the next (or until woken). A failing step is logged and retried after the wait, never thrown:
// one unreachable relay must not end the process. stop() aborts the step's signal and waits for
// the step to return, so the caller knows the loop is idle.
import type { Logger } from '../log.js';

export interface Loop {
  /** Cut the wait short: new work is here (a digest this process just built). */
  wake(): void;
  stop(): Promise<void>;
}

/** `step` returns true when it did work (run again at once), false when idle. */
export function startLoop(name: string, log: Logger, step: (signal: AbortSignal) => Promise<boolean>, idleMs: number): Loop {
  const abort = new AbortController();
  let wakeUp: (() => void) | null = null;
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        abort.signal.removeEventListener('abort', done);
        wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      abort.signal.addEventListener('abort', done, { once: true });
      wakeUp = done;
    });
  const running = (async () => {
    while (!abort.signal.aborted) {
      let busy = false;
      try {
        busy = await step(abort.signal);
      } catch (err) {
        log.error({ err, loop: name }, `${name} failed; retrying after a pause`);
      }
      if (!busy && !abort.signal.aborted) await wait(idleMs);
    }
  })();
  return {
    wake: () => wakeUp?.(),
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}
