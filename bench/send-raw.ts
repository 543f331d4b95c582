// Issue 4, acceptance 7 (the channel half): personalized digests through smtpChannel (MIME
// builder + Tidings' own pipelined SMTP client) against a raw pipelined SMTP client sending one
// prebuilt copy of the same message, both to the same sink process in the same run. Beside it,
// what bounds the figure: our client alone and nodemailer's pool alone with the prebuilt message
// (why the client replaced nodemailer on this path), and our builder feeding the raw client. The
// lead's `send` figure (through the ledger) reuses this baseline: rawSmtpThroughput and
// startSinkProcess.
import { generateKeyPairSync } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { EmailContent, EmailDelivery } from '../src/deliver/channel.js';
import { type DkimSigner, dkimSigner } from '../src/deliver/dkim.js';
import { smtpChannel } from '../src/deliver/email.js';
import { buildMessage, messageBytes } from '../src/deliver/mime.js';
import { smtpClient } from '../src/deliver/smtp-client.js';
import { renderEmail } from '../src/digest/render-email.js';
import { type Bench, median, withRatio } from './harness.js';
import { benchDigest } from './render.js';
import { rawSmtpThroughput } from './support/raw-smtp.js';
import { type SinkProcess, startSinkProcess } from './support/smtp-sink-server.js';

export { rawSmtpThroughput } from './support/raw-smtp.js';
export { startSinkProcess } from './support/smtp-sink-server.js';

const MESSAGES = Number(process.env.BENCH_SEND_MESSAGES ?? 4000);
const RUNS = 5;
/** The channel's pool size here; the default of SMTP_POOL_CONNECTIONS. */
const CONNECTIONS = Number(process.env.BENCH_SEND_CONNECTIONS ?? 5);
/** Sends in flight at once, as the ledger's workers would keep them. */
const IN_FLIGHT = Number(process.env.BENCH_SEND_IN_FLIGHT ?? 64);
const RAW_CONNECTIONS = Number(process.env.BENCH_RAW_CONNECTIONS ?? 2);

const SENDER = { organization: 'Textile Industry Association', postalAddress: '12 Mill Street, Manchester M1 2AB', publicUrl: 'https://news.example.org' };

/** The bench's digest as the ledger would hand it to a channel. */
export async function benchEmailContent(): Promise<EmailContent> {
  return {
    digestId: 1,
    rendered: await renderEmail(benchDigest(), SENDER),
    from: { name: SENDER.organization, address: 'news@news.example.org' },
    listId: 'Textile Daily Digest <textile-daily.news.example.org>',
  };
}

export function benchDelivery(i: number): EmailDelivery {
  return {
    deliveryId: i,
    to: `reader${i}@members.example.com`,
    messageId: `<tidings.d1.s${i}.email@news.example.org>`,
    recipient: {
      name: i % 3 ? `Reader Number ${i}` : null,
      unsubscribeUrl: `https://news.example.org/u/${(i * 2654435761) >>> 0}x${i}`,
      preferencesUrl: `https://news.example.org/p/${(i * 2654435761) >>> 0}x${i}`,
    },
    unsubscribeMailto: `mailto:unsubscribe@news.example.org?subject=u${i}`,
  };
}

/** Messages per second through smtpChannel: `count` personalized messages, IN_FLIGHT at a time. */
async function channelThroughput(sink: SinkProcess, content: EmailContent, count: number, offset: number): Promise<number> {
  const channel = smtpChannel({ url: `smtp://${sink.host}:${sink.port}`, connections: CONNECTIONS, ratePerSecond: 0 });
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) await channel.send(content, benchDelivery(offset + next++));
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const ms = performance.now() - t0;
  await channel.close();
  return (count * 1000) / ms;
}

/** nodemailer's pool alone with the one prebuilt message: the ceiling of any channel built on it. */
async function nodemailerThroughput(sink: SinkProcess, message: Buffer, count: number): Promise<number> {
  const transport = nodemailer.createTransport({ pool: true, host: sink.host, port: sink.port, maxConnections: CONNECTIONS, maxMessages: 1000, logger: false });
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next++ < count) await transport.sendMail({ raw: message, envelope: { from: 'news@news.example.org', to: ['reader@members.example.com'] } });
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const ms = performance.now() - t0;
  transport.close();
  return (count * 1000) / ms;
}

/** Our SMTP client alone with the one prebuilt message: the ceiling of smtpChannel. */
async function clientThroughput(sink: SinkProcess, message: Buffer, count: number): Promise<number> {
  const client = smtpClient({
    url: `smtp://${sink.host}:${sink.port}`,
    connections: CONNECTIONS,
    ratePerSecond: 0,
    messagesPerConnection: 1000,
    timeoutMs: 60_000,
  });
  const envelope = { from: 'news@news.example.org', to: 'reader@members.example.com' };
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next++ < count) await client.send(envelope, message);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const ms = performance.now() - t0;
  await client.close();
  return (count * 1000) / ms;
}

/** Microseconds to build one personalized message (DKIM-signed with `sign`). */
function buildMicros(content: EmailContent, n: number, sign?: DkimSigner): number {
  const date = new Date();
  let bytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const m = buildMessage(content, benchDelivery(i), date);
    bytes += messageBytes(m, sign ? [sign(m)] : []).length;
  }
  if (!bytes) throw new Error('send bench: empty messages');
  return ((performance.now() - t0) * 1000) / n;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function benchSigner(): DkimSigner {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return dkimSigner({ domain: 'news.example.org', selector: 'bench', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
}

export const sendRawBench: Bench = {
  name: 'send_channel',
  description: `${MESSAGES} personalized digests via smtpChannel (${CONNECTIONS} connections) vs a raw pipelined SMTP client, same sink`,
  figures: ['send_channel'],
  async run() {
    const content = await benchEmailContent();
    const message = messageBytes(buildMessage(content, benchDelivery(0), new Date()));
    const date = new Date();
    const built = (i: number) => messageBytes(buildMessage(content, benchDelivery(i), date));
    const sink = await startSinkProcess();
    const at = { host: sink.host, port: sink.port, connections: RAW_CONNECTIONS };
    try {
      const raw: number[] = [];
      const ours: number[] = [];
      const nodemailerOnly: number[] = [];
      const clientOnly: number[] = [];
      const builderOnly: number[] = [];
      // One unmeasured round of each warms up the JIT and the sink.
      await rawSmtpThroughput({ ...at, messages: MESSAGES / 4, message });
      await channelThroughput(sink, content, MESSAGES / 4, 0);
      // Interleaved, so a busy moment on the machine hits every variant alike; medians reported.
      for (let r = 0; r < RUNS; r++) {
        raw.push((await rawSmtpThroughput({ ...at, messages: MESSAGES, message })).perSecond);
        ours.push(await channelThroughput(sink, content, MESSAGES, r * MESSAGES));
        nodemailerOnly.push(await nodemailerThroughput(sink, message, MESSAGES));
        clientOnly.push(await clientThroughput(sink, message, MESSAGES));
        builderOnly.push((await rawSmtpThroughput({ ...at, messages: MESSAGES, message: built })).perSecond);
      }
      const expected = (MESSAGES / 4) * 2 + RUNS * MESSAGES * 5;
      const accepted = await sink.accepted();
      if (accepted !== expected) throw new Error(`send bench: the sink accepted ${accepted} messages, expected ${expected}`);
      const baseline = median(raw);
      return {
        send_channel: withRatio({
          value: Math.round(median(ours)),
          unit: 'msgs/s',
          higher_is_better: true,
          baseline: 'raw pipelined SMTP client',
          baseline_value: Math.round(baseline),
          target_ratio: 0.4,
          // What bounds the figure: our client and nodemailer's pool sending the prebuilt message
          // (no builder at all), and our builder feeding the raw client (no SMTP library at all).
          client_prebuilt_per_s: Math.round(median(clientOnly)),
          client_ratio: Math.round((median(clientOnly) / baseline) * 100) / 100,
          nodemailer_prebuilt_per_s: Math.round(median(nodemailerOnly)),
          nodemailer_ratio: Math.round((median(nodemailerOnly) / baseline) * 100) / 100,
          builder_raw_per_s: Math.round(median(builderOnly)),
          builder_ratio: Math.round((median(builderOnly) / baseline) * 100) / 100,
          build_us: round1(buildMicros(content, 1000)),
          // An RSA-2048 signature per message (the body differs per recipient, so does its hash).
          build_dkim_us: round1(buildMicros(content, 300, benchSigner())),
          message_kb: round1(message.length / 1024),
          connections: CONNECTIONS,
          raw_connections: RAW_CONNECTIONS,
          messages: MESSAGES,
        }),
      };
    } finally {
      await sink.stop();
    }
  },
};
