// The audit vocabulary: every change made through any front-end is recorded under one of these
// names, by the use case itself, so the log reads the same whoever made the change.
import { audit } from '../store/bot.js';
import type { CoreContext } from './context.js';

export type AuditAction =
  | 'source.add'
  | 'source.update'
  | 'source.pause'
  | 'source.resume'
  | 'source.remove'
  | 'sources.import'
  | 'sources.export'
  | 'newsletter.add'
  | 'newsletter.update'
  | 'newsletter.pause'
  | 'newsletter.resume'
  | 'newsletter.remove'
  | 'newsletter.send'
  | 'subscriber.add'
  | 'subscriber.remove'
  | 'subscriber.confirm'
  | 'subscriber.unsubscribe'
  | 'subscriber.preferences'
  | 'subscribers.import'
  | 'subscribers.export'
  | 'alert.acknowledge'
  | 'telegram.bind'
  | 'telegram.unbind'
  | 'telegram.link'
  | 'telegram.unlink'
  | 'admin.login'
  | 'admin.logout'
  /** An admin-only request or command from someone who is not an admin. */
  | 'admin.refused';

/** One audit row by the context's actor. A refused change is recorded too, with ok = false. */
export function recordAudit(ctx: Pick<CoreContext, 'db' | 'now' | 'actor'>, action: AuditAction, detail: string, ok = true): Promise<void> {
  return audit(ctx.db, { actor: ctx.actor, action, detail, ok }, ctx.now());
}
