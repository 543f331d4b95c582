// Admin commands (TELEGRAM_ADMIN_IDS only; the dispatcher refuses everyone else and audits both).
// Each returns what the audit log records. Replies are in English: they are for operators and
// quote settings (cron, zones, slugs) that are English anyway.
import { escapeHtml } from '../digest/telegram-html.js';
import { failingSources, lastDigestDeliveries, subscriptionCounts } from '../store/bot-stats.js';
import { getNewsletter, listNewsletters, updateNewsletter } from '../store/newsletters.js';
import type { NewsletterRow } from '../store/schema.js';
import { listSources, pauseSource, resumeSource } from '../store/sources.js';
import { isValidTimeZone } from '../store/newsletters.js';
import { checkSchedule, formatInZone } from './cron-next.js';
import { errorLine } from './redact.js';
import { type Turn, clip } from './turn.js';

export interface AdminResult {
  ok: boolean;
  detail: string;
}

const MAX_TEXT = 3900;
const e = escapeHtml;

/** Lines joined up to Telegram's limit, with a count of what did not fit. */
function fitLines(header: string, lines: string[]): string {
  let out = header;
  for (let i = 0; i < lines.length; i++) {
    const more = `\n… and ${lines.length - i} more`;
    if (out.length + lines[i]!.length + 1 + more.length > MAX_TEXT) return out + more;
    out += `\n${lines[i]}`;
  }
  return out;
}

async function answer(turn: Turn, html: string, ok: boolean, detail: string): Promise<AdminResult> {
  await turn.reply(html);
  return { ok, detail };
}

async function findNewsletter(turn: Turn, key: string): Promise<NewsletterRow | undefined> {
  return key ? getNewsletter(turn.deps.db, /^\d+$/.test(key) ? Number(key) : key.toLowerCase()) : undefined;
}

export async function sources(turn: Turn, args: string): Promise<AdminResult> {
  const { db, now } = turn.deps;
  const [sub = '', arg = ''] = args.trim().split(/\s+/);
  if (sub === '' || sub === 'list') {
    const rows = await listSources(db);
    const health = (r: (typeof rows)[number]) => (!r.enabled ? `PAUSED${r.paused_reason ? `: ${clip(r.paused_reason, 60)}` : ''}` : r.consecutive_failures > 0 ? `FAILING ×${r.consecutive_failures}` : (r.last_status ?? 'new'));
    const lines = rows.map((r) => `<code>${r.id}</code> ${e(r.kind)} <b>${e(clip(r.name, 40))}</b> — ${e(health(r))}`);
    return answer(turn, rows.length ? fitLines(`<b>Sources</b> (${rows.length})`, lines) : 'No sources yet. /sources add URL', true, 'list');
  }
  if (sub === 'add') {
    if (!/^https?:\/\/\S+$/i.test(arg)) return answer(turn, 'Usage: /sources add https://example.org/feed.xml (an http or https URL).', false, `add: bad url ${clip(arg, 200)}`);
    try {
      const row = await turn.deps.addSource(arg);
      return answer(turn, `Added source <code>${row.id}</code> (${e(row.kind)}) <b>${e(clip(row.name, 80))}</b>. It is fetched at the next ingest.`, true, `add ${row.id} ${arg}`);
    } catch (err) {
      const line = errorLine(err, turn.deps.redact);
      return answer(turn, `Could not add ${e(clip(arg, 200))}: ${e(clip(line, 300))}`, false, `add failed: ${clip(line, 300)}`);
    }
  }
  if (sub === 'pause' || sub === 'resume') {
    if (!/^\d+$/.test(arg)) return answer(turn, `Usage: /sources ${sub} ID (see /sources for ids).`, false, `${sub}: bad id`);
    const id = Number(arg);
    const row = sub === 'pause' ? await pauseSource(db, id, `paused by Telegram admin ${turn.from?.id}`, now()) : await resumeSource(db, id, now());
    if (!row) return answer(turn, `There is no source ${id}. /sources lists them.`, false, `${sub} ${id}: no such source`);
    return answer(turn, `Source <code>${id}</code> <b>${e(clip(row.name, 80))}</b> ${sub === 'pause' ? 'paused' : 'resumed'}.`, true, `${sub} ${id}`);
  }
  return answer(turn, 'Usage: /sources, /sources add URL, /sources pause ID, /sources resume ID', false, `unknown: ${clip(sub, 40)}`);
}

export async function newsletters(turn: Turn): Promise<AdminResult> {
  const { db } = turn.deps;
  const rows = await listNewsletters(db);
  const active = await db
    .selectFrom('subscriptions')
    .select(['newsletter_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'active')
    .groupBy('newsletter_id')
    .execute();
  const counts = new Map(active.map((r) => [r.newsletter_id, Number(r.n)]));
  const lines = rows.map(
    (n) => `<code>${n.id}</code> <code>${e(n.slug)}</code> <b>${e(clip(n.name, 40))}</b> — <code>${e(n.cron)}</code> ${e(n.timezone)}, ${counts.get(n.id) ?? 0} active${n.enabled ? '' : ', DISABLED'}`,
  );
  return answer(turn, rows.length ? fitLines(`<b>Newsletters</b> (${rows.length})`, lines) : 'No newsletters yet (`tidings newsletters add`).', true, 'list');
}

/** "/schedule daily 0 8 * * 1-5 Asia/Shanghai", the cron optionally in quotes, the zone optional. */
export function parseSchedule(args: string): { key: string; cron: string; timezone: string | undefined } | null {
  const m = /^(\S+)\s+(?:["“'](.+?)["”']|(.+?))(?:\s+([A-Za-z][A-Za-z0-9_+\-/]*))?\s*$/.exec(args.trim());
  if (!m) return null;
  let cron = (m[2] ?? m[3] ?? '').trim();
  let timezone = m[4];
  // The zone is optional, so "0 8 * * MON" must not lose "MON" to it: only a real zone counts.
  if (timezone && !isValidTimeZone(timezone) && m[2] === undefined && !timezone.includes('/')) {
    cron = `${cron} ${timezone}`;
    timezone = undefined;
  }
  return { key: m[1]!, cron, timezone };
}

export async function schedule(turn: Turn, args: string): Promise<AdminResult> {
  const parsed = parseSchedule(args);
  if (!parsed) return answer(turn, 'Usage: /schedule NEWSLETTER "CRON" [TIME ZONE], e.g. /schedule daily "0 8 * * *" Asia/Shanghai', false, 'usage');
  const newsletter = await findNewsletter(turn, parsed.key);
  if (!newsletter) return answer(turn, `There is no newsletter "${e(clip(parsed.key, 64))}". /newsletters lists them.`, false, `no newsletter ${clip(parsed.key, 64)}`);
  const timezone = parsed.timezone ?? newsletter.timezone;
  const check = checkSchedule(parsed.cron, timezone, turn.deps.now());
  if (!check.ok) return answer(turn, e(check.error), false, `${newsletter.slug}: ${check.error}`);
  await updateNewsletter(turn.deps.db, newsletter.id, { cron: check.cron, timezone }, turn.deps.now());
  const next = check.next.map((d) => `• ${formatInZone(d, timezone)}`).join('\n');
  return answer(turn, `<b>${e(newsletter.name)}</b> now goes out at <code>${e(check.cron)}</code> (${e(timezone)}). Next:\n${e(next)}`, true, `${newsletter.slug}: ${check.cron} ${timezone}`);
}

export async function sendNow(turn: Turn, args: string): Promise<AdminResult> {
  const key = args.trim().split(/\s+/)[0] ?? '';
  if (!key) return answer(turn, 'Usage: /sendnow NEWSLETTER', false, 'usage');
  const newsletter = await findNewsletter(turn, key);
  if (!newsletter) return answer(turn, `There is no newsletter "${e(clip(key, 64))}". /newsletters lists them.`, false, `no newsletter ${clip(key, 64)}`);
  const r = await turn.deps.sendNow(newsletter);
  const name = `<b>${e(newsletter.name)}</b>`;
  if (r.status === 'ready') return answer(turn, `Digest <code>${r.digestId}</code> of ${name} is built; ${r.recipients ?? 0} deliveries queued.`, true, `${newsletter.slug}: digest ${r.digestId}, ${r.recipients ?? 0} queued`);
  if (r.status === 'skipped') return answer(turn, `No new digest of ${name}: ${e(r.reason ?? 'nothing new')}.`, true, `${newsletter.slug}: skipped (${r.reason ?? ''})`);
  if (r.status === 'not-owner') return answer(turn, `Another process is building ${name} right now.`, true, `${newsletter.slug}: not-owner`);
  return answer(turn, `The digest of ${name} failed: ${e(clip(r.reason ?? 'unknown error', 300))}`, false, `${newsletter.slug}: failed (${clip(r.reason ?? '', 300)})`);
}

export async function stats(turn: Turn): Promise<AdminResult> {
  const { db } = turn.deps;
  const [subs, digests, failing] = await Promise.all([subscriptionCounts(db), lastDigestDeliveries(db), failingSources(db)]);
  const subLines = subs.map((s) => `${e(s.channel)} ${e(s.status)}: ${s.count}`);
  const digestLines = digests.map((d) => `<code>${e(d.slug)}</code> digest ${d.digestId} (${e(d.slotAt.slice(0, 16).replace('T', ' '))}): ${Object.entries(d.states).map(([k, v]) => `${k} ${v}`).join(', ') || 'no deliveries'}`);
  const sourceLines = failing.map((s) => `<code>${s.id}</code> ${e(clip(s.name, 40))}: ${s.enabled ? `failing ×${s.consecutive_failures}${s.last_error ? ` (${e(clip(s.last_error, 80))})` : ''}` : 'paused'}`);
  const html = [
    '<b>Subscriptions</b>',
    ...(subLines.length ? subLines : ['none']),
    '',
    '<b>Last digests</b>',
    ...(digestLines.length ? digestLines : ['none yet']),
    '',
    '<b>Failing sources</b>',
    ...(sourceLines.length ? sourceLines : ['none']),
  ];
  return answer(turn, fitLines(html[0]!, html.slice(1)), true, 'stats');
}
