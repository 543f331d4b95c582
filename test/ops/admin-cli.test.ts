// `tidings admin password` / `tidings admin token` as an admin runs them (the real binary), and
// the hidden terminal prompt driven in-process with a raw-mode stream.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parsePasswordHash, verifyPassword } from '../../src/admin/password.js';
import { readHidden } from '../../src/cli/admin.js';
import { loadConfig } from '../../src/config/index.js';
import { runCli } from '../support/cli.js';

const PASSWORD = 'correct horse battery staple';

/** A stream that behaves like a TTY in raw mode and remembers whether raw mode is on. */
function fakeTty() {
  const input = Object.assign(new PassThrough(), {
    raw: false,
    setRawMode(mode: boolean) {
      input.raw = mode;
      return input;
    },
  });
  const output = new PassThrough();
  let written = '';
  output.on('data', (d) => (written += d));
  return { input, output, written: () => written };
}

describe('tidings admin', { timeout: 60_000 }, () => {
  it('password: hashes one piped line into ADMIN_PASSWORD_HASH that the config accepts and that verifies', async () => {
    const r = await runCli(['admin', 'password'], {}, undefined, `${PASSWORD}\nignored second line\n`);
    expect(r.code, r.stderr).toBe(0);
    const m = /^ADMIN_PASSWORD_HASH=(scrypt\$\S+)\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(r.stderr).toContain('.env');
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    const parsed = parsePasswordHash(m![1]!)!;
    expect(await verifyPassword(PASSWORD, parsed)).toBe(true);
    expect(await verifyPassword('ignored second line', parsed)).toBe(false);
    expect(loadConfig({ ADMIN_PASSWORD_HASH: m![1]! }).admin.passwordHash).toBeDefined();
  });

  it('password: refuses a weak one or none, saying why, and prints no hash', async () => {
    const weak = await runCli(['admin', 'password'], {}, undefined, 'short\n');
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/at least 12 characters/);
    expect(weak.stdout).toBe('');
    const none = await runCli(['admin', 'password'], {}, undefined, '');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No password on stdin/);
    expect(none.stderr).not.toMatch(/\n\s+at /);
  });

  it('token: prints a fresh 64-hex ADMIN_TOKEN that the config accepts', async () => {
    const [a, b] = await Promise.all([runCli(['admin', 'token']), runCli(['admin', 'token'])]);
    expect(a.code, a.stderr).toBe(0);
    const token = /^ADMIN_TOKEN=([0-9a-f]{64})\n$/.exec(a.stdout)![1]!;
    expect(b.stdout).not.toContain(token);
    expect(loadConfig({ ADMIN_TOKEN: token }).admin.token).toBe(token);
  });
});

describe('readHidden', () => {
  it('reads a line with echo off: backspace and Ctrl-U edit, arrow keys are ignored, raw mode ends', async () => {
    const t = fakeTty();
    const line = readHidden('Password: ', t.input, t.output);
    expect(t.input.raw).toBe(true);
    t.input.write('wrong');
    t.input.write('\u0015');
    t.input.write('secrex\u007ft');
    t.input.write('\u001b[A');
    t.input.write('!\r');
    expect(await line).toBe('secret!');
    expect(t.input.raw).toBe(false);
    expect(t.written()).toBe('Password: \n');
  });

  it('Ctrl-C cancels with a clear message', async () => {
    const t = fakeTty();
    const line = readHidden('Password: ', t.input, t.output);
    t.input.write('abc\u0003');
    await expect(line).rejects.toThrow(/Cancelled/);
    expect(t.input.raw).toBe(false);
  });
});
