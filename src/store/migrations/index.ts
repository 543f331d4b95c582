// Every migration, in order, listed in code rather than found on disk: a static list works the
// same under tsx, from a bundle and from any working directory. Add new ones at the end; never
// edit or rename one that has shipped (its name is recorded in each database).
import type { Kysely } from 'kysely';
import type { DialectName } from '../db.js';
import { init } from './0001_init.js';
import { digestsMigration } from './0002_digests.js';
import { storyIndexMigration } from './0003_story_index.js';
import { subscribersMigration } from './0004_subscribers.js';
import { botMigration } from './0005_bot.js';
import { deliveryPartsMigration } from './0006_delivery_parts.js';
import { serviceMigration } from './0007_service.js';

export interface TidingsMigration {
  /** `db` is untyped on purpose: a migration sees the schema as it was when it was written. */
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
  down?(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

export const migrations: Readonly<Record<string, TidingsMigration>> = {
  '0001_init': init,
  '0002_digests': digestsMigration,
  '0003_story_index': storyIndexMigration,
  '0004_subscribers': subscribersMigration,
  '0005_bot': botMigration,
  '0006_delivery_parts': deliveryPartsMigration,
  '0007_service': serviceMigration,
};
