// The end-to-end bench's SMTP sink: smtp-sink-server.ts's (accepts everything, PIPELINING,
// one write per read) reading each message's Message-ID as well, so the bench can prove
// exactly-once delivery: as many distinct Message-IDs as ledger rows, and no duplicates. Only
// the header block is kept per message; the body streams past. Run as a child process
// (startCountingSink) so its CPU is not the sender's; "stats" and "reset" go over IPC.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sinkServer } from './smtp-sink-server.js';

export interface SinkStats {
  accepted: number;
  distinct: number;
  duplicates: number;
  /** Messages without a readable Message-ID header. */
  missing: number;
}

const MESSAGE_ID = /^message-id:[ \t]*(<[^>\r\n]+>)/im;

function countingSink() {
  const ids = new Set<string>();
  const stats: SinkStats = { accepted: 0, distinct: 0, duplicates: 0, missing: 0 };
  const received = (head: string) => {
    stats.accepted++;
    const blank = head.indexOf('\r\n\r\n');
    const match = MESSAGE_ID.exec(blank < 0 ? head : head.slice(0, blank + 2))?.[1];
    // A copy: V8's substring would keep the whole header block alive in the set.
    const id = match && Buffer.from(match, 'latin1').toString('latin1');
    if (!id) stats.missing++;
    else if (ids.has(id)) stats.duplicates++;
    else ids.add(id);
    stats.distinct = ids.size;
  };
  const { server } = sinkServer({ onHead: received });
  return {
    server,
    stats: () => ({ ...stats }),
    reset() {
      ids.clear();
      Object.assign(stats, { accepted: 0, distinct: 0, duplicates: 0, missing: 0 });
    },
  };
}

export interface CountingSink {
  host: string;
  port: number;
  stats(): Promise<SinkStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startCountingSink(): Promise<CountingSink> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const rl = createInterface({ input: child.stdout! });
  const [line] = (await once(rl, 'line')) as [string];
  rl.close();
  const ask = async (what: 'stats' | 'reset') => {
    child.send(what);
    return ((await once(child, 'message')) as [SinkStats])[0];
  };
  return {
    host: '127.0.0.1',
    port: (JSON.parse(line) as { port: number }).port,
    stats: () => ask('stats'),
    reset: async () => void (await ask('reset')),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill();
      await once(child, 'exit');
    },
  };
}

if (process.argv[2] === '--serve') {
  const sink = countingSink();
  sink.server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (sink.server.address() as { port: number }).port })}\n`));
  process.on('message', (what) => {
    if (what === 'reset') sink.reset();
    process.send?.(sink.stats());
  });
  process.on('disconnect', () => process.exit(0));
}
