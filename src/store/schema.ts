// Row types, declared once. Both dialects store the same shapes so one set of store functions
// serves SQLite and PostgreSQL:
// - timestamps are ISO-8601 UTC text with milliseconds ("2026-11-24T16:18:07.000Z"), which sorts
//   and compares correctly as text in both;
// - booleans are integers 0/1;
// - structured values (options, categories) are JSON text.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { AdminSessionsTable, AlertsTable, AuditLogTable, BotUpdatesTable } from './schema-admin.js';
import type { DeliveriesTable, SubscriberEventsTable, SubscribersTable, SubscriptionsTable, SuppressionsTable } from './schema-subscribers.js';

export type * from './schema-admin.js';
export type * from './schema-subscribers.js';

export type Timestamp = string;

export interface SourcesTable {
  id: Generated<number>;
  kind: 'feed' | 'page' | 'textdump';
  /** http(s) URL, or a folder path for text dumps. Unique. */
  url: string;
  name: string;
  enabled: ColumnType<number, number | undefined, number>;
  interval_minutes: ColumnType<number, number | undefined, number>;
  /** JSON of SourceOptions. */
  options: ColumnType<string, string | undefined, string>;
  etag: string | null;
  last_modified: string | null;
  next_fetch_at: Timestamp | null;
  last_fetched_at: Timestamp | null;
  /** ok | not-modified | error | null (never fetched) */
  last_status: string | null;
  last_error: string | null;
  consecutive_failures: ColumnType<number, number | undefined, number>;
  /** Why the source was paused (by an admin, or automatically after repeated failures). */
  paused_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type SourceRow = Selectable<SourcesTable>;
export type NewSource = Insertable<SourcesTable>;
export type SourceUpdate = Updateable<SourcesTable>;

export interface ArticlesTable {
  id: Generated<number>;
  source_id: number;
  guid: string;
  /** `${source_id}:${guid}`: the per-source identity, unique. */
  guid_key: string;
  url: string | null;
  /** Unique across all sources (NULL allowed many times). */
  canonical_url: string | null;
  title: string;
  author: string | null;
  published_at: Timestamp;
  fetched_at: Timestamp;
  lang: string;
  category: string | null;
  /** JSON array of the item's categories/tags. */
  categories: ColumnType<string, string | undefined, string>;
  text: string;
  /** Sanitized HTML. */
  html: string | null;
  image_url: string | null;
  summary: string | null;
  summary_method: string | null;
  /** Hash of the normalized text: the exact-duplicate key across sources. Unique. */
  fingerprint: string;
  /** Near-duplicate cluster: the id of the first article of the story. */
  cluster_id: number | null;
  /** MinHash signature (base64 of little-endian uint32s), to score near-duplicate candidates. */
  minhash: string | null;
  /** Lower-cased words (Intl.Segmenter) joined by spaces, for portable keyword search. */
  search_text: string;
  nav_previous: string | null;
  nav_next: string | null;
}
export type ArticleRow = Selectable<ArticlesTable>;
export type NewArticle = Insertable<ArticlesTable>;

export interface Database {
  sources: SourcesTable;
  articles: ArticlesTable;
  newsletters: NewslettersTable;
  digests: DigestsTable;
  digest_items: DigestItemsTable;
  subscribers: SubscribersTable;
  subscriptions: SubscriptionsTable;
  suppressions: SuppressionsTable;
  subscriber_events: SubscriberEventsTable;
  deliveries: DeliveriesTable;
  bot_updates: BotUpdatesTable;
  audit_log: AuditLogTable;
  alerts: AlertsTable;
  admin_sessions: AdminSessionsTable;
}

// ---- newsletters and digests (issue 3) --------------------------------------------------------

export type NewsletterLanguage = 'en' | 'zh';

export interface NewslettersTable {
  id: Generated<number>;
  /** [a-z0-9-], not all digits (so a CLI argument "3" is always an id). Unique. */
  slug: string;
  name: string;
  language: NewsletterLanguage;
  cron: ColumnType<string, string | undefined, string>;
  /** IANA time zone the cron expression and the dates in the digest are read in. */
  timezone: ColumnType<string, string | undefined, string>;
  catch_up_grace_minutes: ColumnType<number, number | undefined, number>;
  /** Slots at or before this are never owed: set on create, on a schedule change and on resume. */
  schedule_since: ColumnType<string | null, string | undefined, string>;
  /** JSON of NewsletterFilters (src/store/newsletters.ts). */
  filters: ColumnType<string, string | undefined, string>;
  max_items: ColumnType<number, number | undefined, number>;
  /** 1: group the digest into sections by category. */
  sections: ColumnType<number, number | undefined, number>;
  /** How far back the first digest looks; later ones start where the previous one ended. */
  lookback_hours: ColumnType<number, number | undefined, number>;
  /** Template name (a file name without extension, never a path). */
  template: ColumnType<string, string | undefined, string>;
  enabled: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type NewsletterRow = Selectable<NewslettersTable>;
export type NewNewsletter = Insertable<NewslettersTable>;
export type NewsletterUpdate = Updateable<NewslettersTable>;

export type DigestStatus = 'building' | 'ready' | 'skipped' | 'failed';

/** One row per (newsletter, slot): the replica whose insert succeeds builds it. Immutable once ready. */
export interface DigestsTable {
  id: Generated<number>;
  newsletter_id: number;
  slot_at: Timestamp;
  status: ColumnType<DigestStatus, DigestStatus | undefined, DigestStatus>;
  /** Why the digest was skipped or failed. */
  reason: string | null;
  /** JSON array of the ids of the articles the digest shows as entries, in order. */
  article_ids: ColumnType<string, string | undefined, string>;
  /** JSON of the DigestModel (dates as ISO strings). */
  model: string | null;
  subject: string | null;
  preheader: string | null;
  /** Rendered email, with the per-recipient placeholders still in it. */
  html: string | null;
  text: string | null;
  /** JSON array of Telegram message parts. */
  telegram: string | null;
  window_start: Timestamp | null;
  window_end: Timestamp | null;
  /** A catch-up digest: JSON array of the missed slots (ISO) it stands for besides its own. */
  covers: ColumnType<string | null, string | undefined, string>;
  created_at: Timestamp;
  completed_at: Timestamp | null;
}
export type DigestRow = Selectable<DigestsTable>;

/** Every article a ready digest showed: UNIQUE(newsletter_id, article_id) keeps it from being sent twice. */
export interface DigestItemsTable {
  digest_id: number;
  newsletter_id: number;
  article_id: number;
  position: number;
  /** JSON array of the reasons selection gave. */
  reasons: ColumnType<string, string | undefined, string>;
}
export type DigestItemRow = Selectable<DigestItemsTable>;
