// One sender process for the `send` benchmark, standing in for `tidings send`: a fresh SQLite
// store with N subscribers, one ready digest (the render bench's 20-article digest) and its
// ledger, then the real send loop through the real SMTP channel to the sink. Prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deliveryBuilder, emailContentLoader } from '../../src/deliver/email-content.js';
import { smtpChannel } from '../../src/deliver/email.js';
import { createDeliveries, deliveryCounts } from '../../src/store/deliveries.js';
import { sendPending } from '../../src/deliver/email-send.js';
import { renderEmail } from '../../src/digest/render-email.js';
import { silentLogger } from '../../src/log.js';
import { tuneHeap } from '../../src/runtime.js';
import { openDb } from '../../src/store/db.js';
import { claimDigest, completeDigest } from '../../src/store/digests.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { tokenSigner } from '../../src/subscribers/tokens.js';
import { benchDigest } from '../render.js';

tuneHeap();
const [host, port, subscribers, connections, concurrency] = process.argv.slice(2) as [string, string, string, string, string];
const N = Number(subscribers);
const dir = mkdtempSync(path.join(tmpdir(), 'tidings-send-'));
let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const sampler = setInterval(sample, 20);
try {
  const store = openDb(path.join(dir, 'bench.db'));
  await migrateToLatest(store);
  const T0 = new Date();
  const at = T0.toISOString();
  const nl = await addNewsletter(store.db, { slug: 'textile-daily', name: 'Textile Daily Digest' }, T0);
  await store.db.transaction().execute(async (trx) => {
    for (let i = 0; i < N; i += 1000) {
      const people = await trx
        .insertInto('subscribers')
        .values(
          Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({
            email: `reader${i + k}@members.example.com`,
            name: (i + k) % 3 ? `Reader Number ${i + k}` : null,
            language: 'en' as const,
            created_at: at,
            updated_at: at,
          })),
        )
        .returning('id')
        .execute();
      await trx
        .insertInto('subscriptions')
        .values(
          people.map((p) => ({
            subscriber_id: p.id,
            newsletter_id: nl.id,
            channel: 'email' as const,
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
  const sender = { organization: 'Textile Industry Association', postalAddress: '12 Mill Street, Manchester M1 2AB', publicUrl: 'https://news.example.org' };
  const model = benchDigest();
  const rendered = await renderEmail(model, sender);
  const digestId = (await claimDigest(store.db, nl.id, T0, T0))!.id;
  await store.db.transaction().execute(async (trx) => {
    await completeDigest(trx, digestId, { ...rendered, articleIds: [], model, telegram: [], windowStart: T0, windowEnd: T0 }, T0);
    await createDeliveries(trx, { digestId, newsletterId: nl.id, domain: 'news.example.org', now: T0 });
  });
  sample();
  const setupRss = peak;
  peak = 0;
  const email = smtpChannel({ url: `smtp://${host}:${port}`, connections: Number(connections), ratePerSecond: 0 });
  const t0 = performance.now();
  const progress = await sendPending(
    {
      db: store.db,
      dialect: store.dialect,
      email,
      log: silentLogger(),
      now: () => new Date(),
      contentFor: emailContentLoader(store.db, { from: { name: sender.organization, address: 'news@news.example.org' }, domain: 'news.example.org' }),
      deliveryFor: deliveryBuilder(tokenSigner(Buffer.alloc(32, 9)), sender.publicUrl),
    },
    { concurrency: Number(concurrency), leaseMs: 300_000, maxAttempts: 3 },
  );
  const ms = performance.now() - t0;
  await email.close();
  const counts = await deliveryCounts(store.db, { digestId });
  await store.close();
  sample();
  process.stdout.write(`${JSON.stringify({ ms, progress, counts, sendPeakRss: peak, setupRss, maxRss: process.resourceUsage().maxRSS * 1024 })}\n`);
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
