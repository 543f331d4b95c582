// Every admin route passes here first. Without a configured credential nothing but the setup
// page is served; without a live session a page redirects to the login and a POST is refused;
// a POST whose _csrf field is not the session's token is a 403, whatever it asked for.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tokenMatches } from '../password.js';
import { formValue } from '../../http/forms.js';
import { HTML } from '../../http/page-kit.js';
import { h, page } from './layout.js';
import { findSession, readCookie, SESSION_COOKIE, setSession } from './session.js';
import type { AdminDeps } from './types.js';

/** Routes that need no session: the login form checks its own token (see auth.ts). */
export const PUBLIC_ROUTES = new Set(['/admin/login']);

export const configured = (deps: Pick<AdminDeps, 'credentials'>): boolean => Boolean(deps.credentials.passwordHash || deps.credentials.token);

export function setupPage(): string {
  const body =
    '<h1>Set an admin password first</h1>' +
    '<p>The admin pages are off until a credential is configured. Run</p><pre>npx tidings admin password</pre>' +
    '<p>It asks for a password and prints an <code>ADMIN_PASSWORD_HASH=…</code> line: add that line to <code>.env</code> (or the environment) and restart Tidings. ' +
    'An <code>ADMIN_TOKEN</code> (e.g. from <code>openssl rand -hex 32</code>) is accepted on the login page as well.</p>';
  return page('Setup', body);
}

export function forbiddenPage(): string {
  return page(
    'Refused',
    `<h1>Refused</h1><p>This form was stale or did not come from these pages. Go back, reload the page and try again.</p><p><a href="/admin">${h('Dashboard')}</a></p>`,
  );
}

function refuse(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type(HTML).send(body);
}

export function registerGuard(app: FastifyInstance, deps: AdminDeps): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const post = request.method === 'POST';
    if (!configured(deps)) return refuse(reply, post ? 403 : 200, setupPage());
    if (PUBLIC_ROUTES.has(request.routeOptions.url ?? '')) return;
    const cookie = readCookie(request, SESSION_COOKIE);
    const session = cookie ? await findSession(deps.db, cookie, deps.now()) : undefined;
    if (!session) {
      if (!post) return reply.code(303).header('location', '/admin/login').send();
      return refuse(
        reply,
        401,
        page('Logged out', '<h1>Logged out</h1><p>Your session has ended. <a href="/admin/login">Log in</a> again and repeat the change.</p>'),
      );
    }
    if (post && !tokenMatches(formValue(request.body, '_csrf') ?? '', session.csrf)) {
      request.log.warn({ url: request.routeOptions.url, actor: session.actor }, 'admin request refused: missing or wrong CSRF token');
      return refuse(reply, 403, forbiddenPage());
    }
    setSession(request, session);
  });
}
