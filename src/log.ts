// One logger for the process. Secrets are redacted by path so that a config object, an error
// carrying a URL with a token, or request headers can be logged without leaking them.
import pino, { type Logger } from 'pino';

export type { Logger };

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

export function createLogger(opts: { level: string; pretty?: boolean; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    { level: opts.level, redact: { paths: REDACT_PATHS, censor: '<redacted>' }, base: undefined },
    (opts.destination ?? pino.destination({ dest: 2, sync: true })) as pino.DestinationStream,
  );
}

/** A logger that drops everything: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
