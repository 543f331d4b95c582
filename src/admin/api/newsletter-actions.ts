// What an admin does to a newsletter besides editing it: pause and resume its schedule, send a
// digest now, and preview the next one. Send-now builds the digest and its deliveries ledger
// (slot = now); the service's delivery workers send it, as they send scheduled ones.
import type { FastifyInstance } from 'fastify';
import { buildDigest } from '../../digest/build.js';
import { digestItems } from '../../digest/model.js';
import { personalize } from '../../digest/personalize.js';
import { archiveRecipient } from '../../http/archive.js';
import { updateNewsletter } from '../../store/newsletters.js';
import { sendNow } from '../../core/send-now.js';
import { ACTOR, type ApiDeps, changed } from './context.js';
import { ApiError, notFound } from './errors.js';
import { findNewsletter } from './newsletters.js';
import { newsletterJson } from './present.js';

export function registerNewsletterActions(api: FastifyInstance, deps: ApiDeps): void {
  const build = () => ({ ...deps.digests, db: deps.db, now: deps.now, log: deps.log });

  for (const [verb, enabled] of [['pause', false], ['resume', true]] as const) {
    api.post(`/newsletters/:id/${verb}`, async (request) => {
      const row = await findNewsletter(deps, request);
      // Resuming restarts the schedule's count (store): the slots it was paused for are not owed.
      const updated = (row.enabled === 1) === enabled ? row : await updateNewsletter(deps.db, row.id, { enabled }, deps.now());
      if (!updated) throw notFound(`Newsletter ${row.id} was deleted meanwhile.`);
      await changed(deps, `newsletter.${verb}`, `newsletter ${row.id} "${row.slug}" ${enabled ? 'resumed' : 'paused'}${updated === row ? ' (already)' : ''}`);
      return newsletterJson(updated);
    });
  }

  api.post('/newsletters/:id/send-now', async (request, reply) => {
    const row = await findNewsletter(deps, request);
    const result = await sendNow({ db: deps.db, now: deps.now, log: deps.log, actor: ACTOR, build: deps.digests, wake: deps.wake ?? (() => {}) }, row.id);
    if (result.status === 'failed') throw new ApiError(500, 'digest_failed', `Digest ${result.digestId} of "${row.slug}" failed: ${result.reason ?? 'unknown reason'}. The log has details.`);
    const ready = result.status === 'ready';
    return reply.code(ready ? 201 : 200).send({
      digestId: result.digestId,
      status: result.status,
      ...(ready ? { subject: result.subject ?? null, stories: result.stories, recipients: result.recipients } : { reason: result.reason }),
    });
  });

  api.get('/newsletters/:id/preview', async (request) => {
    const row = await findNewsletter(deps, request);
    const result = await buildDigest(build(), row, deps.now(), { preview: true });
    const window = result.window && { start: result.window.start.toISOString(), end: result.window.end.toISOString() };
    if (result.status !== 'ready' || !result.model || !result.parts) return { status: 'skipped', reason: result.reason ?? 'nothing to preview', window };
    // What an archive reader would see: real links in place of the per-recipient placeholders.
    const copy = personalize(result.parts, archiveRecipient(deps.sender));
    const items = digestItems(result.model).map((i) => ({ articleId: i.articleId, title: i.title, reasons: i.reasons }));
    return { status: 'ready', subject: copy.subject, html: copy.html, text: copy.text, telegram: result.parts.telegram, items, window };
  });
}
