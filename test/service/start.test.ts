// `npm start` as a new user runs it: on an empty data folder the service runs the pipeline once
// (examples, digest, where to look), serves the web pages with /readyz and the admin login, and
// stops on SIGTERM with exit code 0. A second start goes straight to the service.
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { BIN, ROOT } from '../support/cli.js';
import { tempDirs } from '../support/temp-dirs.js';

const dataDir = tempDirs('start');

async function runUntilUp(env: Record<string, string>): Promise<{ stdout: string; code: number | null; readyz: unknown; admin: number; refused: string }> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /Tidings is running: .*· (http:\/\/\S+)\/\./.exec(stdout);
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`exited early:\n${stdout}\n${stderr}`));
      }
    }, 50);
  });
  const readyz = await (await fetch(`${url}/readyz`)).json();
  const admin = (await fetch(`${url}/admin`, { redirect: 'manual' })).status;
  const refused = await (await fetch(`${url}/api/v1/newsletters`)).text();
  child.kill('SIGTERM');
  const code = await exited;
  return { stdout, code, readyz, admin, refused };
}

it('npm start: first run shows the result and keeps serving; SIGTERM stops it cleanly', { timeout: 120_000 }, async () => {
  const env = { TIDINGS_DATA_DIR: dataDir(), LOG_LEVEL: 'warn' };
  const first = await runUntilUp(env);
  expect(first.code, first.stdout).toBe(0);
  expect(first.stdout).toContain('added the bundled examples');
  expect(first.stdout).toContain('Open the digest:');
  expect(first.stdout).toContain('Where to look');
  expect(first.stdout).toMatch(/Tidings is running: email delivery, ingest, scheduler, web/);
  expect(first.stdout).toContain('Stopped (SIGTERM).');
  expect(first.readyz).toMatchObject({ ready: true });
  // No admin credential configured: the admin pages explain how to set one, the API stays shut.
  expect(first.admin).toBe(200);
  expect(first.refused).toContain('ADMIN_TOKEN');

  const second = await runUntilUp(env);
  expect(second.code).toBe(0);
  expect(second.stdout).not.toContain('added the bundled examples');
  expect(second.stdout).toMatch(/^Tidings is running/);
});
