// "Send now": build the newsletter's digest for this moment and queue its deliveries, then wake
// the delivery loop. Every front-end (CLI, admin web UI, JSON API, bot) calls this one function,
// so a send-now never mails inline: the ledger rows written with the digest are the queue, and
// whichever process runs the delivery loop sends them, as it sends scheduled digests.
import { type BuildDeps, buildDigest } from '../digest/build.js';
import { digestItems } from '../digest/model.js';
import type { NewsletterRow } from '../store/schema.js';
import { recordAudit } from './audit.js';
import type { CoreContext } from './context.js';
import { conflict } from './errors.js';
import { findNewsletter, type NewsletterKey } from './newsletters.js';

export interface SendNowContext extends CoreContext {
  /** How a digest is rendered and its ledger written (the process's one builder). */
  build: Omit<BuildDeps, 'db' | 'now' | 'log'>;
  /** Cuts this process's delivery loop's idle wait short; a no-op where no loop runs here. */
  wake: () => void;
}

export interface SendNowResult {
  newsletter: NewsletterRow;
  /** ready: built and queued; skipped: nothing new since the last digest; failed: see reason. */
  status: 'ready' | 'skipped' | 'failed';
  digestId?: number;
  /** Deliveries queued (0 unless ready). */
  recipients: number;
  stories: number;
  subject?: string;
  reason?: string;
}

export async function sendNow(ctx: SendNowContext, newsletterKey: NewsletterKey): Promise<SendNowResult> {
  const newsletter = await findNewsletter(ctx, newsletterKey);
  const what = `newsletter ${newsletter.id} "${newsletter.slug}"`;
  if (!newsletter.enabled) {
    await recordAudit(ctx, 'newsletter.send', `${what}: refused, paused`, false);
    throw conflict(`Newsletter "${newsletter.slug}" is paused; resume it first, or preview it instead.`);
  }
  const r = await buildDigest({ ...ctx.build, db: ctx.db, now: ctx.now, log: ctx.log }, newsletter, ctx.now());
  if (r.status === 'not-owner') {
    await recordAudit(ctx, 'newsletter.send', `${what}: refused, another run is building this moment's digest`, false);
    throw conflict(`A digest of "${newsletter.slug}" for this very moment is already being built; look at its digests in a moment.`);
  }
  const result: SendNowResult = {
    newsletter,
    status: r.status,
    digestId: r.digestId,
    recipients: r.status === 'ready' ? (r.recipients ?? 0) : 0,
    stories: r.model ? digestItems(r.model).length : 0,
    subject: r.parts?.subject,
    reason: r.reason,
  };
  const detail =
    r.status === 'ready'
      ? `digest ${r.digestId} ready, ${result.recipients} deliveries queued`
      : `digest ${r.digestId ?? '-'} ${r.status}${r.reason ? `: ${r.reason}` : ''}`;
  await recordAudit(ctx, 'newsletter.send', `${what}: ${detail}`, r.status !== 'failed');
  if (r.status === 'ready') ctx.wake();
  return result;
}
