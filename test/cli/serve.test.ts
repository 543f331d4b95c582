import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../support/cli.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  // A failed assertion must not leave a server behind.
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Served {
  child: ChildProcess;
  url: string;
  output: () => { stdout: string; stderr: string };
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `tidings serve` as a child process, resolved once it prints the address it listens on. */
function serve(args: string[], env: Record<string, string>): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
      stdout += d;
      const m = /Serving the archive at (http:\/\/\S+?)\/ /.exec(stdout);
      if (m) resolve({ child, url: m[1]!, output: () => ({ stdout, stderr }), exit });
    });
    void exit.then(({ code }) => reject(new Error(`serve exited (${code}) before listening: ${stderr}`)));
  });
}

describe('tidings serve', { timeout: 120_000 }, () => {
  it('serves the archive on the given host and port, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-serve-'));
    dirs.push(dir);
    const env = { TIDINGS_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    // One ready digest to find in the archive.
    expect((await runCli(['start', '--once'], env)).code).toBe(0);

    const server = await serve(['--host', '127.0.0.1', '--port', '0'], env);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<a href="/n/industry-news">Industry News</a>');
    const digest = await fetch(`${server.url}/n/industry-news/1`);
    expect(digest.status).toBe(200);
    expect(await digest.text()).toContain('Mills stock up on cotton as futures extend gains');

    server.child.kill('SIGTERM');
    expect(await server.exit).toEqual({ code: 0, signal: null });
    expect(server.output().stdout).toContain('Stopped (SIGTERM).');
    expect(server.output().stderr).not.toMatch(/error|deprecat/i);
  });

  it('stops on SIGINT too, and names a port already in use in one line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-serve-'));
    dirs.push(dir);
    const env = { TIDINGS_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    const first = await serve(['--port', '0'], env);
    const port = new URL(first.url).port;
    const busy = await runCli(['serve', '--port', port], env);
    expect(busy.code).toBe(2);
    expect(busy.stderr.trim()).toBe(`error: 127.0.0.1:${port} is already in use; choose another port with --port or HTTP_PORT`);
    first.child.kill('SIGINT');
    expect((await first.exit).code).toBe(0);
    expect(first.output().stdout).toContain('Stopped (SIGINT).');
  });
});
