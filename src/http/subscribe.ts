// Sign-up with double opt-in. Whatever happens to a well-formed sign-up (new, already subscribed,
// suppressed, rate-limited per address, honeypot filled), the answer is the same "check your
// inbox" page, so the form tells nobody who is on the list. One confirmation mail per cooldown
// per subscription, elected by a conditional update, so floods across replicas send one mail.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getNewsletter, listNewsletters } from '../store/newsletters.js';
import { claimConfirmSend, liftSuppression, releaseConfirmSend, suppressionOf } from '../store/consent.js';
import { countEvents, recordEvent } from '../store/subscriber-events.js';
import { confirmSubscription, findSubscriberByEmail, getSubscriber, getSubscription, subscribe, upsertSubscriber } from '../store/subscribers.js';
import type { NewsletterRow } from '../store/schema.js';
import { parseEmailAddress } from '../subscribers/address.js';
import { CONSENT_VERSION, type Lang } from '../i18n/index.js';
import { cleanRecipientName } from '../digest/personalize.js';
import { formValue, formValues } from './forms.js';
import { confirmLink, recipientLinks } from './links.js';
import { DEFAULT_LIMITS, langOf, type PageDeps, sendHtml, switchHref, tokenOf } from './page-kit.js';
import { slidingWindowLimiter } from './rate-limit.js';
import { actionPage, messagePage, subscribeForm } from './subscriber-pages.js';

const HOUR = 3_600_000;

interface SignUp {
  address: string;
  name: string | null;
  lang: Lang;
  ip: string;
  newsletters: NewsletterRow[];
}

export function registerSubscribe(app: FastifyInstance, deps: PageDeps, track: (p: Promise<unknown>) => void): void {
  const { db, log, sender } = deps;
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const perIp = slidingWindowLimiter({ limit: limits.perIpPerHour, windowMs: HOUR });
  const perAddress = slidingWindowLimiter({ limit: limits.perAddressPerHour, windowMs: HOUR });

  const fixedNewsletter = async (slug: string | undefined) => {
    if (slug === undefined) return undefined;
    const n = slug.length > 64 ? undefined : await getNewsletter(db, slug);
    return n?.enabled ? n : null;
  };

  const showForm = async (request: FastifyRequest<{ Params: { slug?: string } }>, reply: FastifyReply) => {
    const fixed = await fixedNewsletter(request.params.slug);
    if (fixed === null) return sendHtml(reply, 404, messagePage({ lang: langOf(request) }, 'invalidLinkTitle', 'invalidLink'));
    const lang = langOf(request, fixed?.language);
    const path = request.params.slug ? `/n/${encodeURIComponent(request.params.slug)}/subscribe` : '/subscribe';
    const newsletters = fixed ? [] : await listNewsletters(db, { enabled: true });
    return sendHtml(reply, 200, subscribeForm({ lang, switchHref: switchHref(path, lang), action: path, organization: sender.organization, newsletters, fixed }));
  };

  const submit = async (request: FastifyRequest<{ Params: { slug?: string } }>, reply: FastifyReply) => {
    const now = deps.now();
    const fixed = await fixedNewsletter(request.params.slug);
    const lang = langOf(request, fixed?.language);
    const path = request.params.slug ? `/n/${encodeURIComponent(request.params.slug)}/subscribe` : '/subscribe';
    const frame = { lang, switchHref: switchHref(path, lang) };
    if (fixed === null) return sendHtml(reply, 404, messagePage(frame, 'invalidLinkTitle', 'invalidLink'));
    if (!perIp.hit(request.ip, now)) {
      reply.header('retry-after', String(perIp.retryAfter(request.ip, now)));
      return sendHtml(reply, 429, messagePage(frame, 'tooManyTitle', 'tooMany'));
    }
    const neutral = () => sendHtml(reply, 200, messagePage(frame, 'checkInboxTitle', 'checkInbox'));
    if ((formValue(request.body, 'website') ?? '').trim() !== '') return neutral();

    const all = fixed ? [fixed] : await listNewsletters(db, { enabled: true });
    const wanted = new Set(formValues(request.body, 'newsletter'));
    const chosen = all.length === 1 ? all : all.filter((n) => wanted.has(n.slug));
    const email = formValue(request.body, 'email') ?? '';
    const name = cleanRecipientName(formValue(request.body, 'name') ?? '') || null;
    const values = { email: email.slice(0, 254), name: name ?? '', chosen: [...wanted] };
    const form = { ...frame, action: path, organization: sender.organization, newsletters: fixed ? [] : all, fixed, values };
    const parsed = parseEmailAddress(email);
    if (!parsed.ok) return sendHtml(reply, 400, subscribeForm({ ...form, error: 'invalidEmail' }));
    if (chosen.length === 0) return sendHtml(reply, 400, subscribeForm({ ...form, error: all.length ? 'chooseOne' : undefined }));
    if (!perAddress.hit(parsed.address, now)) return neutral();
    await signUp({ address: parsed.address, name, lang, ip: request.ip, newsletters: chosen }, now);
    return neutral();
  };

  async function signUp(s: SignUp, now: Date): Promise<void> {
    const suppressed = await suppressionOf(db, s.address);
    // Bounced or complained addresses get nothing; someone who left everything may come back.
    if (suppressed && suppressed !== 'unsubscribed-all') return;
    // The per-address limit across processes: confirmation mails already sent this hour.
    const sent = await countEvents(db, { type: 'confirm-sent', address: s.address, since: new Date(now.getTime() - HOUR) });
    if (sent >= limits.perAddressPerHour) return;
    // A stranger's form must not rename someone already on the list.
    const known = await findSubscriberByEmail(db, s.address);
    const subscriber = known ?? (await upsertSubscriber(db, { email: s.address, name: s.name, language: s.lang }, now));
    const pending: { id: number; newsletter: NewsletterRow }[] = [];
    for (const newsletter of s.newsletters) {
      const consent = { source: 'form', version: CONSENT_VERSION, ip: s.ip };
      const { subscription } = await subscribe(db, { subscriberId: subscriber.id, newsletterId: newsletter.id, channel: 'email', status: 'pending', consent }, now);
      if (subscription.status === 'pending') pending.push({ id: subscription.id, newsletter });
    }
    const claimed = new Set(await claimConfirmSend(db, pending.map((p) => p.id), now, limits.confirmCooldownMs));
    const items = pending
      .filter((p) => claimed.has(p.id))
      .map((p) => ({ subscriptionId: p.id, newsletter: p.newsletter.name, slug: p.newsletter.slug, confirmUrl: confirmLink(deps.tokens, sender.publicUrl, p.id, now, deps.confirmTokenMs) }));
    if (items.length === 0) return;
    const first = items[0]!.subscriptionId;
    await recordEvent(db, { type: 'confirm-sent', subscriberId: subscriber.id, subscriptionId: first, address: s.address, ip: s.ip, detail: JSON.stringify({ subscriptions: [...claimed] }), now });
    const request = {
      to: s.address,
      name: subscriber.name,
      lang: s.lang,
      subscriberId: subscriber.id,
      items,
      expiresAt: new Date(now.getTime() + deps.confirmTokenMs),
      links: recipientLinks(deps.tokens, sender.publicUrl, { subscriptionId: first, subscriberId: subscriber.id }),
    };
    // Not awaited: how long the mail takes must not tell the form's user anything either.
    track(
      deps.sendConfirmation(request).catch(async (err: unknown) => {
        log.error({ err: (err as Error).message, subscriber: subscriber.id }, 'confirmation mail not sent');
        await releaseConfirmSend(db, [...claimed], now).catch(() => {});
      }),
    );
  }

  app.get('/subscribe', showForm);
  app.post('/subscribe', submit);
  app.get('/n/:slug/subscribe', showForm);
  app.post('/n/:slug/subscribe', submit);

  app.get('/confirm', async (request, reply) => {
    const token = tokenOf(request, 'query-or-body');
    const id = deps.tokens.verify('confirm', token, deps.now());
    const subscription = id === null ? undefined : await getSubscription(db, id);
    const newsletter = subscription ? await getNewsletter(db, subscription.newsletter_id) : undefined;
    const lang = langOf(request, newsletter?.language);
    const frame = { lang, switchHref: switchHref('/confirm', lang, { token }) };
    if (!token || subscription?.status !== 'pending' || !newsletter) return sendHtml(reply, 400, messagePage({ lang }, 'invalidLinkTitle', 'invalidLink'));
    return sendHtml(
      reply,
      200,
      actionPage(frame, { title: 'confirmTitle', ask: 'confirmAsk', button: 'confirmButton', action: '/confirm', token, newsletter: newsletter.name }),
    );
  });

  app.post('/confirm', async (request, reply) => {
    const now = deps.now();
    const id = deps.tokens.verify('confirm', tokenOf(request, 'body') ?? tokenOf(request, 'query-or-body'), now);
    const subscription = id === null ? undefined : await getSubscription(db, id);
    const newsletter = subscription ? await getNewsletter(db, subscription.newsletter_id) : undefined;
    const lang = langOf(request, newsletter?.language);
    const frame = { lang };
    const outcome = subscription && newsletter ? await confirmSubscription(db, subscription.id, { ip: request.ip }, now) : 'gone';
    if (outcome !== 'confirmed') return sendHtml(reply, 400, messagePage(frame, 'invalidLinkTitle', 'invalidLink'));
    const subscriber = await getSubscriber(db, subscription!.subscriber_id);
    // They asked for mail again, with proof of the mailbox: a past "unsubscribe from all" ends.
    if (subscriber?.email) await liftSuppression(db, subscriber.email, ['unsubscribed-all']);
    return sendHtml(reply, 200, messagePage(frame, 'confirmedTitle', 'confirmed', { newsletter: newsletter!.name }));
  });
}
