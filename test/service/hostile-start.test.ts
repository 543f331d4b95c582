// Issue 11 acceptance 2: while `tidings start` ingests two hostile feeds (one <title> with 100,000
// attributes, 1.1 MB; one description of 2,000,000 `&#65;` references, 9.5 MB), /healthz answers
// every poll (50 ms apart, for 45 s) within 1 s, a send in progress keeps at least 90% of its
// rate, both sources end with a parsed result or a clear error, and the process stays up.
// The SMTP sink answers each message after 1.5–2.5 s (uniformly at random), on each of twenty
// connections: about 10 messages a second, far below what the service can do, so the rate is the
// sink's, and the service's own time per message (which a busy machine stretches) is a small part
// of each message's round. The random delay keeps the connections out of step, so the count
// climbs a message at a time rather than twenty at once, and a window of a few seconds measures
// its rate to a few percent instead of a whole round of twenty.
// The rate without hostile work is measured before and after it, so a machine whose load changes
// during the test (other test files) weighs on both sides alike.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addSource } from '../../src/store/sources.js';
import { MAIL_ENV, spawnCli } from '../support/cli.js';
import { dialects, type TestStore } from '../support/databases.js';
import { readyDigest } from '../support/ledger-seed.js';
import { type FixtureServer, startServer } from '../support/http-fixture.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';
import { tempDirs } from '../support/temp-dirs.js';

const POLL_MS = 45_000;
const BASELINE_MS = 8_000;
const RECIPIENTS = 1_000;

const attributesFeed = () => {
  const attrs = Array.from({ length: 100_000 }, (_, i) => ` a${i}="x"`).join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title${attrs}>Many attributes</title><link>https://hostile.test/</link><item><title>One</title><link>https://hostile.test/a/1</link><description>Cotton rose.</description></item></channel></rss>`;
};
const referencesFeed = () =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Many references</title><link>https://hostile.test/</link><item><title>Two</title><link>https://hostile.test/a/2</link><description>${'&#65;'.repeat(2_000_000)}</description></item></channel></rss>`;

const dataDir = tempDirs('hostile');
let store: TestStore;
let sink: SmtpSink;
let feeds: FixtureServer;
let firstFeedRequest: number | undefined;

beforeAll(async () => {
  store = await dialects.find((d) => d.name === 'sqlite')!.open();
  sink = await startSmtpSink({ parse: false, replyDelayMs: () => 1500 + Math.random() * 1000 });
  const bodies: Record<string, string> = { '/attributes.xml': attributesFeed(), '/references.xml': referencesFeed() };
  feeds = await startServer((req, res) => {
    firstFeedRequest ??= performance.now();
    const body = bodies[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);
  });
});

afterAll(async () => {
  await feeds?.close();
  await sink?.close();
  await store?.close();
});

/** Messages the sink has acknowledged, sampled with the time of each /healthz poll. */
interface Sample {
  at: number;
  sent: number;
}

/**
 * Messages per second between the first and the last time the count went up inside [from, to].
 * Measured from step to step, so a window's edges neither add nor lose a step.
 */
function rate(samples: Sample[], from: number, to: number): number {
  const steps = samples.filter((s, i) => i > 0 && s.sent > samples[i - 1]!.sent && s.at >= from && s.at <= to);
  const first = steps[0]!;
  const last = steps.at(-1)!;
  return (last.sent - first.sent) / ((last.at - first.at) / 1000);
}

it('keeps /healthz answering and mail flowing while two hostile feeds are ingested', { timeout: 120_000 }, async () => {
  await readyDigest(store, RECIPIENTS);
  // Added now so the first start is not an empty database, but not due until the baseline is measured.
  const later = new Date(Date.now() + 3_600_000);
  for (const name of ['attributes', 'references']) {
    const source = await addSource(store.db, { kind: 'feed', url: `${feeds.url}/${name}.xml`, name }, new Date());
    await store.db.updateTable('sources').set({ next_fetch_at: later.toISOString() }).where('id', '=', source.id).execute();
  }

  const service = spawnCli(['start', '--port', '0'], {
    DATABASE_URL: store.url,
    TIDINGS_DATA_DIR: dataDir(),
    SMTP_URL: sink.url,
    SMTP_POOL_CONNECTIONS: '20',
    DELIVERY_CONCURRENCY: '20',
    ...MAIL_ENV,
    FETCH_ALLOW: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  const { child } = service;
  try {
    let url: string | undefined;
    while (!url) {
      if (child.exitCode !== null) throw new Error(`tidings start exited early:\n${service.output()}`);
      url = /Tidings is running: .*· (http:\/\/\S+)\/\./.exec(service.output())?.[1];
      await sleep(50);
    }
    await sink.waitForMessages(20);

    const started = performance.now();
    const samples: Sample[] = [];
    const polls: { at: number; ms: number; status: number | string }[] = [];
    let released = false;
    while (performance.now() - started < POLL_MS) {
      const at = performance.now();
      let status: number | string;
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        status = res.status;
      } catch (err) {
        status = (err as Error).name;
      }
      const ms = performance.now() - at;
      polls.push({ at: Math.round(at - started), ms: Math.round(ms), status });
      samples.push({ at: performance.now(), sent: sink.messages.length });
      if (!released && performance.now() - started >= BASELINE_MS) {
        // Due now: the ingest loop picks both up at its next turn (within its 5 s idle wait).
        await store.db
          .updateTable('sources')
          .set({ next_fetch_at: new Date(Date.now() - 1000).toISOString() })
          .execute();
        released = true;
      }
      await sleep(50);
    }

    const sources = await store.db.selectFrom('sources').select(['name', 'last_status', 'last_error', 'last_fetched_at']).orderBy('name').execute();
    const slowest = [...polls].sort((a, b) => b.ms - a.ms).slice(0, 5);
    const context = `${service.output()}\n${JSON.stringify({ slowest, sources })}`;
    expect(polls.length, context).toBeGreaterThan(400);
    expect(
      polls.filter((p) => p.status !== 200 || p.ms >= 1000),
      context,
    ).toEqual([]);
    expect(child.exitCode, context).toBeNull();
    for (const s of sources) {
      expect(s.last_status, context).toMatch(/^(ok|error)$/);
      if (s.last_status === 'error') expect(s.last_error).toMatch(/took longer than|needed more than/);
    }
    const stored = await store.db.selectFrom('articles').select(['title', 'text']).orderBy('title').execute();
    expect(stored.map((a) => a.title)).toEqual(sources.filter((s) => s.last_status === 'ok').map((s) => (s.name === 'attributes' ? 'One' : 'Two')));
    // The 2,000,000 characters were cut where the parser caps an item's text.
    for (const a of stored) expect(a.text.length).toBeLessThanOrEqual(200_000);

    // The hostile window: from the first feed request to 2 s after both sources have a result (at least 8 s).
    expect(firstFeedRequest, context).toBeDefined();
    const done = Math.max(...sources.map((s) => Date.parse(s.last_fetched_at ?? '')));
    const hostileEnd = Math.max(firstFeedRequest! + 8_000, performance.now() - (Date.now() - done) + 2_000);
    const end = samples.at(-1)!.at;
    const before = rate(samples, started + 1_000, firstFeedRequest!);
    const after = rate(samples, hostileEnd, end);
    const baseline = (before + after) / 2;
    const during = rate(samples, firstFeedRequest!, Math.min(hostileEnd, end));
    expect(baseline, context).toBeGreaterThan(0);
    const rates = `${during.toFixed(2)} messages/s during, ${before.toFixed(2)} before, ${after.toFixed(2)} after`;
    expect(during / baseline, `${rates}\n${context}`).toBeGreaterThanOrEqual(0.9);
    expect(sink.messages.length).toBeLessThan(RECIPIENTS);
  } finally {
    child.kill('SIGTERM');
    await service.exited;
  }
});
