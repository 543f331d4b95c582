// Telegram sends a digest as several messages, and the Bot API has no idempotency key: a row
// that records how many parts already went out lets a retry or a restart after a crash carry on
// from the first part not yet confirmed instead of resending the whole digest.
import type { Kysely } from 'kysely';
import type { TidingsMigration } from './index.js';

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('parts_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deliveries').dropColumn('parts_sent').execute();
}

export const deliveryPartsMigration: TidingsMigration = { up, down };
