// What an admin does with a newsletter besides editing it (pause and resume are in
// newsletters.ts): send a digest now, and preview the next one. Send-now builds the digest and
// its deliveries ledger (slot = now); the service's delivery workers send it, as they send
// scheduled ones.
import type { FastifyInstance } from 'fastify';
import { previewNewsletter } from '../../core/newsletter-preview.js';
import { sendNow } from '../../core/send-now.js';
import { ACTOR, type ApiDeps, coreContext, rawParam } from './context.js';
import { ApiError } from './errors.js';
import { findNewsletter } from './newsletters.js';

export function registerNewsletterActions(api: FastifyInstance, deps: ApiDeps): void {
  api.post('/newsletters/:id/send-now', async (request, reply) => {
    const row = await findNewsletter(deps, request);
    const result = await sendNow({ db: deps.db, now: deps.now, log: deps.log, actor: ACTOR, build: deps.digests, wake: deps.wake ?? (() => {}) }, row.id);
    if (result.status === 'failed')
      throw new ApiError(500, 'digest_failed', `Digest ${result.digestId} of "${row.slug}" failed: ${result.reason ?? 'unknown reason'}. The log has details.`);
    const ready = result.status === 'ready';
    return reply.code(ready ? 201 : 200).send({
      digestId: result.digestId,
      status: result.status,
      ...(ready ? { subject: result.subject ?? null, stories: result.stories, recipients: result.recipients } : { reason: result.reason }),
    });
  });

  api.get('/newsletters/:id/preview', async (request) => {
    const preview = await previewNewsletter({ ...coreContext(deps), render: deps.digests.render, sender: deps.sender }, rawParam(request, 'id'));
    const window = preview.window && { start: preview.window.start.toISOString(), end: preview.window.end.toISOString() };
    if (preview.status === 'empty') return { status: 'skipped', reason: preview.reason, window };
    const { subject, html, text, telegram, items } = preview;
    return { status: 'ready', subject, html, text, telegram, items, window };
  });
}
