// The preferences page: a subscriber's subscriptions, keywords per subscription, leaving and
// rejoining newsletters, and "unsubscribe from everything". The preferences token (subscriber id,
// never expires) is the capability; a POST must carry it in its body, so a cross-site form
// cannot act without having the link, and GET changes nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCoreError } from '../core/errors.js';
import { changePreferences, type PreferenceChange } from '../core/subscriptions.js';
import { listNewsletters } from '../store/newsletters.js';
import { getSubscriber, listSubscriptionsOf, storedKeywords } from '../store/subscribers.js';
import type { SubscriberRow } from '../store/schema.js';
import { formValue } from './forms.js';
import { langOf, type PageDeps, sendHtml, switchHref, tokenOf } from './page-kit.js';
import { messagePage, type PreferenceRow, preferencesPage } from './subscriber-pages.js';

/** The form's fields as one change; undefined for a form that asks for none. */
function changeOf(body: unknown): PreferenceChange | undefined {
  const action = formValue(body, 'action');
  const subscriptionId = Number(formValue(body, 'subscription'));
  const newsletterId = Number(formValue(body, 'newsletter'));
  if (action === 'unsubscribe-all') return { action };
  if (action === 'subscribe') return Number.isInteger(newsletterId) && newsletterId > 0 ? { action, newsletterId } : undefined;
  if (!Number.isInteger(subscriptionId) || subscriptionId <= 0) return undefined;
  if (action === 'keywords') return { action, subscriptionId, keywords: formValue(body, 'keywords') ?? '' };
  if (action === 'unsubscribe' || action === 'resubscribe') return { action, subscriptionId };
  return undefined;
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
    const view = {
      lang,
      switchHref: switchHref('/preferences', lang, { token }),
      action: '/preferences',
      token,
      address: subscriber.email ?? subscriber.telegram_chat_id ?? '',
      rows,
      others,
      telegramUrl,
    };
    return sendHtml(reply, 200, preferencesPage({ ...view, notice: saved ? 'saved' : undefined }));
  };

  const invalid = (request: FastifyRequest, reply: FastifyReply) =>
    sendHtml(reply, 400, messagePage({ lang: langOf(request) }, 'invalidLinkTitle', 'invalidLink'));

  app.get('/preferences', async (request, reply) => {
    const token = tokenOf(request, 'query-or-body');
    if (token === undefined) return sendHtml(reply, 200, messagePage({ lang: langOf(request) }, 'preferencesTitle', 'preferencesHelp'));
    const id = deps.tokens.verify('preferences', token, deps.now());
    const subscriber = id === null ? undefined : await getSubscriber(db, id);
    return subscriber ? render(request, reply, subscriber, token, false) : invalid(request, reply);
  });

  app.post('/preferences', async (request, reply) => {
    const token = tokenOf(request, 'body');
    const id = deps.tokens.verify('preferences', token, deps.now());
    const subscriber = id === null ? undefined : await getSubscriber(db, id);
    if (!subscriber || !token) return invalid(request, reply);
    const change = changeOf(request.body);
    if (!change) return invalid(request, reply);
    try {
      await changePreferences(deps, { subscriberId: subscriber.id, ip: request.ip, change });
    } catch (err) {
      if (!isCoreError(err)) throw err;
      return invalid(request, reply);
    }
    return render(request, reply, subscriber, token, true);
  });
}
