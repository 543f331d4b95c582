// Issue 6 acceptance 6: SIGTERM while `tidings start --role worker` is mid-send. The process
// exits 0 within 10 s, leaves no row `sending` under a live lease (the rows it had claimed but
// not started are pending again), and a restart delivers everything else: no mail lost, none
// sent twice.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { MAIL_ENV, type RunningCli, spawnCli } from '../support/cli.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { readyDigest } from '../support/ledger-seed.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';
import { tempDirs } from '../support/temp-dirs.js';

const RECIPIENTS = 200;
const dataDir = tempDirs('shutdown');

function worker(store: TestStore, sink: SmtpSink, dir: string): RunningCli {
  return spawnCli(['start', '--role', 'worker'], {
    DATABASE_URL: store.url,
    TIDINGS_DATA_DIR: dir,
    SMTP_URL: sink.url,
    ...MAIL_ENV,
    DELIVERY_CONCURRENCY: '8',
    LOG_LEVEL: 'info',
  });
}

/** Resolves with how long the exit took, or rejects (after a SIGKILL) if it took over `ms`. */
async function exitWithin(w: ReturnType<typeof worker>, ms: number): Promise<{ code: number | null }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      w.child.kill('SIGKILL');
      reject(new Error(`still running ${ms} ms after SIGTERM:\n${w.output()}`));
    }, ms);
  });
  try {
    return await Promise.race([w.exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The sink's messages once `count` arrived; rejects with the worker's output if it exits first. */
function messagesOrExit(sink: SmtpSink, w: ReturnType<typeof worker>, count: number) {
  return Promise.race([sink.waitForMessages(count), w.exited.then(() => Promise.reject(new Error(`the worker exited early:\n${w.output()}`)))]);
}

const messageIds = (sink: SmtpSink) => sink.messages.map((m) => /^Message-ID:\s*(\S+)/im.exec(m.raw.toString('latin1'))?.[1]);

forEachDialect('SIGTERM during a send', (dialect) => {
  let store: TestStore;
  let sink: SmtpSink;
  beforeEach(async () => {
    store = await dialect.open();
    // Slow replies keep sends in flight when the signal comes.
    sink = await startSmtpSink({ parse: false, replyDelayMs: 40 });
  });
  afterEach(async () => {
    await sink.close();
    await store.close();
  });

  it('exits 0 within 10 s, hands back what it had not started, and a restart sends the rest exactly once', { timeout: 90_000 }, async () => {
    await readyDigest(store, RECIPIENTS);
    const dir = dataDir();
    const first = worker(store, sink, dir);
    await messagesOrExit(sink, first, 40);
    first.child.kill('SIGTERM');
    const { code } = await exitWithin(first, 10_000);
    expect(code, first.output()).toBe(0);
    expect(first.output()).toContain('Stopped (SIGTERM).');

    const now = new Date().toISOString();
    const live = await store.db.selectFrom('deliveries').select('id').where('state', '=', 'sending').where('lease_until', '>', now).execute();
    expect(live).toEqual([]);
    const counts: Record<string, number> = Object.fromEntries(
      (
        await store.db
          .selectFrom('deliveries')
          .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy('state')
          .execute()
      ).map((r) => [r.state, Number(r.n)]),
    );
    const sent = counts.sent ?? 0;
    expect(sent).toBe(sink.messages.length);
    expect(sent).toBeLessThan(RECIPIENTS);
    expect(counts.pending).toBe(RECIPIENTS - sent);

    const second = worker(store, sink, dir);
    await messagesOrExit(sink, second, RECIPIENTS);
    for (;;) {
      const sending = await store.db.selectFrom('deliveries').select('id').where('state', '!=', 'sent').limit(1).execute();
      if (sending.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    second.child.kill('SIGTERM');
    expect((await exitWithin(second, 10_000)).code).toBe(0);
    const ids = messageIds(sink);
    expect(ids).toHaveLength(RECIPIENTS);
    expect(new Set(ids).size).toBe(RECIPIENTS);
    expect(ids.every(Boolean)).toBe(true);
  });
});
