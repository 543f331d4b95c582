// `tidings admin password` and `tidings admin token`: make the admin credentials for .env. The
// password is typed twice with echo off (or piped in, one line); only its scrypt hash is printed.
// Neither command needs a config or a database, so they work before Tidings is set up.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { hashPassword, weakPasswordReason } from '../admin/password.js';
import { action, UsageError } from './context.js';

/** What readHidden needs of a terminal: process.stdin when it is a TTY. */
export interface RawInput {
  setRawMode(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  resume(): unknown;
  pause(): unknown;
  on(event: 'data', fn: (chunk: string) => void): unknown;
  off(event: 'data', fn: (chunk: string) => void): unknown;
}

const CANCELLED = 'Cancelled; nothing was made.';

/** Reads one line from a terminal without echoing it. Backspace and Ctrl-U edit; Ctrl-C cancels. */
export function readHidden(prompt: string, input: RawInput, output: NodeJS.WritableStream): Promise<string> {
  output.write(prompt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let chars: string[] = [];
    const finish = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(chars.join(''));
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || (ch === '\u0004' && chars.length === 0)) return finish(new UsageError(CANCELLED));
        if (ch === '\u0004') return finish();
        if (ch === '\u007f' || ch === '\b') chars.pop();
        else if (ch === '\u0015') chars = [];
        // An arrow or function key: its escape sequence arrives as one chunk and is no input.
        else if (ch === '\u001b') break;
        else if (ch >= ' ') chars.push(ch);
      }
    };
    input.on('data', onData);
  });
}

async function readPipedLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) text += String(chunk);
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '') throw new UsageError('No password on stdin: pipe one line, e.g. `printf %s "$PASSWORD" | tidings admin password`, or run it in a terminal.');
  return line;
}

async function newPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return readPipedLine(stdin);
  const first = await readHidden('New admin password: ', stdin, process.stderr);
  const weak = weakPasswordReason(first);
  if (weak) throw new UsageError(weak);
  const again = await readHidden('Repeat it: ', stdin, process.stderr);
  if (again !== first) throw new UsageError('The two passwords differ; nothing was made. Run the command again.');
  return first;
}

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('Make credentials for the admin web UI and API.');

  admin
    .command('password')
    .description('Hash a new admin password for ADMIN_PASSWORD_HASH (asked twice in a terminal, or one line on stdin).')
    .action(
      action(async () => {
        const password = await newPassword();
        const weak = weakPasswordReason(password);
        if (weak) throw new UsageError(weak);
        process.stdout.write(`ADMIN_PASSWORD_HASH=${await hashPassword(password)}\n`);
        process.stderr.write('Put this line in .env (or the environment) and restart Tidings. In a docker compose file, write each $ as $$.\n');
      }),
    );

  admin
    .command('token')
    .description('Make a random admin API token for ADMIN_TOKEN.')
    .action(
      action(async () => {
        process.stdout.write(`ADMIN_TOKEN=${randomBytes(32).toString('hex')}\n`);
        process.stderr.write('Put this line in .env (or the environment) and restart Tidings; send it as "Authorization: Bearer <token>" to /api/v1.\n');
      }),
    );
}
