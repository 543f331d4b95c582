// POST /hooks/bounces: bounce and complaint reports from the mail provider (formats in
// subscribers/bounce-formats.ts). Guarded by BOUNCE_WEBHOOK_SECRET, given as a bearer token, as
// the password of HTTP basic auth (what SNS, Mailgun and Postmark can put in a webhook URL), or
// as ?secret=; compared in constant time. Without the setting the route does not exist (404).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import type { Database } from '../store/schema.js';
import { parseBounceReport } from '../subscribers/bounce-formats.js';
import { applyBounce } from '../subscribers/bounces.js';

export interface BounceHookOptions {
  secret: string;
  /** Soft bounces within 30 days that suppress an address (config.delivery.softBounceLimit). */
  softBounceLimit: number;
}

export interface BounceHookDeps extends BounceHookOptions {
  db: Kysely<Database>;
  log: Logger;
  now: () => Date;
}

const BODY_LIMIT = 1024 * 1024;

function givenSecret(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  const query = (request.query as Record<string, unknown> | undefined)?.secret;
  return typeof query === 'string' ? query : undefined;
}

const text = (reply: FastifyReply, status: number, line: string) => reply.code(status).type('text/plain; charset=utf-8').send(`${line}\n`);

export function registerBounceHook(app: FastifyInstance, deps: BounceHookDeps): void {
  // MACs of equal length make the comparison constant-time whatever the lengths given.
  const key = randomBytes(32);
  const mac = (s: string) => createHmac('sha256', key).update(s).digest();
  const expected = mac(deps.secret);

  void app.register(async (hook) => {
    // Raw text whatever the content type: SNS posts JSON as text/plain, and a JSON syntax
    // error must get this route's one-line answer, not the HTML error page.
    hook.removeAllContentTypeParsers();
    hook.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));

    hook.post('/hooks/bounces', async (request, reply) => {
      const secret = givenSecret(request);
      if (secret === undefined || !timingSafeEqual(mac(secret), expected)) {
        return text(
          reply.header('www-authenticate', 'Basic realm="tidings bounces"'),
          401,
          'unauthorized: send BOUNCE_WEBHOOK_SECRET as a bearer token, basic-auth password or ?secret=',
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(typeof request.body === 'string' ? request.body : '');
      } catch {
        return text(reply, 400, 'malformed: the body is not JSON');
      }
      const report = parseBounceReport(body);
      if (!report.ok) return text(reply, 400, `malformed: ${report.error}`);
      if (report.snsSubscribeUrl)
        deps.log.warn(
          { subscribeUrl: report.snsSubscribeUrl },
          'SNS subscription confirmation received: open subscribeUrl once to start receiving SES notifications',
        );
      const now = deps.now();
      const counts = { applied: 0, duplicate: 0, unknown: 0, ignored: report.ignored };
      for (const event of report.events) {
        const outcome = await applyBounce(deps.db, event, { now, softBounceLimit: deps.softBounceLimit });
        if (outcome === 'applied') counts.applied++;
        else if (outcome === 'duplicate') counts.duplicate++;
        else counts.unknown++;
      }
      if (counts.applied) deps.log.info(counts, 'bounce report applied');
      // 202: accepted, and nothing here concerned anyone on the list.
      return reply.code(counts.applied + counts.duplicate > 0 ? 200 : 202).send(counts);
    });
  });
}
