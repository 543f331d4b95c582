// A real SMTP server on 127.0.0.1 for tests (smtp-server; AUTH optional and accepted; TLS only
// when given a key and certificate, e.g. test/fixtures/tls/).
// It records every message — envelope, raw bytes and the mailparser parse — and can be scripted
// per recipient address:
//
//   const sink = await startSmtpSink();
//   sink.rejectRecipient('gone@example.org', { code: 550, message: '5.1.1 No such user' });
//   sink.rejectData('full@example.org', { code: 452, message: '4.2.2 Mailbox full' });
//   sink.dropAfterData('flaky@example.org'); // next message: read it whole, hang up before the 250
//   … send to sink.url …
//   await sink.waitForMessages(3);           // no timers: resolves when the third one is in
//   sink.messages, sink.connections(), sink.auths
//   await sink.close();
//
// Replies carry no automatic enhanced status code: put one at the start of `message` when a test
// needs it ("5.1.1 No such user").
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface SinkReply {
  code: number;
  message: string;
}

export interface SinkMessage {
  from: string;
  to: string[];
  raw: Buffer;
  /** Undefined when the sink was started with `parse: false`. */
  parsed: ParsedMail | undefined;
  /** False when the sink hung up after the data instead of replying (dropAfterData). */
  acknowledged: boolean;
  /** Which connection (1-based, in order of arrival) carried it. */
  connection: number;
  /** It came over TLS (STARTTLS or smtps). */
  secure: boolean;
}

export interface SmtpSink {
  host: string;
  port: number;
  /** `smtp://127.0.0.1:<port>`, ready for SMTP_URL. */
  url: string;
  /** Every message whose data arrived whole, in order of arrival (dropped ones included). */
  messages: SinkMessage[];
  /** Credentials clients authenticated with (any are accepted unless `password` is set). */
  auths: { username: string; password: string }[];
  /** The AUTH mechanism of each entry in `auths`. */
  authMethods: string[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Refuse `RCPT TO:<address>` with this reply, until reset(). */
  rejectRecipient(address: string, reply: SinkReply): void;
  /** Answer a message for `address` with this reply instead of 250, until reset(). */
  rejectData(address: string, reply: SinkReply): void;
  /** The next message for `address` is read whole, then the connection is closed before any reply. Once. */
  dropAfterData(address: string): void;
  /** Messages sent to `address`, in order. */
  to(address: string): SinkMessage[];
  /** Forgets the scripted replies (not the recorded messages). */
  reset(): void;
  /** Resolves with the messages once at least `count` have arrived. */
  waitForMessages(count: number): Promise<SinkMessage[]>;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Parse every message with mailparser (default true); turn off for thousands of messages. */
  parse?: boolean;
  /** Offer STARTTLS with this key and certificate (PEM), or with `secure`, speak TLS from the first byte. */
  tls?: { key: string | Buffer; cert: string | Buffer; secure?: boolean };
  /** Leave PIPELINING out of the EHLO reply (default: offered). */
  pipelining?: boolean;
  /** AUTH mechanisms offered (default PLAIN and LOGIN). */
  authMethods?: ('PLAIN' | 'LOGIN')[];
  /** Refuse (535) logins with any other password. */
  password?: string;
  /** Wait this long before answering each message's data (ms, or a function for a delay per message): a slow relay, so sends are in flight. */
  replyDelayMs?: number | (() => number);
}

const key = (address: string) => address.toLowerCase();

function replyError(reply: SinkReply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const parse = opts.parse ?? true;
  const rcptReplies = new Map<string, SinkReply>();
  const dataReplies = new Map<string, SinkReply>();
  const drops = new Set<string>();
  const messages: SinkMessage[] = [];
  const auths: { username: string; password: string }[] = [];
  const authMethods: string[] = [];
  const connectionOf = new Map<string, number>();
  const waiters: { count: number; resolve: (m: SinkMessage[]) => void }[] = [];
  let connections = 0;

  const record = (m: SinkMessage) => {
    messages.push(m);
    for (const w of waiters.filter((w) => messages.length >= w.count)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(messages);
    }
  };

  const hangUp = (session: SMTPServerSession) => {
    for (const c of server.connections) {
      if (c.id === session.id) (c as unknown as { _socket: { destroy(): void } })._socket.destroy();
    }
  };

  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: opts.tls ? [] : ['STARTTLS'],
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert, secure: opts.tls.secure ?? false } : {}),
    hidePIPELINING: opts.pipelining === false,
    authMethods: opts.authMethods ?? ['PLAIN', 'LOGIN'],
    hideENHANCEDSTATUSCODES: true,
    disableReverseLookup: true,
    logger: false,
    onConnect(session, callback) {
      connectionOf.set(session.id, ++connections);
      callback();
    },
    onAuth(auth, _session, callback) {
      if (opts.password !== undefined && auth.password !== opts.password) {
        return callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      }
      auths.push({ username: auth.username ?? '', password: auth.password ?? '' });
      authMethods.push(auth.method);
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      const reply = rcptReplies.get(key(address.address));
      callback(reply ? replyError(reply) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const raw = Buffer.concat(chunks);
        const dropFor = to.find((t) => drops.has(key(t)));
        const parsed = parse ? await simpleParser(raw) : undefined;
        const message = { from, to, raw, parsed, acknowledged: !dropFor, connection: connectionOf.get(session.id) ?? 0, secure: session.secure };
        if (dropFor) {
          drops.delete(key(dropFor));
          record(message);
          hangUp(session);
          return;
        }
        const reply = to.map((t) => dataReplies.get(key(t))).find(Boolean);
        if (opts.replyDelayMs) {
          const ms = typeof opts.replyDelayMs === 'function' ? opts.replyDelayMs() : opts.replyDelayMs;
          await new Promise((resolve) => setTimeout(resolve, ms));
        }
        if (!reply) record(message);
        callback(reply ? replyError(reply) : null, 'OK: queued by the test sink');
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => {});
  const port = (server.server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    url: `${opts.tls?.secure ? 'smtps' : 'smtp'}://127.0.0.1:${port}`,
    messages,
    auths,
    authMethods,
    connections: () => connections,
    rejectRecipient: (address, reply) => void rcptReplies.set(key(address), reply),
    rejectData: (address, reply) => void dataReplies.set(key(address), reply),
    dropAfterData: (address) => void drops.add(key(address)),
    to: (address) => messages.filter((m) => m.to.some((t) => key(t) === key(address))),
    reset() {
      rcptReplies.clear();
      dataReplies.clear();
      drops.clear();
    },
    waitForMessages(count) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of server.connections) (c as unknown as { _socket: { destroy(): void } })._socket.destroy();
        server.close(() => resolve());
      }),
  };
}
