// Issue 4, acceptance 7: personalized digests sent through the ledger (claim, re-check, build,
// SMTP, mark) to 100,000 subscribers, against a raw pipelined SMTP client sending one prebuilt
// copy of the same message to the same sink in the same run; and the sender's peak RSS at 20,000
// and 100,000 subscribers (it must stay flat).
import { buildMessage, messageBytes } from '../src/deliver/mime.js';
import { type Bench, median, runWorker, withRatio } from './harness.js';
import { benchDelivery, benchEmailContent } from './send-raw.js';
import { rawSmtpThroughput } from './support/raw-smtp.js';
import { startSinkProcess } from './support/smtp-sink-server.js';

const SUBSCRIBERS = Number(process.env.BENCH_SEND_SUBSCRIBERS ?? 100_000);
const SMALL = Math.max(1000, Math.round(SUBSCRIBERS / 5));
/** SMTP_POOL_CONNECTIONS and DELIVERY_CONCURRENCY as the bench runs them. */
const CONNECTIONS = 16;
const CONCURRENCY = 64;
const RAW_CONNECTIONS = 2;
const RAW_MESSAGES = 20_000;

interface WorkerResult {
  ms: number;
  progress: { sent: number; failed: number };
  counts: { sent: number };
  sendPeakRss: number;
  setupRss: number;
  maxRss: number;
}

async function sendWorker(host: string, port: number, subscribers: number): Promise<WorkerResult> {
  const r = await runWorker<WorkerResult>(new URL('./support/send-worker.ts', import.meta.url), [host, port, subscribers, CONNECTIONS, CONCURRENCY]);
  if (r.counts.sent !== subscribers) throw new Error(`send bench: ${r.counts.sent} of ${subscribers} deliveries sent`);
  return r;
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

export const sendBench: Bench = {
  name: 'send',
  description: `${SUBSCRIBERS} personalized digests through the ledger and SMTP vs a raw pipelined SMTP client, same sink; sender peak RSS`,
  figures: ['send', 'send_rss_mb'],
  async run() {
    const content = await benchEmailContent();
    const message = messageBytes(buildMessage(content, benchDelivery(0), new Date()));
    const sink = await startSinkProcess();
    try {
      const at = { host: sink.host, port: sink.port, connections: RAW_CONNECTIONS };
      await rawSmtpThroughput({ ...at, messages: RAW_MESSAGES / 4, message });
      const raw: number[] = [];
      for (let r = 0; r < 3; r++) raw.push((await rawSmtpThroughput({ ...at, messages: RAW_MESSAGES, message })).perSecond);
      const small = await sendWorker(sink.host, sink.port, SMALL);
      const big = await sendWorker(sink.host, sink.port, SUBSCRIBERS);
      // The baseline again after the long run, so a machine that got busier meanwhile shows.
      raw.push((await rawSmtpThroughput({ ...at, messages: RAW_MESSAGES, message })).perSecond);
      const perSecond = (big.progress.sent * 1000) / big.ms;
      return {
        send: withRatio({
          value: Math.round(perSecond),
          unit: 'msgs/s',
          higher_is_better: true,
          baseline: 'raw pipelined SMTP client',
          baseline_value: Math.round(median(raw)),
          target_ratio: 0.4,
          subscribers: SUBSCRIBERS,
          connections: CONNECTIONS,
          concurrency: CONCURRENCY,
          reference_rss2email: 580,
        }),
        send_rss_mb: {
          value: mb(big.sendPeakRss),
          unit: 'MB',
          higher_is_better: false,
          target: 250,
          subscribers: SUBSCRIBERS,
          [`rss_mb_at_${SMALL}`]: mb(small.sendPeakRss),
          // The bench's own set-up (inserting the subscribers) is not the sender's work.
          setup_rss_mb: mb(big.setupRss),
          process_max_rss_mb: mb(big.maxRss),
        },
      };
    } finally {
      await sink.stop();
    }
  },
};
