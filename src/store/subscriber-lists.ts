// Read-side queries over subscribers for admins: the filtered list `subscribers list` shows and
// the page-by-page walk `subscribers export` streams. Writes live in subscribers.ts and
// subscriber-import.ts.
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { Database, SubscriberRow, SubscriptionRow, SubscriptionStatus } from './schema.js';

export const SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = ['pending', 'active', 'unsubscribed', 'bounced', 'blocked'];

export interface SubscriberFilter {
  newsletterId?: number;
  status?: SubscriptionStatus;
  /** Part of the address or name, case-insensitive; % and _ match themselves. */
  search?: string;
}

export interface SubscriberListing extends SubscriberRow {
  subscriptions: (SubscriptionRow & { newsletter_slug: string })[];
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// A subscriber matches when one subscription has the newsletter and the status asked for
// (together, when both are given): "active on cotton", not "active somewhere, on cotton somehow".
function matches(filter: SubscriberFilter) {
  return (eb: ExpressionBuilder<Database, 'subscribers'>) => {
    const conds = [];
    if (filter.newsletterId !== undefined || filter.status !== undefined) {
      conds.push(
        eb.exists(
          eb
            .selectFrom('subscriptions as s')
            .select('s.id')
            .whereRef('s.subscriber_id', '=', 'subscribers.id')
            .$if(filter.newsletterId !== undefined, (q) => q.where('s.newsletter_id', '=', filter.newsletterId!))
            .$if(filter.status !== undefined, (q) => q.where('s.status', '=', filter.status!)),
        ),
      );
    }
    const term = filter.search?.trim().toLowerCase();
    if (term) {
      const pattern = `%${escapeLike(term)}%`;
      conds.push(
        eb.or([
          sql<boolean>`lower(coalesce(subscribers.email, '')) like ${pattern} escape '\\'`,
          sql<boolean>`lower(coalesce(subscribers.name, '')) like ${pattern} escape '\\'`,
          sql<boolean>`coalesce(subscribers.telegram_chat_id, '') like ${pattern} escape '\\'`,
        ]),
      );
    }
    return eb.and(conds);
  };
}

export async function countSubscribers(db: Kysely<Database>, filter: SubscriberFilter = {}): Promise<number> {
  const row = await db
    .selectFrom('subscribers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(matches(filter))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Subscribers in id order, each with all their subscriptions (and the newsletters' slugs). */
export async function listSubscribers(
  db: Kysely<Database>,
  filter: SubscriberFilter & { limit?: number; afterId?: number } = {},
): Promise<SubscriberListing[]> {
  const people = await db
    .selectFrom('subscribers')
    .selectAll()
    .where(matches(filter))
    .$if(filter.afterId !== undefined, (q) => q.where('id', '>', filter.afterId!))
    .orderBy('id')
    .limit(filter.limit ?? 100)
    .execute();
  if (people.length === 0) return [];
  const byPerson = new Map<number, SubscriberListing['subscriptions']>();
  // In slices: a long list would pass the bound-parameter limit of either database.
  for (let i = 0; i < people.length; i += 1000) {
    const subs = await db
      .selectFrom('subscriptions')
      .innerJoin('newsletters', 'newsletters.id', 'subscriptions.newsletter_id')
      .selectAll('subscriptions')
      .select('newsletters.slug as newsletter_slug')
      .where(
        'subscriptions.subscriber_id',
        'in',
        people.slice(i, i + 1000).map((p) => p.id),
      )
      .orderBy('subscriptions.id')
      .execute();
    for (const s of subs) {
      const list = byPerson.get(s.subscriber_id) ?? [];
      list.push(s);
      byPerson.set(s.subscriber_id, list);
    }
  }
  return people.map((p) => ({ ...p, subscriptions: byPerson.get(p.id) ?? [] }));
}

/** One email subscription with what an export shows of its subscriber and newsletter. */
export interface ExportedSubscription {
  id: number;
  email: string;
  name: string | null;
  language: SubscriberRow['language'];
  keywords: string;
  newsletter_slug: string;
  status: SubscriptionStatus;
  consent_source: string;
  consent_version: string | null;
  subscribed_at: string;
  confirmed_at: string | null;
}

/** Email subscriptions in id order, one page at a time: pass the last id seen as `afterId`. */
export function exportPage(
  db: Kysely<Database>,
  filter: { newsletterId?: number; status?: SubscriptionStatus },
  page: { afterId: number; limit: number },
): Promise<ExportedSubscription[]> {
  return db
    .selectFrom('subscriptions')
    .innerJoin('subscribers', 'subscribers.id', 'subscriptions.subscriber_id')
    .innerJoin('newsletters', 'newsletters.id', 'subscriptions.newsletter_id')
    .select([
      'subscriptions.id',
      'subscribers.name',
      'subscribers.language',
      'subscriptions.keywords',
      'newsletters.slug as newsletter_slug',
      'subscriptions.status',
      'subscriptions.consent_source',
      'subscriptions.consent_version',
      'subscriptions.subscribed_at',
      'subscriptions.confirmed_at',
    ])
    .select((eb) => eb.fn.coalesce('subscribers.email', sql<string>`''`).as('email'))
    .where('subscriptions.channel', '=', 'email')
    .where('subscribers.email', 'is not', null)
    .$if(filter.newsletterId !== undefined, (q) => q.where('subscriptions.newsletter_id', '=', filter.newsletterId!))
    .$if(filter.status !== undefined, (q) => q.where('subscriptions.status', '=', filter.status!))
    .where('subscriptions.id', '>', page.afterId)
    .orderBy('subscriptions.id')
    .limit(page.limit)
    .execute();
}

/** Every matching email subscription, fetched a page at a time so memory stays flat. */
export async function* exportSubscriptions(
  db: Kysely<Database>,
  filter: { newsletterId?: number; status?: SubscriptionStatus },
  pageSize = 1000,
): AsyncGenerator<ExportedSubscription> {
  let afterId = 0;
  for (;;) {
    const page = await exportPage(db, filter, { afterId, limit: pageSize });
    yield* page;
    if (page.length < pageSize) return;
    afterId = page[page.length - 1]!.id;
  }
}
