// Seeding for the end-to-end bench, in its own process so the measured one starts clean: a
// migrated store, one newsletter, N feed sources on N hostnames (all resolving to the loopback
// corpus server), S email subscribers and C Telegram chats, all subscribed. Prints one JSON line.
import { openDb } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { Database } from '../../src/store/schema.js';
import { addSource } from '../../src/store/sources.js';
import type { Kysely } from 'kysely';

export interface SeedInput {
  databaseUrl: string;
  feedPort: number;
  feeds: number;
  subscribers: number;
  chats: number;
}

const BATCH = 1000;

async function addPeople(db: Kysely<Database>, newsletterId: number, n: number, channel: 'email' | 'telegram', at: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < n; i += BATCH) {
      const people = await trx
        .insertInto('subscribers')
        .values(
          Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => {
            const j = i + k;
            return channel === 'email'
              ? { email: `reader${j}@members.example.com`, name: j % 3 ? `Reader Number ${j}` : null, language: 'en' as const, created_at: at, updated_at: at }
              : { email: null, telegram_chat_id: String(20_000_000 + j), name: null, language: 'en' as const, created_at: at, updated_at: at };
          }),
        )
        .returning('id')
        .execute();
      await trx
        .insertInto('subscriptions')
        .values(
          people.map((p) => ({
            subscriber_id: p.id,
            newsletter_id: newsletterId,
            channel,
            status: 'active' as const,
            consent_source: 'bench',
            subscribed_at: at,
            created_at: at,
            updated_at: at,
          })),
        )
        .execute();
    }
  });
}

export async function seed(input: SeedInput): Promise<{ newsletterId: number }> {
  const store = openDb(input.databaseUrl);
  try {
    await migrateToLatest(store);
    const now = new Date();
    const at = now.toISOString();
    const nl = await addNewsletter(store.db, { slug: 'textile-daily', name: 'Textile Daily Digest' }, now);
    for (let f = 0; f < input.feeds; f++) {
      await addSource(
        store.db,
        { kind: 'feed', url: `http://feed${f}.bench.test:${input.feedPort}/feed/${f}.xml`, name: `feed ${f}`, intervalMinutes: 60, options: {} },
        now,
      );
    }
    await addPeople(store.db, nl.id, input.subscribers, 'email', at);
    await addPeople(store.db, nl.id, input.chats, 'telegram', at);
    return { newsletterId: nl.id };
  } finally {
    await store.close();
  }
}

if (process.argv[2]) {
  const t0 = performance.now();
  const r = await seed(JSON.parse(process.argv[2]) as SeedInput);
  process.stdout.write(`${JSON.stringify({ ...r, ms: performance.now() - t0 })}\n`);
}
