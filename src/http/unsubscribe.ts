// Unsubscribe links. GET only shows a button (mail scanners fetch links; fetching must change
// nothing); POST is RFC 8058's one-click, sent by the mailbox provider with
// `List-Unsubscribe=One-Click` as urlencoded or multipart, or by the button. It answers 200 with
// a small page after the subscription has ended: no redirect, no cookie. Unsubscribe tokens
// never expire; a bad token of any kind gets the same 400 and changes nothing. The change is the
// core's (src/core/subscriptions.ts).
import type { FastifyInstance } from 'fastify';
import { getNewsletter } from '../store/newsletters.js';
import { unsubscribeOne } from '../core/subscriptions.js';
import { getSubscription } from '../store/subscribers.js';
import { formValue } from './forms.js';
import { langOf, type PageDeps, sendHtml, switchHref, tokenOf } from './page-kit.js';
import { actionPage, messagePage } from './subscriber-pages.js';

export function registerUnsubscribe(app: FastifyInstance, deps: PageDeps): void {
  const { db } = deps;

  const lookup = async (token: string | undefined) => {
    const id = deps.tokens.verify('unsubscribe', token, deps.now());
    if (id === null) return null;
    const subscription = await getSubscription(db, id);
    const newsletter = subscription ? await getNewsletter(db, subscription.newsletter_id) : undefined;
    return { id, subscription, newsletter };
  };

  app.get('/unsubscribe', async (request, reply) => {
    const token = tokenOf(request, 'query-or-body');
    const found = token === undefined ? undefined : await lookup(token);
    const lang = langOf(request, found?.newsletter?.language);
    const frame = { lang, switchHref: switchHref('/unsubscribe', lang, { token }) };
    // The archive's public copy links here without a token: explain where the real link is.
    if (token === undefined) return sendHtml(reply, 200, messagePage(frame, 'unsubscribeTitle', 'unsubscribeHelp'));
    // One page for every bad token, without even the token echoed in a language link.
    if (!found) return sendHtml(reply, 400, messagePage({ lang }, 'invalidLinkTitle', 'invalidLink'));
    const newsletter = found.newsletter?.name ?? deps.sender.organization;
    const status = found.subscription?.status;
    if (status !== 'active' && status !== 'pending') return sendHtml(reply, 200, messagePage(frame, 'unsubscribedTitle', 'unsubscribed', { newsletter }));
    const action = `/unsubscribe?token=${encodeURIComponent(token)}`;
    return sendHtml(
      reply,
      200,
      actionPage(frame, { title: 'unsubscribeTitle', ask: 'unsubscribeAsk', button: 'unsubscribeButton', action, token, newsletter }),
    );
  });

  app.post('/unsubscribe', async (request, reply) => {
    const found = await lookup(tokenOf(request, 'query-or-body'));
    const frame = { lang: langOf(request, found?.newsletter?.language) };
    if (!found) return sendHtml(reply, 400, messagePage(frame, 'invalidLinkTitle', 'invalidLink'));
    // A deleted subscriber's link has nothing left to end: the answer is the same "done".
    if (found.subscription) {
      const source = formValue(request.body, 'List-Unsubscribe') === 'One-Click' ? 'one-click' : 'page';
      await unsubscribeOne(deps, { subscriptionId: found.id, ip: request.ip, source });
    }
    return sendHtml(reply, 200, messagePage(frame, 'unsubscribedTitle', 'unsubscribed', { newsletter: found.newsletter?.name ?? deps.sender.organization }));
  });
}
