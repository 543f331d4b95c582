// Login and logout. The password is checked against ADMIN_PASSWORD_HASH, and ADMIN_TOKEN is
// accepted in its place; a refusal never says which was wrong, and the log line and audit row
// carry the client's IP, never what was typed. Attempts are limited per IP.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formValue } from '../../http/forms.js';
import { HTML } from '../../http/page-kit.js';
import { slidingWindowLimiter } from '../../http/rate-limit.js';
import { recordAudit } from '../../core/audit.js';
import type { Actor } from '../../core/context.js';
import { tokenMatches, verifyPassword } from '../password.js';
import { csrfField, page } from './layout.js';
import { cookieHeader, createSession, deleteSession, LOGIN_COOKIE, pruneSessions, randomToken, readCookie, SESSION_COOKIE, sessionOf } from './session.js';
import type { AdminDeps } from './types.js';

const WINDOW_MS = 15 * 60_000;
export const DEFAULT_LOGIN_ATTEMPTS = 10;

function loginPage(token: string, problem?: string): string {
  const body =
    '<h1>Log in</h1>' +
    `<form method="post" action="/admin/login">${csrfField(token)}` +
    '<label for="password">Admin password (or the admin token)</label>' +
    '<input type="password" id="password" name="password" autocomplete="current-password" required autofocus>' +
    '<p><button type="submit">Log in</button></p></form>';
  return page('Log in', body, { problem });
}

/** The actor the credential belongs to, or null. Both are checked, so timing tells nothing either. */
async function actorFor(deps: AdminDeps, password: string): Promise<Actor | null> {
  const { passwordHash, token } = deps.credentials;
  const byPassword = passwordHash ? await verifyPassword(password, passwordHash) : false;
  const byToken = token ? tokenMatches(password, token) : false;
  return byPassword ? 'web:admin' : byToken ? 'web:token' : null;
}

export function registerAuth(app: FastifyInstance, deps: AdminDeps): void {
  const secure = deps.sender.publicUrl.startsWith('https:');
  const limiter = slidingWindowLimiter({ limit: deps.loginAttempts ?? DEFAULT_LOGIN_ATTEMPTS, windowMs: WINDOW_MS });

  // A fresh double-submit token with each form: a cross-site page cannot read it, so it cannot log
  // the browser into an account of its choosing.
  const showLogin = (reply: FastifyReply, status: number, problem?: string) => {
    const token = randomToken();
    return reply
      .code(status)
      .header('set-cookie', cookieHeader(LOGIN_COOKIE, token, { secure, maxAgeS: 3600 }))
      .type(HTML)
      .send(loginPage(token, problem));
  };

  app.get('/admin/login', async (_request, reply) => showLogin(reply, 200));

  app.post('/admin/login', async (request: FastifyRequest, reply: FastifyReply) => {
    const now = deps.now();
    const expected = readCookie(request, LOGIN_COOKIE) ?? '';
    if (!expected || !tokenMatches(formValue(request.body, '_csrf') ?? '', expected)) {
      request.log.warn({ ip: request.ip }, 'admin login refused: the form token was missing or wrong');
      return showLogin(reply, 403, 'The login form had expired. Please try again.');
    }
    if (!limiter.hit(request.ip, now)) {
      reply.header('retry-after', String(limiter.retryAfter(request.ip, now)));
      return showLogin(reply, 429, 'Too many login attempts from your address. Wait a few minutes and try again.');
    }
    const actor = await actorFor(deps, formValue(request.body, 'password') ?? '');
    if (!actor) {
      request.log.warn({ ip: request.ip }, 'admin login refused: wrong credentials');
      await recordAudit({ db: deps.db, now: () => now, actor: 'web:anonymous' }, 'admin.login', `refused from ${request.ip}`, false);
      return showLogin(reply, 401, 'Login failed. Check the password and try again.');
    }
    await pruneSessions(deps.db, now);
    const { cookie } = await createSession(deps.db, actor, now, deps.credentials.sessionMs);
    await recordAudit({ db: deps.db, now: () => now, actor }, 'admin.login', `from ${request.ip}`);
    request.log.info({ ip: request.ip, actor }, 'admin logged in');
    return reply
      .code(303)
      .header('set-cookie', [
        cookieHeader(SESSION_COOKIE, cookie, { secure, maxAgeS: Math.floor(deps.credentials.sessionMs / 1000) }),
        cookieHeader(LOGIN_COOKIE, '', { secure, maxAgeS: 0 }),
      ])
      .header('location', '/admin')
      .send();
  });

  app.post('/admin/logout', async (request, reply) => {
    const session = sessionOf(request);
    await deleteSession(deps.db, session.id);
    await recordAudit({ db: deps.db, now: deps.now, actor: session.actor as Actor }, 'admin.logout', `from ${request.ip}`);
    return reply
      .code(303)
      .header('set-cookie', cookieHeader(SESSION_COOKIE, '', { secure, maxAgeS: 0 }))
      .header('location', '/admin/login')
      .send();
  });
}
