// Rows → the API's JSON: camelCase keys, ISO-8601 UTC dates, booleans as booleans, JSON columns
// parsed. Secrets never appear here (no row holds one).
import type { DigestSummary } from '../../store/digests.js';
import { newsletterFilters } from '../../store/newsletters.js';
import type { AlertRow, AuditLogRow, DeliveryRow, NewsletterRow, SourceRow, SubscriberRow, SubscriptionRow } from '../../store/schema.js';
import { sourceOptions } from '../../store/sources.js';
import { storedKeywords } from '../../store/subscribers.js';
import { iso } from './context.js';

export function newsletterJson(n: NewsletterRow) {
  return {
    id: n.id,
    slug: n.slug,
    name: n.name,
    language: n.language,
    cron: n.cron,
    timezone: n.timezone,
    catchUpGraceMinutes: n.catch_up_grace_minutes,
    filters: newsletterFilters(n),
    maxItems: n.max_items,
    sections: n.sections === 1,
    lookbackHours: n.lookback_hours,
    template: n.template,
    enabled: n.enabled === 1,
    scheduleSince: iso(n.schedule_since),
    createdAt: iso(n.created_at),
    updatedAt: iso(n.updated_at),
  };
}

function jsonList<T>(text: string | null): T[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

/** A digest without its rendered parts (a listing must not carry megabytes of HTML). */
export function digestJson(d: DigestSummary) {
  const articleIds = jsonList<number>(d.article_ids);
  return {
    id: d.id,
    newsletterId: d.newsletter_id,
    slotAt: iso(d.slot_at),
    status: d.status,
    reason: d.reason,
    subject: d.subject,
    stories: articleIds.length,
    articleIds,
    windowStart: iso(d.window_start),
    windowEnd: iso(d.window_end),
    covers: jsonList<string>(d.covers),
    createdAt: iso(d.created_at),
    completedAt: iso(d.completed_at),
  };
}

export function sourceHealth(s: SourceRow): 'paused' | 'failing' | 'ok' | 'new' {
  if (!s.enabled) return 'paused';
  if (s.consecutive_failures > 0) return 'failing';
  return s.last_status ? 'ok' : 'new';
}

export function sourceJson(s: SourceRow) {
  return {
    id: s.id,
    kind: s.kind,
    url: s.url,
    name: s.name,
    enabled: s.enabled === 1,
    health: sourceHealth(s),
    intervalMinutes: s.interval_minutes,
    options: sourceOptions(s),
    lastStatus: s.last_status,
    lastError: s.last_error,
    lastFetchedAt: iso(s.last_fetched_at),
    nextFetchAt: iso(s.next_fetch_at),
    consecutiveFailures: s.consecutive_failures,
    pausedReason: s.paused_reason,
    createdAt: iso(s.created_at),
    updatedAt: iso(s.updated_at),
  };
}

export function subscriberJson(p: SubscriberRow) {
  return {
    id: p.id,
    email: p.email,
    telegramChatId: p.telegram_chat_id,
    name: p.name,
    language: p.language,
    createdAt: iso(p.created_at),
    updatedAt: iso(p.updated_at),
  };
}

export function subscriptionJson(s: SubscriptionRow & { newsletter_slug?: string }) {
  return {
    id: s.id,
    newsletterId: s.newsletter_id,
    ...(s.newsletter_slug === undefined ? {} : { newsletter: s.newsletter_slug }),
    channel: s.channel,
    status: s.status,
    keywords: storedKeywords(s.keywords),
    consent: {
      source: s.consent_source,
      version: s.consent_version,
      subscribeIp: s.subscribe_ip,
      subscribedAt: iso(s.subscribed_at),
      confirmIp: s.confirm_ip,
      confirmedAt: iso(s.confirmed_at),
    },
    unsubscribedAt: iso(s.unsubscribed_at),
    createdAt: iso(s.created_at),
    updatedAt: iso(s.updated_at),
  };
}

export function deliveryJson(d: DeliveryRow & { subject?: string | null }) {
  return {
    id: d.id,
    digestId: d.digest_id,
    subject: d.subject ?? null,
    subscriptionId: d.subscription_id,
    channel: d.channel,
    address: d.address,
    state: d.state,
    attempts: d.attempts,
    messageId: d.message_id,
    lastError: d.last_error,
    nextAttemptAt: iso(d.next_attempt_at),
    sentAt: iso(d.sent_at),
    createdAt: iso(d.created_at),
  };
}

export function alertJson(a: AlertRow) {
  return { id: a.id, kind: a.kind, newsletterId: a.newsletter_id, message: a.message, createdAt: iso(a.created_at), acknowledgedAt: iso(a.acknowledged_at) };
}

export function auditJson(a: AuditLogRow) {
  return { id: a.id, actor: a.actor, action: a.action, detail: a.detail, ok: a.ok === 1, createdAt: iso(a.created_at) };
}
