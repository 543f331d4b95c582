// Sign-up with double opt-in, from the public form. Whatever happens to a well-formed sign-up
// (new, already subscribed, suppressed, too many mails this hour) the result is the same for
// the person at the form, so it tells nobody who is on the list; the front-end shows "check your
// inbox" either way. One confirmation mail per cooldown per subscription, elected by a
// conditional update, so floods across replicas send one mail.
import { cleanRecipientName } from '../digest/personalize.js';
import { confirmLink, recipientLinks } from '../http/links.js';
import { claimConfirmSend, releaseConfirmSend, suppressionOf } from '../store/consent.js';
import type { NewsletterRow } from '../store/schema.js';
import { countEvents, recordEvent } from '../store/subscriber-events.js';
import { findSubscriberByEmail, subscribe, upsertSubscriber } from '../store/subscribers.js';
import type { SendConfirmation } from '../subscribers/confirm-mail.js';
import { CONSENT_VERSION, type Lang } from '../i18n/index.js';
import type { TokenSigner } from '../subscribers/tokens.js';
import { invalid } from './errors.js';
import { emailOf, subscriberLabel } from './subscribers.js';
import { auditAsSubscriber, type SubscriberContext } from './subscriptions.js';

const HOUR = 3_600_000;

export interface SignUpAdapters {
  tokens: TokenSigner;
  /** Where the links in the mail point (the site's public URL). */
  publicUrl: string;
  sendConfirmation: SendConfirmation;
  confirmTokenMs: number;
  /** Confirmation mails per address per hour, counted in the database (so across replicas). */
  perAddressPerHour: number;
  confirmCooldownMs: number;
  /** The mail is handed over without being awaited; the front-end waits for these on shutdown. */
  track: (p: Promise<unknown>) => void;
}

export interface SignUpInput {
  email: string;
  name?: string | null;
  lang: Lang;
  ip: string;
  /** The enabled newsletters chosen on the form; at least one. */
  newsletters: readonly NewsletterRow[];
}

/**
 * Records a sign-up and mails the confirmation links; silent about everything the form must not
 * reveal. CoreError 'invalid' (field 'email' or 'newsletter') when the form must be shown again.
 */
export async function signUp(ctx: SubscriberContext & SignUpAdapters, input: SignUpInput): Promise<void> {
  const address = emailOf(input.email);
  const newsletters = input.newsletters.filter((n) => n.enabled);
  if (newsletters.length === 0) throw invalid('Choose at least one newsletter.', 'newsletter');
  const { db } = ctx;
  const now = ctx.now();
  const suppressed = await suppressionOf(db, address);
  // Bounced or complained addresses get nothing; someone who left everything may come back.
  if (suppressed && suppressed !== 'unsubscribed-all') return;
  const sent = await countEvents(db, { type: 'confirm-sent', address, since: new Date(now.getTime() - HOUR) });
  if (sent >= ctx.perAddressPerHour) return;
  // A stranger's form must not rename someone already on the list.
  const name = input.name == null ? null : cleanRecipientName(input.name) || null;
  const subscriber = (await findSubscriberByEmail(db, address)) ?? (await upsertSubscriber(db, { email: address, name, language: input.lang }, now));
  const pending: { id: number; newsletter: NewsletterRow }[] = [];
  const created: string[] = [];
  for (const newsletter of newsletters) {
    const consent = { source: 'form', version: CONSENT_VERSION, ip: input.ip };
    const { subscription, outcome } = await subscribe(
      db,
      { subscriberId: subscriber.id, newsletterId: newsletter.id, channel: 'email', status: 'pending', consent },
      now,
    );
    if (outcome !== 'unchanged') created.push(`${newsletter.slug} ${outcome} (pending)`);
    if (subscription.status === 'pending') pending.push({ id: subscription.id, newsletter });
  }
  if (created.length)
    await auditAsSubscriber(ctx, subscriber.id, 'subscriber.add', `${subscriberLabel(subscriber)}: ${created.join(', ')} from the sign-up form`);
  const claimed = new Set(
    await claimConfirmSend(
      db,
      pending.map((p) => p.id),
      now,
      ctx.confirmCooldownMs,
    ),
  );
  const items = pending
    .filter((p) => claimed.has(p.id))
    .map((p) => ({
      subscriptionId: p.id,
      newsletter: p.newsletter.name,
      slug: p.newsletter.slug,
      confirmUrl: confirmLink(ctx.tokens, ctx.publicUrl, p.id, now, ctx.confirmTokenMs),
    }));
  if (items.length === 0) return;
  const first = items[0]!.subscriptionId;
  await recordEvent(db, {
    type: 'confirm-sent',
    subscriberId: subscriber.id,
    subscriptionId: first,
    address,
    ip: input.ip,
    detail: JSON.stringify({ subscriptions: [...claimed] }),
    now,
  });
  const request = {
    to: address,
    name: subscriber.name,
    lang: input.lang,
    subscriberId: subscriber.id,
    items,
    expiresAt: new Date(now.getTime() + ctx.confirmTokenMs),
    links: recipientLinks(ctx.tokens, ctx.publicUrl, { subscriptionId: first, subscriberId: subscriber.id }),
  };
  // Not awaited: how long the mail takes must not tell the form's user anything either.
  ctx.track(
    ctx.sendConfirmation(request).catch(async (err: unknown) => {
      ctx.log.error({ err: (err as Error).message, subscriber: subscriber.id }, 'confirmation mail not sent');
      await releaseConfirmSend(db, [...claimed], now).catch(() => {});
    }),
  );
}
