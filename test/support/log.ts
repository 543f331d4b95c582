// A real pino logger writing into memory, so a test can assert what was logged (and what never was).
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';

export function capturingLogger(level = 'info'): { log: Logger; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ level, destination }), text: () => lines.join('') };
}
