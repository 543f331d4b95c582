// A hand-scripted SMTP server on 127.0.0.1 for the protocol corners smtp-server does not show
// (HELO-only servers, multi-line refusals, a 421 mid-session, silence). Every command is recorded
// with the read that carried it, so a test can tell whether the client pipelined:
//
//   const server = await startScriptedSmtp({
//     extensions: [],                                       // no PIPELINING
//     reply: (cmd) => (cmd.startsWith('RCPT') ? '550-5.1.1 No such\r\n550 5.1.1 user' : undefined),
//   });
//   server.commands  // [{ line: 'EHLO …', read: 1, connection: 1 }, …]
//   server.messages  // the data of each message, as received (still dot-stuffed)
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';

export interface ScriptedCommand {
  line: string;
  /** Which read from the socket carried it: two commands with the same number came together. */
  read: number;
  connection: number;
}

/** A reply (lines joined by CRLF, without the last one), 'close' (hang up), or 'hang' (say nothing). */
export type ScriptedReply = string | 'close' | 'hang' | { reply: string; close: true };

export interface ScriptedOptions {
  /** The greeting; null: never greet. */
  greeting?: string | null;
  /** EHLO keywords after the first line (default PIPELINING); null: EHLO is refused with 502. */
  extensions?: string[] | null;
  /** Overrides the default reply to a command; undefined keeps the default. */
  reply?: (line: string, ctx: { connection: number; message: number }) => ScriptedReply | undefined;
  /** The reply after a message's data (default 250); `message` counts from 1 over all connections. */
  afterData?: (ctx: { connection: number; message: number }) => ScriptedReply | undefined;
}

export interface ScriptedSmtp {
  url: string;
  commands: ScriptedCommand[];
  messages: { data: Buffer; connection: number }[];
  connections(): number;
  close(): Promise<void>;
}

const TERMINATOR = Buffer.from('\r\n.\r\n');

export async function startScriptedSmtp(opts: ScriptedOptions = {}): Promise<ScriptedSmtp> {
  const commands: ScriptedCommand[] = [];
  const messages: { data: Buffer; connection: number }[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let reads = 0;

  const defaults = (line: string): string => {
    const verb = line.slice(0, 4).toUpperCase();
    if (verb === 'EHLO') {
      if (opts.extensions === null) return '502 5.5.1 EHLO not implemented';
      const lines = ['scripted.test', ...(opts.extensions ?? ['PIPELINING'])];
      return lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}`).join('\r\n');
    }
    if (verb === 'DATA') return '354 go ahead';
    if (verb === 'QUIT') return '221 bye';
    if (['HELO', 'MAIL', 'RCPT', 'RSET', 'NOOP'].includes(verb)) return '250 2.0.0 ok';
    return '502 5.5.2 unknown command';
  };

  const server: Server = createServer((socket) => {
    const connection = ++connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let data: Buffer | undefined;
    let pending = '';
    const answer = (r: ScriptedReply) => {
      if (r === 'hang') return;
      if (r === 'close') return void socket.destroy();
      if (typeof r === 'string') return void socket.write(`${r}\r\n`);
      socket.end(`${r.reply}\r\n`);
    };
    if (opts.greeting !== null) socket.write(`${opts.greeting ?? '220 scripted.test ESMTP'}\r\n`);
    socket.on('data', (chunk: Buffer) => {
      const read = ++reads;
      let rest = chunk;
      while (rest.length) {
        if (data) {
          // A terminator split across reads is found in the whole buffer so far.
          data = Buffer.concat([data, rest]);
          rest = Buffer.alloc(0);
          const end = data.indexOf(TERMINATOR);
          if (end < 0) break;
          messages.push({ data: data.subarray(2, end + 2), connection });
          rest = data.subarray(end + TERMINATOR.length);
          data = undefined;
          answer(opts.afterData?.({ connection, message: messages.length }) ?? '250 2.0.0 queued as scripted');
          continue;
        }
        pending += rest.toString('latin1');
        rest = Buffer.alloc(0);
        const nl = pending.indexOf('\r\n');
        if (nl < 0) break;
        const line = pending.slice(0, nl);
        rest = Buffer.from(pending.slice(nl + 2), 'latin1');
        pending = '';
        commands.push({ line, read, connection });
        const r = opts.reply?.(line, { connection, message: messages.length + 1 }) ?? defaults(line);
        answer(r);
        if (r === '354 go ahead' || (typeof r === 'string' && r.startsWith('354'))) data = Buffer.from('\r\n');
        if (line.toUpperCase() === 'QUIT') socket.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    commands,
    messages,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
