// The schedule ticker: node-cron fires every few seconds and each tick asks the database what is
// owed (schedule/run.ts). Reading the schedules at every tick rather than making one cron task
// per newsletter is what lets an edit in the UI, the API or the bot apply without a restart, and
// a tick that finds a slot already claimed by another replica simply does nothing.
import cron from 'node-cron';
import type { Logger } from '../log.js';
import { type NewsletterRun, runSchedules, type ScheduleDeps } from '../schedule/run.js';

export interface Ticker {
  /** One tick now (tests, and the first tick at start-up). */
  tick(): Promise<NewsletterRun[]>;
  stop(): Promise<void>;
}

export function startTicker(deps: ScheduleDeps, opts: { tickSeconds: number; log: Logger; onRun?: (run: NewsletterRun) => void }): Ticker {
  let current: Promise<NewsletterRun[]> | null = null;
  let stopped = false;
  const tick = (): Promise<NewsletterRun[]> => {
    // Never two ticks at once in one process: a slow digest build simply delays the next tick.
    if (current || stopped) return current ?? Promise.resolve([]);
    current = runSchedules(deps)
      .then((runs) => {
        for (const run of runs) opts.onRun?.(run);
        return runs;
      })
      .catch((err: unknown) => {
        opts.log.error({ err }, 'schedule tick failed');
        return [];
      })
      .finally(() => {
        current = null;
      });
    return current;
  };
  const every = Math.min(59, Math.max(1, Math.round(opts.tickSeconds)));
  const task = cron.schedule(`*/${every} * * * * *`, () => void tick(), { name: 'tidings-schedule' });
  return {
    tick,
    stop: async () => {
      stopped = true;
      await task.destroy();
      await current;
    },
  };
}
