// The admin API over a test store: the real server, renderer, ledger writer, readers and a
// fetcher that may reach loopback fixtures; a fixed clock; and helpers for authenticated calls.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { ledgerWriter } from '../../src/digest/ledger.js';
import { buildReaders } from '../../src/deps.js';
import { renderEmail } from '../../src/digest/render-email.js';
import { renderTelegram } from '../../src/digest/render-telegram.js';
import { buildServer } from '../../src/http/server.js';
import type { Logger } from '../../src/log.js';
import { silentLogger } from '../../src/log.js';
import { insertArticles } from '../../src/store/articles.js';
import type { Store } from '../../src/store/db.js';
import { addSource } from '../../src/store/sources.js';
import { clock, type Clock, SENDER } from '../http/harness.js';
import { testFetcher } from '../support/fetcher.js';

export const TOKEN = 'c0ffee7d9a4b41e2b8f6a5d3e1907c4b8a2f6e1d3c5b7a90';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export interface ApiHarness {
  app: FastifyInstance;
  clock: Clock;
  call(method: InjectOptions['method'], url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function apiHarness(
  store: Store,
  opts: { token?: string | null; log?: Logger; beforeReady?: (app: FastifyInstance) => void; sourceIntervalMinutes?: number } = {},
): Promise<ApiHarness> {
  const c = clock();
  const fetcher = testFetcher();
  const app = buildServer({
    db: store.db,
    log: opts.log ?? silentLogger(),
    now: () => c.now,
    sender: SENDER,
    api: {
      token: opts.token === null ? undefined : (opts.token ?? TOKEN),
      digests: {
        render: async (model) => ({ ...(await renderEmail(model, SENDER)), telegram: renderTelegram(model) }),
        createLedger: ledgerWriter('news.example.org', () => c.now),
      },
      fetcher,
      readers: buildReaders(),
      sourceIntervalMinutes: opts.sourceIntervalMinutes ?? 30,
    },
  });
  opts.beforeReady?.(app);
  await app.ready();
  return {
    app,
    clock: c,
    call(method, url, body, headers = {}) {
      const json = body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body);
      return app.inject({
        method,
        url,
        headers: { ...AUTH, ...(json ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body === undefined ? {} : { payload: json ? JSON.stringify(body) : (body as string | Buffer) }),
      });
    },
    async close() {
      await app.close();
      await fetcher.close();
    },
  };
}

/** A source with `n` fresh articles (fetched an hour before `at`), so a digest has something to show. */
export async function seedArticles(store: Store, at: Date, n: number, url = 'http://127.0.0.1/feed'): Promise<number> {
  const source = await addSource(store.db, { kind: 'feed', url, name: 'Cotton Wire' }, at);
  const fetched = new Date(at.getTime() - 3_600_000).toISOString();
  await insertArticles(
    store.db,
    Array.from({ length: n }, (_, i) => ({
      source_id: source.id,
      guid: `g${i}`,
      guid_key: `${source.id}:g${i}`,
      url: `https://wire.example.org/${i}`,
      title: `Cotton prices move ${i}`,
      published_at: fetched,
      fetched_at: fetched,
      lang: 'en',
      text: `Cotton prices moved today in market ${i}. Traders expect more.`,
      fingerprint: `fp-${source.id}-${i}`,
      search_text: `cotton prices move ${i}`,
    })),
  );
  return source.id;
}
