// What every end-to-end bench process runs on: the real composition root (loadConfig → createRoot
// → ingestDeps / summarizeDeps / build / sendDeps / telegram), configured the way an
// operator would through the environment, with everything pointed at loopback. The one change:
// the fetcher resolves the corpus's many feed hostnames to 127.0.0.1 (FETCH_ALLOW lets it in).
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { createRoot, type Root } from '../../src/main.js';
import { createFetcher } from '../../src/sources/fetcher.js';

/** Where the bench's loopback services are; passed to each worker as one JSON argument. */
export interface E2eTarget {
  databaseUrl: string;
  dataDir: string;
  smtp: { host: string; port: number };
  telegram: { apiRoot: string; token: string };
}

/** SMTP_POOL_CONNECTIONS and DELIVERY_CONCURRENCY as the send bench runs them. */
export const SMTP_CONNECTIONS = 16;
export const DELIVERY_CONCURRENCY = 64;

export function e2eEnv(t: E2eTarget): Record<string, string> {
  return {
    DATABASE_URL: t.databaseUrl,
    TIDINGS_DATA_DIR: t.dataDir,
    TIDINGS_PUBLIC_URL: 'https://news.example.org',
    TIDINGS_ORGANIZATION: 'Textile Industry Association',
    TIDINGS_POSTAL_ADDRESS: '12 Mill Street, Manchester M1 2AB',
    TIDINGS_SECRET: 'e2e-bench-secret-e2e-bench-secret-0123456789',
    MAIL_FROM: 'news@news.example.org',
    SMTP_URL: `smtp://${t.smtp.host}:${t.smtp.port}`,
    SMTP_POOL_CONNECTIONS: String(SMTP_CONNECTIONS),
    DELIVERY_CONCURRENCY: String(DELIVERY_CONCURRENCY),
    FETCH_ALLOW: '127.0.0.1',
    TELEGRAM_BOT_TOKEN: t.telegram.token,
    TELEGRAM_API_ROOT: t.telegram.apiRoot,
    // TELEGRAM_RATE_* and TELEGRAM_CONCURRENCY stay at their defaults: Telegram's real limits.
  };
}

/** The root of one bench process (the store is already migrated by the seeding step). */
export async function e2eDeps(t: E2eTarget): Promise<Root> {
  const config = loadConfig(e2eEnv(t));
  const root = await createRoot(config, silentLogger(), { migrate: false });
  const close = root.close;
  const fetcher = createFetcher({ ...config.fetch, allow: [...config.fetch.allow], lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
  root.fetcher = fetcher;
  root.close = async () => {
    await fetcher.close();
    await close();
  };
  return root;
}
