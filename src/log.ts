// One logger for the process: JSON lines with level, time and msg. Secrets are redacted twice:
// by path, so a config object or request headers can be logged whole, and by value, on the
// finished line, because a library's error message can quote a URL with a password or the bot
// token in it under any key (err.message, a stack, a "cause").
import pino, { type Logger } from 'pino';
import { secretScrubber, secretValues } from './ops/log-secrets.js';

export type { Logger };
export { secretValues };

export const REDACT_PATHS = [
  '*.password',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  'config.databaseUrl',
  'config.smtpUrl',
];

export interface LoggerOptions {
  level: string;
  /** Values replaced by <redacted> wherever they appear; default: the secret settings in process.env. */
  secrets?: readonly (string | undefined)[];
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const inner = (opts.destination ?? pino.destination({ dest: 2, sync: true })) as pino.DestinationStream;
  const scrub = secretScrubber(opts.secrets ?? secretValues(process.env));
  // pino hands the destination each finished line: one pass over it, no re-serialising.
  const destination = {
    write: (line: string) => inner.write(scrub(line)),
    // logger.flush() reaches the real stream (an asynchronous one may hold lines).
    flush: (cb?: (err?: Error) => void) => {
      const f = (inner as { flush?: (cb?: (err?: Error) => void) => void }).flush;
      if (f) f.call(inner, cb);
      else cb?.();
    },
  };
  return pino({ level: opts.level, redact: { paths: REDACT_PATHS, censor: '<redacted>' }, base: undefined }, destination);
}

/** A logger that drops everything: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
