// Bearer-token authentication for /api/v1. The token is compared in constant time and never
// logged; without ADMIN_TOKEN the API is closed (503), never open. Refused attempts are logged
// and audited, but through a rate limit: a flood of bad requests must not fill the audit table
// or the log, so past the limit they are only counted and the count rides on the next line.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { slidingWindowLimiter } from '../../http/rate-limit.js';
import { recordAudit } from '../../core/audit.js';
import { tokenMatches } from '../password.js';
import type { ApiDeps } from './context.js';
import { sendError } from './errors.js';

// Per client address, and for everyone together (a flood spread over many addresses).
const PER_CLIENT = { limit: 5, windowMs: 60_000 };
const OVERALL = { limit: 60, windowMs: 60_000 };

export const NOT_CONFIGURED =
  'The admin API is off: no ADMIN_TOKEN is set. Set ADMIN_TOKEN in .env to a random value (e.g. `openssl rand -hex 32`) and restart.';

function bearerOf(request: FastifyRequest): string | null {
  const m = /^Bearer +([^\s]+) *$/i.exec(request.headers.authorization ?? '');
  return m ? m[1]! : null;
}

type Refusal = 'missing' | 'malformed' | 'wrong';

function refusalOf(request: FastifyRequest, token: string): Refusal | null {
  const header = request.headers.authorization;
  if (header === undefined) return 'missing';
  const given = bearerOf(request);
  if (given === null) return 'malformed';
  return tokenMatches(given, token) ? null : 'wrong';
}

const MESSAGES: Record<Refusal, string> = {
  missing: 'Authentication required: send the admin token as `Authorization: Bearer <ADMIN_TOKEN>` (never in the URL).',
  malformed: 'The Authorization header is not `Bearer <ADMIN_TOKEN>`.',
  wrong: 'The bearer token is not the admin token (ADMIN_TOKEN).',
};

/** An onRequest hook that answers 503 or 401 unless the request carries the admin token. */
export function bearerAuth(deps: ApiDeps) {
  const perClient = slidingWindowLimiter(PER_CLIENT);
  const overall = slidingWindowLimiter(OVERALL);
  let unrecorded = 0;

  async function record(request: FastifyRequest, reason: Refusal): Promise<void> {
    const now = deps.now();
    // Both limits are consulted each time, so a quiet client is not starved by a noisy one's
    // use of the overall budget for longer than its window.
    const clientOk = perClient.hit(request.ip, now);
    if (!clientOk || !overall.hit('all', now)) {
      unrecorded++;
      return;
    }
    const path = request.url.split('?')[0]!.slice(0, 200);
    const dropped = unrecorded;
    unrecorded = 0;
    const more = dropped ? ` (+${dropped} more refused requests not recorded: rate limit)` : '';
    deps.log.warn({ ip: request.ip, method: request.method, url: path, reason, unrecorded: dropped || undefined }, 'admin API request refused');
    const detail = `${request.method} ${path} from ${request.ip}: ${reason} token${more}`;
    // A failing audit write must not turn a 401 into a 500 (or into a way in).
    await recordAudit({ db: deps.db, now: () => now, actor: 'api:anonymous' }, 'admin.refused', detail, false).catch((err: unknown) =>
      deps.log.error({ err: (err as Error).message }, 'could not audit a refused admin API request'),
    );
  }

  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (!deps.token) return sendError(reply, 503, 'not_configured', NOT_CONFIGURED);
    const reason = refusalOf(request, deps.token);
    if (reason === null) return undefined;
    await record(request, reason);
    return sendError(reply.header('www-authenticate', 'Bearer realm="tidings admin API"'), 401, 'unauthorized', MESSAGES[reason]);
  };
}
