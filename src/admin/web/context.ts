// Small pieces the admin routes share: replying with a page, the core context (the session's actor),
// and reading ids and numbers from paths and forms.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, CoreContext } from '../../core/context.js';
import { type CoreError, HTTP_STATUS } from '../../core/errors.js';
import { HTML } from '../../http/page-kit.js';
import { type Frame, page } from './layout.js';
import { sessionOf } from './session.js';
import type { AdminDeps } from './types.js';

/** A refused change as the page shows it: the core's message, with the API's status for its code. */
export const problemOf = (err: CoreError) => ({ problem: err.message, status: HTTP_STATUS[err.code] });

export function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: string,
  opts: Omit<Frame, 'csrf'> & { status?: number } = {},
): FastifyReply {
  const { status = 200, ...frame } = opts;
  return reply
    .code(status)
    .type(HTML)
    .send(page(title, body, { ...frame, csrf: sessionOf(request).csrf }));
}

export const csrfOf = (request: FastifyRequest): string => sessionOf(request).csrf;

/** The context a page hands a use case: the session's actor (`web:<login>`). */
export function coreContext(deps: Pick<AdminDeps, 'db' | 'now' | 'log'>, request: FastifyRequest): CoreContext {
  return { db: deps.db, now: deps.now, log: deps.log, actor: sessionOf(request).actor as Actor };
}

/** A path id as a positive integer (within int4), or undefined (a 404). */
export function idParam(request: FastifyRequest): number | undefined {
  const raw = (request.params as { id?: string }).id ?? '';
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n <= 2_147_483_647 ? n : undefined;
}

export function notFound(request: FastifyRequest, reply: FastifyReply, what: string): FastifyReply {
  return sendPage(request, reply, 'Not found', `<h1>Not found</h1><p>There is no such ${what}; it may have been removed.</p>`, { status: 404 });
}

/** "See other" after a change, so reloading the page does not repeat it. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}

/** Lines or commas → trimmed, non-empty entries. */
export function listField(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
