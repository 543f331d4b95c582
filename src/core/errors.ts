// One error type for every use case, with one code union that each front-end maps the same way:
// the API to an HTTP status, the CLI to an exit code, the bot and the admin pages to a message.
// The message is written for the person who asked: what was wrong and what to do instead.

export type CoreErrorCode =
  /** The input is malformed or out of range (a bad URL, cron, address, option). */
  | 'invalid'
  /** The thing named does not exist (newsletter, source, subscriber, alert). */
  | 'not_found'
  /** The change clashes with what is stored (duplicate URL or slug, a newsletter with digests). */
  | 'conflict'
  /** Valid input that policy refuses (a suppressed address, a local path from the web). */
  | 'refused'
  /** The outside side failed: a source that cannot be fetched or parsed during a test or add. */
  | 'upstream'
  /** A needed piece is not configured here (no SMTP postal address, no bot token, no LLM). */
  | 'unavailable';

export class CoreError extends Error {
  override readonly name = 'CoreError';
  constructor(
    readonly code: CoreErrorCode,
    message: string,
    /** The input field at fault, when one is (forms show the message beside it). */
    readonly field?: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string, field?: string) => new CoreError('invalid', message, field);
export const notFound = (message: string) => new CoreError('not_found', message);
export const conflict = (message: string) => new CoreError('conflict', message);
export const refused = (message: string) => new CoreError('refused', message);
export const upstream = (message: string) => new CoreError('upstream', message);
export const unavailable = (message: string) => new CoreError('unavailable', message);

/** The JSON API's status for each code. */
export const HTTP_STATUS: Readonly<Record<CoreErrorCode, number>> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  refused: 422,
  upstream: 422,
  unavailable: 503,
};

/** The CLI's exit code for each code: 2 is "you asked for something that cannot be done as asked". */
export const EXIT_CODE: Readonly<Record<CoreErrorCode, number>> = {
  invalid: 2,
  not_found: 2,
  conflict: 2,
  refused: 2,
  upstream: 1,
  unavailable: 2,
};

export function isCoreError(err: unknown): err is CoreError {
  return err instanceof CoreError;
}
