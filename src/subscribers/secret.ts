// The key behind every signed link. An admin may set TIDINGS_SECRET; the embedded default keeps
// a random key in the data folder instead, so a fresh install works and its links survive
// restarts. Losing the key voids every unsubscribe link already mailed: back it up with the data.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MIN_SECRET_BYTES } from './tokens.js';

export const SECRET_FILE = 'secret.key';

export function loadSecret(opts: { secret: string | undefined; dataDir: string }): Buffer {
  if (opts.secret !== undefined) return Buffer.from(opts.secret, 'utf8');
  const file = path.join(opts.dataDir, SECRET_FILE);
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    if (key.length >= MIN_SECRET_BYTES) return key;
    throw new Error(`${file} holds fewer than ${MIN_SECRET_BYTES} bytes of key: restore it from a backup, or set TIDINGS_SECRET`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const key = randomBytes(MIN_SECRET_BYTES);
  // 'wx': two processes starting at once must not each write a different key.
  try {
    writeFileSync(file, `${key.toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadSecret(opts);
    throw err;
  }
}
