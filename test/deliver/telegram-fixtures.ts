// Shared set-up for the Telegram delivery tests: a newsletter with Telegram subscribers (chat
// ids as given), ready digests with chosen parts and their ledgers, and the send loop's deps
// pointed at a Bot API emulator.
import type { Kysely } from 'kysely';
import { createDeliveries } from '../../src/store/deliveries.js';
import { Pacer, type PacingLimits, TELEGRAM_PACING } from '../../src/deliver/pacing.js';
import { telegramChannel } from '../../src/deliver/telegram.js';
import { botApiClient } from '../../src/deliver/telegram-api.js';
import { type TelegramSendDeps, telegramPartsLoader } from '../../src/deliver/telegram-send.js';
import type { DigestModel } from '../../src/digest/model.js';
import type { TelegramPart } from '../../src/digest/render-telegram.js';
import type { Logger } from '../../src/log.js';
import { silentLogger } from '../../src/log.js';
import type { DialectName } from '../../src/store/db.js';
import { claimDigest, completeDigest } from '../../src/store/digests.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { Database } from '../../src/store/schema.js';

export const text = (html: string): TelegramPart => ({ kind: 'text', html, disableLinkPreview: true });

/** A newsletter whose active Telegram subscribers are `chats` (addresses "id" or "id:thread"). */
export async function telegramNewsletter(
  db: Kysely<Database>,
  chats: readonly string[],
  now: Date,
  slug = 'news',
): Promise<{ newsletterId: number; subscriberIds: Map<string, number> }> {
  const nl = await addNewsletter(db, { slug, name: 'News' }, now);
  const at = now.toISOString();
  const subscriberIds = new Map<string, number>();
  for (let i = 0; i < chats.length; i += 500) {
    const batch = chats.slice(i, i + 500);
    const people = await db
      .insertInto('subscribers')
      .values(batch.map((c) => ({ email: null, telegram_chat_id: c, name: null, language: 'en' as const, created_at: at, updated_at: at })))
      .returning(['id', 'telegram_chat_id'])
      .execute();
    for (const p of people) subscriberIds.set(p.telegram_chat_id!, p.id);
    await db
      .insertInto('subscriptions')
      .values(
        people.map((p) => ({
          subscriber_id: p.id,
          newsletter_id: nl.id,
          channel: 'telegram' as const,
          status: 'active' as const,
          consent_source: 'telegram',
          subscribed_at: at,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
  }
  return { newsletterId: nl.id, subscriberIds };
}

/** A ready digest with these Telegram parts and its ledger; returns the digest id. */
export async function telegramDigest(db: Kysely<Database>, newsletterId: number, parts: TelegramPart[], slotAt: Date): Promise<number> {
  const id = (await claimDigest(db, newsletterId, slotAt, slotAt))!.id;
  const model = {
    newsletter: { id: newsletterId, slug: 'news', name: 'News', language: 'en' },
    slotAt,
    timeZone: 'UTC',
    archiveUrl: null,
    sections: [],
  } as unknown as DigestModel;
  await db.transaction().execute(async (trx) => {
    await completeDigest(
      trx,
      id,
      { articleIds: [], model, subject: 'News', preheader: '', html: '<p>x</p>', text: 'x', telegram: parts, windowStart: slotAt, windowEnd: slotAt },
      slotAt,
    );
    await createDeliveries(trx, { digestId: id, newsletterId, domain: 'news.example.org', now: slotAt });
  });
  return id;
}

export interface SendDepsInput {
  db: Kysely<Database>;
  dialect: DialectName;
  apiRoot: string;
  token: string;
  limits?: Partial<PacingLimits>;
  now?: () => Date;
  log?: Logger;
}

export function telegramDeps(i: SendDepsInput): TelegramSendDeps & { pacer: Pacer } {
  const pacer = new Pacer({ ...TELEGRAM_PACING, ...i.limits });
  const log = i.log ?? silentLogger();
  const channel = telegramChannel({ api: botApiClient({ apiRoot: i.apiRoot, token: i.token }), pacer, log });
  return { db: i.db, dialect: i.dialect, channel, log, now: i.now ?? (() => new Date()), partsFor: telegramPartsLoader(i.db), pacer };
}

/** True when no `limit + 1` of these times (ms, any order) fall within one `windowMs`. */
export function withinWindows(times: readonly number[], limit: number, windowMs: number): boolean {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = limit; i < sorted.length; i++) if (sorted[i]! - sorted[i - limit]! < windowMs) return false;
  return true;
}
