// Per-host politeness: one slow or busy site gets at most N requests at a time from us, and a
// queue behind them, while requests to other hosts proceed untouched.

export interface HostLimiter {
  /** Waits for a free slot on `host`; resolves to the function that gives it back (call once). */
  acquire(host: string, signal?: AbortSignal): Promise<() => void>;
  /** Requests running against `host` right now (for tests and metrics). */
  active(host: string): number;
  /** Requests running or queued for `host`: 1 means the caller's is the only one. */
  pending(host: string): number;
}

interface Waiter {
  grant: () => void;
}

interface HostState {
  active: number;
  queue: Waiter[];
}

export function createHostLimiter(perHost: number): HostLimiter {
  if (!Number.isInteger(perHost) || perHost < 1) {
    throw new Error(`per-host concurrency must be a whole number of at least 1, got ${perHost}`);
  }
  const hosts = new Map<string, HostState>();

  function releaser(host: string, state: HostState): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = state.queue.shift();
      // The slot passes straight to the next waiter, so `active` stays the same.
      if (next) return next.grant();
      state.active--;
      if (state.active === 0) hosts.delete(host);
    };
  }

  return {
    acquire(host, signal) {
      let state = hosts.get(host);
      if (!state) {
        state = { active: 0, queue: [] };
        hosts.set(host, state);
      }
      const s = state;
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (s.active < perHost) {
        s.active++;
        return Promise.resolve(releaser(host, s));
      }
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          const i = s.queue.indexOf(waiter);
          if (i !== -1) s.queue.splice(i, 1);
          reject(signal?.reason);
        };
        const waiter: Waiter = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(releaser(host, s));
          },
        };
        s.queue.push(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    active(host) {
      return hosts.get(host)?.active ?? 0;
    },
    pending(host) {
      const state = hosts.get(host);
      return state ? state.active + state.queue.length : 0;
    },
  };
}
