// /sendnow NEWSLETTER: the core's send-now (build this moment's digest, queue its deliveries,
// wake the delivery loop), presented as a reply. The bot never sends the digest itself: the
// process's delivery loop does, as for a scheduled digest or a send-now from the web UI.
import { isCoreError } from '../core/errors.js';
import type { SendNowResult } from '../core/send-now.js';
import { escapeHtml as e } from '../digest/telegram-html.js';
import { type AdminResult, answer } from './admin-commands.js';
import { type Turn, actorOf, clip } from './turn.js';

export async function sendNow(turn: Turn, args: string): Promise<AdminResult> {
  const key = args.trim().split(/\s+/)[0] ?? '';
  if (!key) return answer(turn, 'Usage: /sendnow NEWSLETTER', false, 'usage');
  let r: SendNowResult;
  try {
    r = await turn.deps.sendNow(actorOf(turn), key);
  } catch (err) {
    if (!isCoreError(err)) throw err;
    return answer(turn, e(err.message), false, `${clip(key, 64)}: ${err.code}`);
  }
  const name = `<b>${e(r.newsletter.name)}</b>`;
  const slug = r.newsletter.slug;
  if (r.status === 'ready')
    return answer(
      turn,
      `Digest <code>${r.digestId}</code> of ${name} is built; ${r.recipients} deliveries queued.`,
      true,
      `${slug}: digest ${r.digestId}, ${r.recipients} queued`,
    );
  if (r.status === 'skipped') return answer(turn, `No new digest of ${name}: ${e(r.reason ?? 'nothing new')}.`, true, `${slug}: skipped (${r.reason ?? ''})`);
  return answer(turn, `The digest of ${name} failed: ${e(clip(r.reason ?? 'unknown error', 300))}`, false, `${slug}: failed (${clip(r.reason ?? '', 300)})`);
}
