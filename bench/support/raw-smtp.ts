// The send benchmark's baseline: the fastest plain SMTP client we can write. One prebuilt message
// (dot-stuffed once), a few connections, and PIPELINING used as far as RFC 2920 allows: the end
// of one message goes out together with the next MAIL FROM, RCPT TO and DATA, so each message
// costs one round trip (the wait for 354) and no per-message work at all.
import { type Socket, connect } from 'node:net';

export interface RawSmtpOptions {
  host: string;
  port: number;
  /** Messages in total, spread over the connections. */
  messages: number;
  connections: number;
  /**
   * The whole message (headers and body) as it should arrive: one prebuilt Buffer (the
   * baseline), or a function building message i (to measure a builder without any SMTP library).
   */
  message: Buffer | ((i: number) => Buffer);
  from?: string;
  to?: string;
}

export interface RawSmtpResult {
  messages: number;
  ms: number;
  perSecond: number;
}

/** Lines starting with "." doubled (RFC 5321 4.5.2), CRLF at the end: ready to stream after 354. */
export function dotStuff(message: Buffer): Buffer {
  let text = message.toString('latin1').replace(/(^|\r\n)\./g, '$1..');
  if (!text.endsWith('\r\n')) text += '\r\n';
  return Buffer.from(text, 'latin1');
}

/** Collects complete replies ("250 …", the last line of a multi-line one) as the server sends them. */
function replyReader(socket: Socket, onReply: (code: number, text: string) => void): void {
  let buffered = '';
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    for (let nl = buffered.indexOf('\r\n'); nl >= 0; nl = buffered.indexOf('\r\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 2);
      if (line.length >= 3 && line[3] !== '-') onReply(Number(line.slice(0, 3)), line);
    }
  });
}

/** Ready to stream: stuffed only when needed (a native search), which a built digest never is. */
function ready(message: Buffer): Buffer {
  return message[0] === 0x2e || message.indexOf('\n.') >= 0 || !message.subarray(-2).equals(CRLF) ? dotStuff(message) : message;
}

const CRLF = Buffer.from('\r\n');

function runConnection(opts: RawSmtpOptions, body: (i: number) => Buffer, take: () => number): Promise<number> {
  const envelope = Buffer.from(`MAIL FROM:<${opts.from ?? 'bench@sender.example'}>\r\nRCPT TO:<${opts.to ?? 'reader@bench.example'}>\r\nDATA\r\n`, 'latin1');
  const endAndNext = Buffer.concat([Buffer.from('.\r\n'), envelope]);
  const end = Buffer.from('.\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: opts.host, port: opts.port, noDelay: true });
    let sent = 0;
    let next = -1;
    // What the next replies answer, in order.
    const expected: string[] = ['greeting'];
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.on('error', fail);
    replyReader(socket, (code, line) => {
      const what = expected.shift();
      if (code >= 400) return fail(new Error(`raw smtp: ${what} refused: ${line}`));
      if (what === 'greeting') {
        expected.push('ehlo');
        socket.write('EHLO bench.client\r\n');
      } else if (what === 'ehlo') {
        next = take();
        if (next < 0) {
          expected.push('quit');
          socket.write('QUIT\r\n');
          return;
        }
        expected.push('mail', 'rcpt', 'data');
        socket.write(envelope);
      } else if (what === 'data') {
        const message = body(next);
        next = take();
        const more = next >= 0;
        socket.cork();
        socket.write(message);
        socket.write(more ? endAndNext : end);
        socket.uncork();
        expected.push('message');
        if (more) expected.push('mail', 'rcpt', 'data');
      } else if (what === 'message') {
        sent++;
        if (!expected.length) {
          expected.push('quit');
          socket.write('QUIT\r\n');
        }
      } else if (what === 'quit') {
        socket.end();
        resolve(sent);
      }
    });
  });
}

/** Sends `messages` copies of `message` to host:port and reports the throughput. */
export async function rawSmtpThroughput(opts: RawSmtpOptions): Promise<RawSmtpResult> {
  const fixed = typeof opts.message === 'function' ? undefined : dotStuff(opts.message);
  const build = opts.message;
  const body = fixed ? () => fixed : (i: number) => ready((build as (i: number) => Buffer)(i));
  let taken = 0;
  // The index of the next message to send, or -1 when all are taken.
  const take = () => (taken < opts.messages ? taken++ : -1);
  const t0 = performance.now();
  const counts = await Promise.all(Array.from({ length: opts.connections }, () => runConnection(opts, body, take)));
  const ms = performance.now() - t0;
  const messages = counts.reduce((a, b) => a + b, 0);
  return { messages, ms, perSecond: (messages * 1000) / ms };
}
