// One sender process for the `telegram` benchmark, standing in for `tidings send`: a fresh SQLite
// store with N Telegram subscribers, one ready digest (the render bench's digest, cut to ITEMS
// items) and its ledger, then the real send loop, pacer and Bot API client against the emulator
// at API_ROOT with Telegram's real limits. Prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDeliveries, deliveryCounts } from '../../src/store/deliveries.js';
import { Pacer, TELEGRAM_PACING } from '../../src/deliver/pacing.js';
import { telegramChannel } from '../../src/deliver/telegram.js';
import { botApiClient } from '../../src/deliver/telegram-api.js';
import { sendTelegramPending, telegramPartsLoader } from '../../src/deliver/telegram-send.js';
import { renderTelegram } from '../../src/digest/render-telegram.js';
import { silentLogger } from '../../src/log.js';
import { openDb } from '../../src/store/db.js';
import { claimDigest, completeDigest } from '../../src/store/digests.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { benchDigest } from '../render.js';

const [apiRoot, token, chats, items, concurrency] = process.argv.slice(2) as [string, string, string, string, string];
const N = Number(chats);
const dir = mkdtempSync(path.join(tmpdir(), 'tidings-telegram-'));
try {
  const store = openDb(path.join(dir, 'bench.db'));
  await migrateToLatest(store);
  const T0 = new Date();
  const at = T0.toISOString();
  const nl = await addNewsletter(store.db, { slug: 'textile-daily', name: 'Textile Daily Digest' }, T0);
  for (let i = 0; i < N; i += 500) {
    const people = await store.db
      .insertInto('subscribers')
      .values(
        Array.from({ length: Math.min(500, N - i) }, (_, k) => ({
          email: null,
          telegram_chat_id: String(10_000_000 + i + k),
          name: null,
          language: 'en' as const,
          created_at: at,
          updated_at: at,
        })),
      )
      .returning('id')
      .execute();
    await store.db
      .insertInto('subscriptions')
      .values(
        people.map((p) => ({
          subscriber_id: p.id,
          newsletter_id: nl.id,
          channel: 'telegram' as const,
          status: 'active' as const,
          consent_source: 'bench',
          subscribed_at: at,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
  }
  const full = benchDigest();
  const model = { ...full, sections: [{ ...full.sections[0]!, items: full.sections.flatMap((s) => s.items).slice(0, Number(items)) }] };
  const telegram = renderTelegram(model);
  const digestId = (await claimDigest(store.db, nl.id, T0, T0))!.id;
  await store.db.transaction().execute(async (trx) => {
    await completeDigest(
      trx,
      digestId,
      { articleIds: [], model, subject: 's', preheader: '', html: '<p>x</p>', text: 'x', telegram, windowStart: T0, windowEnd: T0 },
      T0,
    );
    await createDeliveries(trx, { digestId, newsletterId: nl.id, domain: 'news.example.org', now: T0 });
  });
  const log = silentLogger();
  const channel = telegramChannel({ api: botApiClient({ apiRoot, token, connections: 34 }), pacer: new Pacer(TELEGRAM_PACING), log });
  const t0 = performance.now();
  const progress = await sendTelegramPending(
    { db: store.db, dialect: store.dialect, channel, log, now: () => new Date(), partsFor: telegramPartsLoader(store.db) },
    { concurrency: Number(concurrency), leaseMs: 600_000, maxAttempts: 3 },
  );
  const ms = performance.now() - t0;
  await channel.close();
  const counts = await deliveryCounts(store.db, { digestId });
  await store.close();
  process.stdout.write(`${JSON.stringify({ ms, progress, counts, parts: telegram.length })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
