// Row types of the Telegram bot (issue 5) and the service's alerts and admin sessions (issue 6);
// part of schema.ts, which re-exports them.
import type { Generated, Selectable } from 'kysely';
import type { Timestamp } from './schema.js';

// ---- the Telegram bot (issue 5) -----------------------------------------------------------------

/** Updates the bot has taken on: the insert that succeeds handles the update, any other skips it. */
export interface BotUpdatesTable {
  update_id: number;
  received_at: Timestamp;
}

/** Admin commands, applied or refused. */
export interface AuditLogTable {
  id: Generated<number>;
  /** "telegram:<user id>", "telegram:chat:<chat id>" (a post without a sender), "cli". */
  actor: string;
  action: string;
  detail: string | null;
  /** 1 applied, 0 refused or failed. */
  ok: number;
  created_at: Timestamp;
}

export type AuditLogRow = Selectable<AuditLogTable>;

// ---- the service (issue 6) ---------------------------------------------------------------------

/** Something an admin must see: shown on the dashboard, logged, and sent to the Telegram admins. */
export interface AlertsTable {
  id: Generated<number>;
  /** 'missed-slots', … */
  kind: string;
  newsletter_id: number | null;
  message: string;
  created_at: Timestamp;
  acknowledged_at: Timestamp | null;
}
export type AlertRow = Selectable<AlertsTable>;

/** A logged-in admin web session. `id` is the SHA-256 (hex) of the cookie value, never the value. */
export interface AdminSessionsTable {
  id: string;
  /** Who: "web:admin" (password) or "web:token". */
  actor: string;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}
export type AdminSessionRow = Selectable<AdminSessionsTable>;
