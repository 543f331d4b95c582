// One error shape for every /api/v1 answer: {"error":{"code","message"}}. Store validation errors
// keep their own messages (they already say which field and what to use); anything unexpected
// becomes a 500 whose details go to the log only, never a stack trace in the body.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { CoreError, HTTP_STATUS } from '../../core/errors.js';
import { DuplicateSourceError } from '../../store/sources.js';
import { CsvError } from '../../subscribers/csv.js';
import { ImportFileError } from '../../subscribers/import.js';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiError(400, 'invalid', message);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { code, message } });
}

/** "filters.include[2]: expected a string" for the first few problems zod found. */
function zodMessage(err: ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => {
      const field = i.path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
      return `${field || 'body'}: ${i.message}`;
    })
    .join('; ');
}

// fastify's own client errors (bad JSON, wrong content type, too large) keep their status.
const FASTIFY_CODES: Record<number, string> = { 400: 'invalid', 404: 'not_found', 405: 'method_not_allowed', 413: 'too_large', 415: 'unsupported_media_type' };
const FASTIFY_HINTS: Record<number, string> = {
  413: 'The request body is too large for this route.',
  415: 'Unsupported Content-Type: JSON routes take application/json, CSV import text/csv, OPML import text/x-opml.',
};

export function classify(err: unknown): { status: number; code: string; message: string } | null {
  if (err instanceof ApiError) return { status: err.status, code: err.code, message: err.message };
  if (err instanceof CoreError) return { status: HTTP_STATUS[err.code], code: err.code, message: err.message };
  if (err instanceof ZodError) return { status: 400, code: 'invalid', message: zodMessage(err) };
  if (err instanceof ImportFileError || err instanceof CsvError) return { status: 400, code: 'invalid', message: err.message };
  if (err instanceof DuplicateSourceError)
    return { status: 409, code: 'duplicate', message: err.message.replace(/; see `tidings sources list`\./, '; see GET /api/v1/sources.') };
  const status = (err as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: FASTIFY_CODES[status] ?? 'bad_request', message: FASTIFY_HINTS[status] ?? (err as Error).message };
  }
  return null;
}

export function apiErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = classify(err);
  // Without the query string, like the rest of the server's log lines.
  const url = request.url.split('?')[0];
  if (known) {
    request.log.debug({ err: known.message, url }, 'admin API client error');
    return sendError(reply, known.status, known.code, known.message);
  }
  request.log.error({ err, url }, 'admin API request failed');
  return sendError(reply, 500, 'internal', 'The server could not complete the request; the details are in its log.');
}
