// A minimal, fast SMTP sink for the send benchmark: accepts everything, discards message data
// as it streams past (only the 5-byte terminator is looked for, natively), supports PIPELINING
// and answers each read's commands in one write. Run as a child process (startSinkProcess) so
// its CPU does not count against the sender being measured; it prints its port on stdout and
// answers "count" over IPC with the messages accepted so far.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { type Server, type Socket, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const TERMINATOR = Buffer.from('\r\n.\r\n');
const EHLO = '250-sink.bench\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n';

/**
 * Where the data ends (just past CRLF.CRLF) in `chunk` from `pos`, or -1. `tail` holds the last
 * bytes before `pos` (at most 4), so a terminator split across reads is still found.
 */
function dataEnd(tail: Buffer, chunk: Buffer, pos: number): number {
  if (tail.length) {
    const i = Buffer.concat([tail, chunk.subarray(pos, pos + 4)]).indexOf(TERMINATOR);
    if (i >= 0) return pos + i + TERMINATOR.length - tail.length;
  }
  const j = chunk.indexOf(TERMINATOR, pos);
  return j < 0 ? -1 : j + TERMINATOR.length;
}

const BLANK_LINE = Buffer.from('\r\n\r\n');
const HEAD_MAX = 32_768;

/**
 * In-process sink; `accepted()` counts messages answered with 250. With `onHead`, each
 * message's header block (up to its blank line, at most 32 KB) is read into a string and
 * handed over when the message is accepted; the body still streams past unconverted.
 */
export function sinkServer(opts: { onHead?: (head: string) => void } = {}): { server: Server; accepted: () => number } {
  const { onHead } = opts;
  let accepted = 0;
  const server = createServer((socket: Socket) => {
    socket.setNoDelay(true);
    let inData = false;
    // The last bytes of the previous chunk, so a terminator split across reads is still found.
    let tail = Buffer.alloc(0);
    let line = '';
    let head = '';
    let headDone = true;
    socket.write('220 sink.bench ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      let out = '';
      let pos = 0;
      while (pos < chunk.length) {
        if (inData) {
          const end = dataEnd(tail, chunk, pos);
          if (!headDone) {
            const stop = Math.min(end < 0 ? chunk.length : end, pos + HEAD_MAX);
            const blank = chunk.indexOf(BLANK_LINE, pos);
            headDone = blank >= 0 && blank < stop;
            head += chunk.toString('latin1', pos, headDone ? blank + 2 : stop);
            headDone ||= head.includes('\r\n\r\n') || head.length >= HEAD_MAX;
          }
          if (end < 0) {
            tail = chunk.length - pos >= 4 ? Buffer.from(chunk.subarray(chunk.length - 4)) : Buffer.concat([tail, chunk.subarray(pos)]).subarray(-4);
            break;
          }
          pos = end;
          inData = false;
          accepted++;
          onHead?.(head);
          out += '250 2.0.0 Ok: queued\r\n';
          continue;
        }
        const nl = chunk.indexOf(10, pos);
        if (nl < 0) {
          line += chunk.toString('latin1', pos);
          break;
        }
        line += chunk.toString('latin1', pos, nl + 1);
        pos = nl + 1;
        const verb = line.slice(0, 4).toUpperCase();
        line = '';
        if (verb === 'MAIL' || verb === 'RCPT' || verb === 'RSET' || verb === 'NOOP' || verb === 'HELO') out += '250 2.0.0 Ok\r\n';
        else if (verb === 'EHLO') out += EHLO;
        else if (verb === 'DATA') {
          out += '354 End data with <CR><LF>.<CR><LF>\r\n';
          inData = true;
          // The DATA line's own CRLF starts the data: an empty message is ".\r\n" right away.
          tail = Buffer.from('\r\n');
          head = '';
          headDone = !onHead;
        } else if (verb === 'QUIT') {
          socket.end(`${out}221 2.0.0 Bye\r\n`);
          return;
        } else out += '502 5.5.2 Command not recognized\r\n';
      }
      if (out) socket.write(out);
    });
    socket.on('error', () => {});
  });
  return { server, accepted: () => accepted };
}

export interface SinkProcess {
  host: string;
  port: number;
  /** Messages the sink has answered with 250 so far. */
  accepted(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the sink in a child process on 127.0.0.1 (an ephemeral port). */
export async function startSinkProcess(): Promise<SinkProcess> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const rl = createInterface({ input: child.stdout! });
  const [line] = (await once(rl, 'line')) as [string];
  rl.close();
  const { port } = JSON.parse(line) as { port: number };
  return {
    host: '127.0.0.1',
    port,
    async accepted() {
      child.send('count');
      const [msg] = (await once(child, 'message')) as [{ accepted: number }];
      return msg.accepted;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill();
      await once(child, 'exit');
    },
  };
}

// Only when run as the child process itself, not when e2e-sink.ts imports sinkServer.
if (process.argv[2] === '--serve' && process.argv[1] === fileURLToPath(import.meta.url)) {
  const { server, accepted } = sinkServer();
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
  });
  process.on('message', () => process.send?.({ accepted: accepted() }));
  process.on('disconnect', () => process.exit(0));
}
