// Acceptance 5 of issue 4: a sender killed with SIGKILL half-way through 1,000 mails, then
// restarted, delivers to everyone, repeats at most `concurrency` mails (each with its original
// Message-ID) and leaves the ledger at 1,000 sent. And a connection dropped after the data but
// before the 250 leaves the recipient to be retried, never unsent.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { deliveryBuilder, emailContentLoader } from '../../src/deliver/email-content.js';
import { smtpChannel } from '../../src/deliver/email.js';
import { deliveryCounts } from '../../src/store/deliveries.js';
import { sendPending } from '../../src/deliver/email-send.js';
import { silentLogger } from '../../src/log.js';
import { tokenSigner } from '../../src/subscribers/tokens.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { readyDigest } from '../support/ledger-seed.js';
import { ROOT } from '../support/cli.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';

const CHILD = fileURLToPath(new URL('./fixtures/send-child.ts', import.meta.url));
const RECIPIENTS = 1000;
const CONCURRENCY = 8;
const LEASE_MS = 60_000;

function runChild(store: TestStore, sink: SmtpSink, env: Record<string, string>, killAfter?: number): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: store.url,
        SINK_PORT: String(sink.port),
        CONCURRENCY: String(CONCURRENCY),
        LEASE_MS: String(LEASE_MS),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let watch: NodeJS.Timeout | undefined;
    if (killAfter !== undefined) {
      watch = setInterval(() => {
        if (sink.messages.length >= killAfter) child.kill('SIGKILL');
      }, 2);
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(watch);
      if (code !== 0 && signal === null) reject(new Error(`sender exited ${code}: ${stderr}`));
      else resolve({ code, signal });
    });
  });
}

forEachDialect('crash-safe sending', (dialect) => {
  let store: TestStore;
  let sink: SmtpSink;
  beforeEach(async () => {
    store = await dialect.open();
    sink = await startSmtpSink({ parse: false });
  });
  afterEach(async () => {
    await sink.close();
    await store.close();
  });

  it('kill -9 after ~500 of 1,000 mails, restart: everyone gets it, duplicates ≤ concurrency with their original Message-ID', {
    timeout: 120_000,
  }, async () => {
    const digestId = await readyDigest(store, RECIPIENTS);
    const killed = await runChild(store, sink, {}, RECIPIENTS / 2);
    expect(killed.signal).toBe('SIGKILL');
    const atKill = sink.messages.length;
    expect(atKill).toBeGreaterThanOrEqual(RECIPIENTS / 2);
    expect(atKill).toBeLessThan(RECIPIENTS);
    // The restart comes after the dead sender's leases ran out.
    const resumed = await runChild(store, sink, { CLOCK_OFFSET_MS: String(LEASE_MS + 1000) });
    expect(resumed.code).toBe(0);

    const byRecipient = new Map<string, string[]>();
    for (const m of sink.messages) {
      const id = /^Message-ID: (.*)\r$/im.exec(m.raw.toString('latin1'))![1]!;
      for (const to of m.to) byRecipient.set(to, [...(byRecipient.get(to) ?? []), id]);
    }
    expect(byRecipient.size).toBe(RECIPIENTS); // 0 missing
    const duplicates = sink.messages.length - RECIPIENTS;
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
    for (const ids of byRecipient.values()) expect(new Set(ids).size).toBe(1); // a repeat keeps its Message-ID
    expect(await deliveryCounts(store.db, { digestId })).toMatchObject({ sent: RECIPIENTS, pending: 0, sending: 0, failed: 0 });
  });

  it('a connection dropped after the data, before the 250, is retried and never left unsent', async () => {
    const digestId = await readyDigest(store, 3);
    sink.dropAfterData('r1@example.org');
    let clock = new Date();
    const email = smtpChannel({ url: sink.url, connections: 2, ratePerSecond: 0 });
    const deps = {
      db: store.db,
      dialect: store.dialect,
      email,
      log: silentLogger(),
      now: () => clock,
      contentFor: emailContentLoader(store.db, { from: { name: 'News', address: 'news@example.org' }, domain: 'news.example.org' }),
      deliveryFor: deliveryBuilder(tokenSigner(Buffer.alloc(32, 1)), 'https://news.example.org'),
    };
    try {
      const first = await sendPending(deps, { concurrency: 2, leaseMs: LEASE_MS, maxAttempts: 5 });
      expect(first).toMatchObject({ sent: 2, retried: 1 });
      const row = await store.db.selectFrom('deliveries').selectAll().where('address', '=', 'r1@example.org').executeTakeFirstOrThrow();
      expect(row.state).toBe('pending');
      clock = new Date(clock.getTime() + 10 * 60_000);
      expect(await sendPending(deps, { concurrency: 2, leaseMs: LEASE_MS, maxAttempts: 5 })).toMatchObject({ sent: 1 });
    } finally {
      await email.close();
    }
    const copies = sink.to('r1@example.org');
    expect(copies).toHaveLength(2);
    expect(copies[0]!.acknowledged).toBe(false);
    const ids = copies.map((m) => /^Message-ID: (.*)\r$/im.exec(m.raw.toString('latin1'))![1]);
    expect(ids[0]).toBe(ids[1]);
    expect(await deliveryCounts(store.db, { digestId })).toMatchObject({ sent: 3, pending: 0 });
  });
});
