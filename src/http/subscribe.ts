// The sign-up form and the confirm link: parse the form, apply the per-process rate limits, call
// the core (src/core/signup.ts, subscriptions.ts), show the page. Whatever happens to a
// well-formed sign-up (new, already subscribed, suppressed, rate-limited per address, honeypot
// filled), the answer is the same "check your inbox" page, so the form tells nobody who is on
// the list.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCoreError } from '../core/errors.js';
import { signUp } from '../core/signup.js';
import { emailOf } from '../core/subscribers.js';
import { confirmSignUp } from '../core/subscriptions.js';
import { getNewsletter, listNewsletters } from '../store/newsletters.js';
import { getSubscription } from '../store/subscribers.js';
import { formValue, formValues } from './forms.js';
import { DEFAULT_LIMITS, langOf, type PageDeps, sendHtml, switchHref, tokenOf } from './page-kit.js';
import { slidingWindowLimiter } from './rate-limit.js';
import { actionPage, messagePage, subscribeForm } from './subscriber-pages.js';

const HOUR = 3_600_000;

export function registerSubscribe(app: FastifyInstance, deps: PageDeps, track: (p: Promise<unknown>) => void): void {
  const { db, sender } = deps;
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const perIp = slidingWindowLimiter({ limit: limits.perIpPerHour, windowMs: HOUR });
  const perAddress = slidingWindowLimiter({ limit: limits.perAddressPerHour, windowMs: HOUR });
  const signUpCtx = {
    db,
    now: deps.now,
    log: deps.log,
    tokens: deps.tokens,
    publicUrl: sender.publicUrl,
    sendConfirmation: deps.sendConfirmation,
    confirmTokenMs: deps.confirmTokenMs,
    perAddressPerHour: limits.perAddressPerHour,
    confirmCooldownMs: limits.confirmCooldownMs,
    track,
  };

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
    return sendHtml(
      reply,
      200,
      subscribeForm({ lang, switchHref: switchHref(path, lang), action: path, organization: sender.organization, newsletters, fixed }),
    );
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
    const name = formValue(request.body, 'name') ?? '';
    const values = { email: email.slice(0, 254), name, chosen: [...wanted] };
    const form = { ...frame, action: path, organization: sender.organization, newsletters: fixed ? [] : all, fixed, values };
    let address: string;
    try {
      address = emailOf(email);
    } catch (err) {
      if (!isCoreError(err)) throw err;
      return sendHtml(reply, 400, subscribeForm({ ...form, error: 'invalidEmail' }));
    }
    if (chosen.length === 0) return sendHtml(reply, 400, subscribeForm({ ...form, error: all.length ? 'chooseOne' : undefined }));
    if (!perAddress.hit(address, now)) return neutral();
    await signUp(signUpCtx, { email: address, name, lang, ip: request.ip, newsletters: chosen });
    return neutral();
  };

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
    const frame = { lang: langOf(request, newsletter?.language) };
    const outcome = subscription && newsletter ? await confirmSignUp(deps, { subscriptionId: subscription.id, ip: request.ip }) : 'gone';
    if (outcome !== 'confirmed') return sendHtml(reply, 400, messagePage(frame, 'invalidLinkTitle', 'invalidLink'));
    return sendHtml(reply, 200, messagePage(frame, 'confirmedTitle', 'confirmed', { newsletter: newsletter!.name }));
  });
}
