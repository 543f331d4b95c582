// What every use case receives: the database, the clock, the log and who is acting. Use cases
// that need an adapter (the fetcher, the digest builder, the delivery wake-up) say so in their
// own parameter type, so a front-end passes exactly the pieces an operation uses.
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import type { Database } from '../store/schema.js';

/**
 * Who made a change, as the audit log shows it: `cli`, `api:token`, `web:<login>` (the admin
 * session's actor), `telegram:<user id>`, `subscriber:<id>` (the subscriber on the public pages) or
 * `api:anonymous` (an API request refused for want of the token).
 */
export type Actor = 'cli' | 'api:token' | 'api:anonymous' | 'system' | `web:${string}` | `telegram:${string}` | `subscriber:${string}`;

export interface CoreContext {
  db: Kysely<Database>;
  now: () => Date;
  log: Logger;
  actor: Actor;
}
