// What the admin API's routes share: their deps, request-body and path helpers, and the core
// context a use case gets (actor "api:token"; the use case writes the audit row).
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { CoreContext } from '../../core/context.js';
import type { BuildDeps } from '../../digest/build.js';
import type { SenderInfo } from '../../digest/model.js';
import type { Logger } from '../../log.js';
import type { Fetcher, Reader, SourceKind } from '../../sources/types.js';
import type { Database } from '../../store/schema.js';
import { ApiError, badRequest } from './errors.js';

export interface AdminApiOptions {
  /** ADMIN_TOKEN; absent: every /api/v1 route answers 503 saying to set it. */
  token: string | undefined;
  /** How send-now and preview build a digest (digestDeps without db/now/log). */
  digests: Pick<BuildDeps, 'render' | 'archiveUrl' | 'createLedger'>;
  /** Wakes this process's delivery loops after a send-now (absent: they find the rows when idle). */
  wake?: () => void;
  /** For POST /sources/test and `test: true` on POST /sources. */
  fetcher: Fetcher;
  readers: Record<SourceKind, Reader>;
  /** Minutes between fetches of a source added without `intervalMinutes` (SOURCE_INTERVAL_MINUTES). */
  sourceIntervalMinutes: number;
}

export interface ApiDeps extends AdminApiOptions {
  db: Kysely<Database>;
  log: Logger;
  now: () => Date;
  /** Whose footer a preview shows, and where its links point. */
  sender: SenderInfo;
}

export const ACTOR = 'api:token';

/** The context the API hands a use case: the token's actor. */
export function coreContext(deps: ApiDeps): CoreContext {
  return { db: deps.db, now: deps.now, log: deps.log, actor: ACTOR };
}

function isJson(request: FastifyRequest): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\s*(;|$)/i.test(request.headers['content-type'] ?? '');
}

/**
 * The body of a JSON route checked against `schema`. Bodies of the text routes' types (CSV,
 * OPML) are parsed too in this context, so a JSON route must refuse them itself. An absent body
 * counts as `{}` for routes whose fields are all optional.
 */
export function jsonBody<T extends z.ZodType>(request: FastifyRequest, schema: T): z.infer<T> {
  const present = request.body !== undefined && request.body !== null;
  if (present && !isJson(request)) throw new ApiError(415, 'unsupported_media_type', 'This route takes a JSON body: send Content-Type: application/json.');
  return schema.parse(present ? request.body : {});
}

/** The raw body of a text route (CSV, OPML), refusing any other content type. */
export function textBody(request: FastifyRequest, types: readonly string[]): Buffer {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!types.includes(type) || !Buffer.isBuffer(request.body)) {
    throw new ApiError(415, 'unsupported_media_type', `This route takes a ${types.join(' or ')} body (Content-Type: ${types[0]}).`);
  }
  return request.body;
}

/** A positive whole-number path parameter, or a 400 naming it. */
export function idParam(request: FastifyRequest, name = 'id'): number {
  const raw = (request.params as Record<string, string>)[name] ?? '';
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw badRequest(`${name} in the path must be a whole number ≥ 1, got "${raw.slice(0, 40)}"`);
  return Number(raw);
}

export function rawParam(request: FastifyRequest, name: string): string {
  return (request.params as Record<string, string>)[name] ?? '';
}

/** The query string checked against `schema` (field names in errors are the parameter names). */
export function queryOf<T extends z.ZodType>(request: FastifyRequest, schema: T): z.infer<T> {
  return schema.parse(request.query ?? {});
}

/** Stored timestamps are ISO text already; this only normalizes them (and keeps null). */
export function iso(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}
