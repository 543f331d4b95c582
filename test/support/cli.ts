// Runs the real `tidings` entry point in a child process, as a user would.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The published entry point: the build in dist/ (rebuilt first when src/ is newer). */
export const REAL_BIN = fileURLToPath(new URL('../../bin/tidings.js', import.meta.url));
/** What the tests run: the same build, made once for this test run (cli-build.ts), or the real one. */
export const BIN = process.env.TIDINGS_TEST_CLI ?? REAL_BIN;
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `input`, when given, is the command's stdin; otherwise stdin is empty. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT, input?: string, bin = BIN): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // Only what the command needs: no stray DATABASE_URL or LOG_LEVEL from the developer's shell.
    const base = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR };
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    // A command that exits without reading its stdin must not turn EPIPE into a test crash.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The sender settings a service needs before it mails anyone (README: "before sending anything"). */
export const MAIL_ENV = {
  MAIL_FROM: 'news@news.example.org',
  MAIL_FROM_NAME: 'News',
  TIDINGS_PUBLIC_URL: 'https://news.example.org',
  TIDINGS_POSTAL_ADDRESS: '1 Mill Lane, Springfield',
} as const;

export interface RunningCli {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

/** A long-running command (`start`, `serve`, `bot`) in the background, with only the given env. */
export function spawnCli(args: string[], env: Record<string, string | undefined>): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => output };
}
