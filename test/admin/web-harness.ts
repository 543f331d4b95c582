// The admin web UI over a test store: a server with real digest building, a feed server on
// loopback for test fetches, and a logged-in client that carries the session cookie and reads
// the CSRF token from the pages, as a browser would.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import type { AdminWebOptions } from '../../src/admin/web/index.js';
import { hashPassword, parsePasswordHash } from '../../src/admin/password.js';
import type { AdminConfig } from '../../src/config/admin.js';
import { ledgerWriter } from '../../src/digest/ledger.js';
import type { BuildDeps } from '../../src/digest/build.js';
import type { SenderInfo } from '../../src/digest/model.js';
import { renderEmail } from '../../src/digest/render-email.js';
import { renderTelegram } from '../../src/digest/render-telegram.js';
import { buildServer } from '../../src/http/server.js';
import type { Logger } from '../../src/log.js';
import { silentLogger } from '../../src/log.js';
import { buildReaders } from '../../src/deps.js';
import type { Database } from '../../src/store/schema.js';
import { testFetcher } from '../support/fetcher.js';

export const PASSWORD = 'correct horse battery staple';
export const TOKEN = 'tok-0123456789abcdefghijklmnopqrstuvwxyz';
export const T0 = new Date('2026-11-24T08:00:00.000Z');
const SENDER: SenderInfo = { organization: 'Cotton Growers', postalAddress: '12 Mill Street', publicUrl: 'http://news.example.org' };

let hash: Promise<string> | undefined;
export async function credentials(over: Partial<AdminConfig> = {}): Promise<AdminConfig> {
  hash ??= hashPassword(PASSWORD);
  return { passwordHash: parsePasswordHash(await hash)!, token: TOKEN, sessionMs: 3_600_000, ...over };
}

export function buildDeps(db: Kysely<Database>, now: () => Date, sender = SENDER): BuildDeps {
  return {
    db,
    now,
    log: silentLogger(),
    render: async (model) => ({ ...(await renderEmail(model, sender)), telegram: renderTelegram(model) }),
    archiveUrl: ({ newsletter, digestId }) => `${sender.publicUrl}/n/${newsletter.slug}/${digestId}`,
    createLedger: ledgerWriter('news.example.org', now),
  };
}

export interface Harness {
  app: FastifyInstance;
  clock: { now: Date };
  /** POST routes under /admin, collected as fastify registers them. */
  posts: string[];
  close(): Promise<void>;
}

export async function adminServer(
  db: Kysely<Database>,
  opts: { credentials?: AdminConfig; log?: Logger; sender?: SenderInfo; loginAttempts?: number } = {},
): Promise<Harness> {
  const clock = { now: T0 };
  const now = () => clock.now;
  const fetcher = testFetcher();
  const admin: AdminWebOptions = {
    credentials: opts.credentials ?? (await credentials()),
    build: buildDeps(db, now, opts.sender),
    fetcher,
    readers: buildReaders(),
    sourceIntervalMinutes: 60,
    loginAttempts: opts.loginAttempts,
  };
  const app = buildServer({ db, log: opts.log ?? silentLogger(), now, sender: opts.sender ?? SENDER, admin });
  const posts: string[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.includes('POST') && route.url.startsWith('/admin')) posts.push(route.url);
  });
  await app.ready();
  return {
    app,
    clock,
    posts,
    async close() {
      await app.close();
      await fetcher.close();
    },
  };
}

/** The value of a cookie a response sets, if it sets it. */
export function setCookie(res: LightMyRequestResponse, name: string): { value: string; attributes: string } | undefined {
  const raw = res.headers['set-cookie'];
  for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
    if (line.startsWith(`${name}=`)) return { value: line.slice(name.length + 1).split(';')[0]!, attributes: line };
  }
  return undefined;
}

/** The first hidden _csrf value in a page. */
export function csrfIn(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no _csrf field in: ${html.slice(0, 300)}`);
  return m[1]!;
}

export function form(fields: Record<string, string | string[]>): { payload: string; headers: Record<string, string> } {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  return { payload: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

/** A multipart body with one file part (as a browser uploads it) beside text fields. */
export function upload(
  fields: Record<string, string>,
  file: { field: string; name: string; content: string | Buffer },
): { payload: Buffer; headers: Record<string, string> } {
  const b = '----adminBoundary9x';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
  );
  parts.push(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content), Buffer.from(`\r\n--${b}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${b}` } };
}

export interface Client {
  csrf: string;
  cookie: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, fields?: Record<string, string | string[]>): Promise<LightMyRequestResponse>;
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
}

/** Logs in through the form and returns a client carrying the session cookie and CSRF token. */
export async function login(app: FastifyInstance, password = PASSWORD): Promise<Client> {
  const page = await app.inject({ method: 'GET', url: '/admin/login' });
  const loginCookie = setCookie(page, 'tidings_admin_login')!.value;
  const res = await app.inject({
    method: 'POST',
    url: '/admin/login',
    ...form({ _csrf: csrfIn(page.body), password }),
    cookies: { tidings_admin_login: loginCookie },
  });
  const session = setCookie(res, 'tidings_admin');
  if (res.statusCode !== 303 || !session) throw new Error(`login failed: ${res.statusCode}`);
  const cookie = session.value;
  const dash = await app.inject({ method: 'GET', url: '/admin', cookies: { tidings_admin: cookie } });
  const csrf = csrfIn(dash.body);
  const inject = (opts: InjectOptions) => app.inject({ ...opts, cookies: { tidings_admin: cookie } });
  return {
    csrf,
    cookie,
    inject,
    get: (url) => inject({ method: 'GET', url }),
    post: (url, fields = {}) => inject({ method: 'POST', url, ...form({ _csrf: csrf, ...fields }) }),
  };
}

export function rssFeed(items: { title: string; link: string; date: Date }[]): string {
  const entries = items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>${i.link}</link><guid>${i.link}</guid><pubDate>${i.date.toUTCString()}</pubDate><description>${i.title}: cotton prices and mill news for the week, with the numbers growers asked about.</description></item>`,
    )
    .join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Cotton Wire</title><link>http://example.org/</link><description>x</description>${entries}</channel></rss>`;
}
