// Row types of subscribers and the deliveries ledger (issue 4); part of schema.ts, which
// re-exports them (same conventions: ISO text timestamps, 0/1 booleans, JSON text).
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { NewsletterLanguage, Timestamp } from './schema.js';

// ---- subscribers and the deliveries ledger (issue 4) -------------------------------------------

export type Channel = 'email' | 'telegram';

export interface SubscribersTable {
  id: Generated<number>;
  /** Lower-cased. Unique; null for a Telegram-only subscriber. */
  email: string | null;
  telegram_chat_id: string | null;
  name: string | null;
  language: ColumnType<NewsletterLanguage, NewsletterLanguage | undefined, NewsletterLanguage>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type SubscriberRow = Selectable<SubscribersTable>;

export type SubscriptionStatus = 'pending' | 'active' | 'unsubscribed' | 'bounced' | 'blocked';

export interface SubscriptionsTable {
  id: Generated<number>;
  subscriber_id: number;
  newsletter_id: number;
  channel: Channel;
  status: ColumnType<SubscriptionStatus, SubscriptionStatus | undefined, SubscriptionStatus>;
  /** JSON array of keywords; empty: every entry of the newsletter. */
  keywords: ColumnType<string, string | undefined, string>;
  /** Where consent was given: 'form', 'import', 'cli', 'telegram', 'admin'. */
  consent_source: string;
  /** Version of the consent text the subscriber saw. */
  consent_version: string | null;
  subscribe_ip: string | null;
  subscribed_at: Timestamp;
  confirm_ip: string | null;
  confirmed_at: Timestamp | null;
  /** Last confirmation mail: one per cooldown. */
  confirm_sent_at: Timestamp | null;
  unsubscribed_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type SubscriptionRow = Selectable<SubscriptionsTable>;

export type SuppressionReason = 'hard-bounce' | 'complaint' | 'soft-bounces' | 'unsubscribed-all' | 'manual' | 'blocked';

export interface SuppressionsTable {
  /** Lower-cased email address (or a Telegram chat id). */
  address: string;
  channel: Channel;
  reason: SuppressionReason;
  detail: string | null;
  created_at: Timestamp;
}

export type SubscriberEventType =
  | 'subscribe'
  | 'confirm-sent'
  | 'confirm'
  | 'unsubscribe'
  | 'resubscribe'
  | 'preferences'
  | 'bounce-hard'
  | 'bounce-soft'
  | 'complaint'
  | 'suppressed'
  | 'deleted';

export interface SubscriberEventsTable {
  id: Generated<number>;
  subscriber_id: number | null;
  subscription_id: number | null;
  address: string | null;
  type: SubscriberEventType;
  /** JSON or text: what the event carried (consent text version, bounce diagnostics …). */
  detail: string | null;
  ip: string | null;
  created_at: Timestamp;
}
export type SubscriberEventRow = Selectable<SubscriberEventsTable>;

export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';

export interface DeliveriesTable {
  id: Generated<number>;
  digest_id: number;
  subscription_id: number;
  subscriber_id: number;
  channel: Channel;
  address: string;
  state: ColumnType<DeliveryState, DeliveryState | undefined, DeliveryState>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  /** While `sending`: the claim is this worker's until then; after it, anyone may resend. */
  lease_until: Timestamp | null;
  message_id: string;
  last_error: string | null;
  /** Telegram: how many of the digest's messages went out (a retry resumes after them). */
  parts_sent: ColumnType<number, number | undefined, number>;
  sent_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type DeliveryRow = Selectable<DeliveriesTable>;
