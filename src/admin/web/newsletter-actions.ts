// "Send now" builds the digest for this moment and writes its deliveries ledger; the service's
// send loops deliver it. "Preview" builds the same digest without claiming a slot or recording
// anything, and shows the email as the archive would, under the archive's strict CSP.
import type { FastifyInstance } from 'fastify';
import { HTML } from '../../http/page-kit.js';
import { CONTENT_SECURITY_POLICY } from '../../http/security.js';
import { getNewsletter } from '../../store/newsletters.js';
import type { Actor } from '../../core/context.js';
import { HTTP_STATUS, isCoreError } from '../../core/errors.js';
import { previewNewsletter } from '../../core/newsletter-preview.js';
import { type SendNowResult, sendNow } from '../../core/send-now.js';
import { coreContext, idParam, notFound, sendPage } from './context.js';
import { sessionOf } from './session.js';
import { h } from './layout.js';
import { orMissing } from './newsletters.js';
import type { AdminDeps } from './types.js';

export function registerNewsletterActions(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;

  app.post('/admin/newsletters/:id/send', async (request, reply) => {
    const id = idParam(request);
    const n = id === undefined ? undefined : await getNewsletter(db, id);
    if (!n) return notFound(request, reply, 'newsletter');
    const back = `<p><a href="/admin">Dashboard</a> · <a href="/admin/newsletters/${n.id}">${h(n.name)}</a></p>`;
    const ctx = { db, now: deps.now, log: deps.log, actor: sessionOf(request).actor as Actor, build: deps.build, wake: deps.wake ?? (() => {}) };
    let result: SendNowResult;
    try {
      result = await sendNow(ctx, n.id);
    } catch (err) {
      if (!isCoreError(err)) throw err;
      return sendPage(request, reply, 'Not sent', `<h1>Not sent</h1><p>${h(err.message)}</p>${back}`, { status: HTTP_STATUS[err.code] });
    }
    if (result.status === 'ready') {
      const link = `<a href="/n/${encodeURIComponent(n.slug)}/${result.digestId}">digest ${result.digestId}</a>`;
      return sendPage(
        request,
        reply,
        'Sent',
        `<h1>Digest built</h1><p>${link} is ready with ${result.recipients} deliveries queued; the service's send loops deliver them (see the dashboard).</p>${back}`,
      );
    }
    const why =
      result.status === 'skipped'
        ? `Nothing was sent: ${result.reason ?? 'no new articles'}. Articles arrive with the next ingest of the newsletter's sources.`
        : `The digest could not be built: ${result.reason ?? 'see the log'}.`;
    return sendPage(request, reply, 'Not sent', `<h1>Not sent</h1><p>${h(why)}</p>${back}`, { status: result.status === 'failed' ? 500 : 409 });
  });

  app.get('/admin/newsletters/:id/preview', async (request, reply) => {
    const id = idParam(request);
    if (id === undefined) return notFound(request, reply, 'newsletter');
    const preview = await orMissing(previewNewsletter({ ...coreContext(deps, request), render: deps.build.render, sender: deps.sender }, id));
    if (!preview) return notFound(request, reply, 'newsletter');
    const n = preview.newsletter;
    if (preview.status === 'empty') {
      return sendPage(
        request,
        reply,
        'Preview',
        `<h1>Nothing to preview</h1><p>${h(`The next digest of ${n.name} would be empty: ${preview.reason}.`)}</p><p><a href="/admin/newsletters/${n.id}">Back</a></p>`,
      );
    }
    // The digest is text from strangers: shown under the archive's policy (no script, no form).
    return reply.header('content-security-policy', CONTENT_SECURITY_POLICY).type(HTML).send(preview.html);
  });
}
