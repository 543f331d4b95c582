// The preferences page: a subscriber's subscriptions, keywords per subscription, leaving and
// rejoining newsletters, and "unsubscribe from everything". The preferences token (subscriber id,
// never expires) is the capability; a POST must carry it in its body, so a cross-site form
// cannot act without having the link, and GET changes nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { liftSuppression } from '../store/consent.js';
import { listNewsletters } from '../store/newsletters.js';
import { recordEvent, suppress } from '../store/subscriber-events.js';
import { getSubscriber, listSubscriptionsOf, setKeywords, storedKeywords, subscribe, unsubscribe } from '../store/subscribers.js';
import type { SubscriberRow } from '../store/schema.js';
import { CONSENT_VERSION } from '../i18n/index.js';
import { formValue } from './forms.js';
import { langOf, type PageDeps, sendHtml, switchHref, tokenOf } from './page-kit.js';
import { messagePage, type PreferenceRow, preferencesPage } from './subscriber-pages.js';

export const MAX_KEYWORDS = 20;
export const MAX_KEYWORD_LENGTH = 50;

/** Comma- (or 、，;) separated words: trimmed, one line each, bounded, no duplicates. */
export function parseKeywords(raw: string): string[] {
  const out = new Map<string, string>();
  for (const piece of raw.slice(0, 2000).split(/[,，、;；\n]+/)) {
    const word = piece
      .replace(/[^\p{L}\p{N}\p{M} .+#&'-]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, MAX_KEYWORD_LENGTH)
      .trim();
    if (word && !out.has(word.toLowerCase())) out.set(word.toLowerCase(), word);
    if (out.size >= MAX_KEYWORDS) break;
  }
  return [...out.values()];
}


export function registerPreferences(app: FastifyInstance, deps: PageDeps): void {
  const { db } = deps;

  const render = async (request: FastifyRequest, reply: FastifyReply, subscriber: SubscriberRow, token: string, saved: boolean) => {
    const lang = langOf(request, subscriber.language);
    const [subscriptions, newsletters] = await Promise.all([listSubscriptionsOf(db, subscriber.id), listNewsletters(db)]);
    const byId = new Map(newsletters.map((n) => [n.id, n]));
    const rows: PreferenceRow[] = subscriptions.map((s) => ({
      subscriptionId: s.id,
      newsletter: byId.get(s.newsletter_id)?.name ?? '',
      channel: s.channel,
      status: s.status,
      keywords: storedKeywords(s.keywords),
    }));
    const joined = new Set(subscriptions.filter((s) => s.channel === 'email').map((s) => s.newsletter_id));
    const others = subscriber.email ? newsletters.filter((n) => n.enabled && !joined.has(n.id)).map((n) => ({ id: n.id, name: n.name })) : [];
    // Offered to an email subscriber whose Telegram chat is not connected yet.
    const telegramUrl = subscriber.email && !subscriber.telegram_chat_id ? deps.telegramLink?.(subscriber.id, deps.now()) : undefined;
    const view = { lang, switchHref: switchHref('/preferences', lang, { token }), action: '/preferences', token, address: subscriber.email ?? subscriber.telegram_chat_id ?? '', rows, others, telegramUrl };
    return sendHtml(reply, 200, preferencesPage({ ...view, notice: saved ? 'saved' : undefined }));
  };

  const invalid = (request: FastifyRequest, reply: FastifyReply) => sendHtml(reply, 400, messagePage({ lang: langOf(request) }, 'invalidLinkTitle', 'invalidLink'));

  app.get('/preferences', async (request, reply) => {
    const token = tokenOf(request, 'query-or-body');
    if (token === undefined) return sendHtml(reply, 200, messagePage({ lang: langOf(request) }, 'preferencesTitle', 'preferencesHelp'));
    const id = deps.tokens.verify('preferences', token, deps.now());
    const subscriber = id === null ? undefined : await getSubscriber(db, id);
    return subscriber ? render(request, reply, subscriber, token, false) : invalid(request, reply);
  });

  app.post('/preferences', async (request, reply) => {
    const now = deps.now();
    const token = tokenOf(request, 'body');
    const id = deps.tokens.verify('preferences', token, now);
    const subscriber = id === null ? undefined : await getSubscriber(db, id);
    if (!subscriber || !token) return invalid(request, reply);
    const ip = request.ip;
    const subscriptions = await listSubscriptionsOf(db, subscriber.id);
    const action = formValue(request.body, 'action');
    const target = subscriptions.find((s) => String(s.id) === formValue(request.body, 'subscription'));
    const consent = { source: 'preferences', version: CONSENT_VERSION, ip };
    // Opting in again from their own mailbox's link outweighs an earlier "stop everything" or complaint.
    const welcomeBack = () => (subscriber.email ? liftSuppression(db, subscriber.email, ['unsubscribed-all', 'complaint']) : Promise.resolve(false));
    if (action === 'keywords' && target?.status === 'active') {
      const keywords = parseKeywords(formValue(request.body, 'keywords') ?? '');
      await setKeywords(db, target.id, keywords, now);
      await recordEvent(db, { type: 'preferences', subscriberId: subscriber.id, subscriptionId: target.id, ip, detail: JSON.stringify({ keywords }), now });
    } else if (action === 'unsubscribe' && target) {
      await unsubscribe(db, target.id, { ip, source: 'preferences' }, now);
    } else if (action === 'resubscribe' && target?.status === 'unsubscribed') {
      await subscribe(db, { subscriberId: subscriber.id, newsletterId: target.newsletter_id, channel: target.channel, status: 'active', consent }, now);
      await welcomeBack();
    } else if (action === 'subscribe' && subscriber.email) {
      const newsletter = (await listNewsletters(db, { enabled: true })).find((n) => String(n.id) === formValue(request.body, 'newsletter'));
      if (!newsletter || subscriptions.some((s) => s.newsletter_id === newsletter.id && s.channel === 'email')) return invalid(request, reply);
      await subscribe(db, { subscriberId: subscriber.id, newsletterId: newsletter.id, channel: 'email', status: 'active', consent }, now);
      await welcomeBack();
    } else if (action === 'unsubscribe-all') {
      for (const s of subscriptions) if (s.status === 'active' || s.status === 'pending') await unsubscribe(db, s.id, { ip, source: 'preferences-all' }, now);
      if (subscriber.email && (await suppress(db, { address: subscriber.email, channel: 'email', reason: 'unsubscribed-all' }, now))) {
        await recordEvent(db, { type: 'suppressed', subscriberId: subscriber.id, address: subscriber.email, ip, detail: 'unsubscribed-all', now });
      }
    } else {
      return invalid(request, reply);
    }
    return render(request, reply, subscriber, token, true);
  });
}
