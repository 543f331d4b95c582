// /newsletters (the admin's listing), /schedule, /pause and /resume for Telegram admins: parse
// the command, call the core (which validates and writes the audit row) and reply. A CoreError
// reaches the dispatcher, which replies with its message. Replies are in English: they are for
// operators and quote settings (cron, zones, slugs) that are English anyway.
import type { CoreContext } from '../core/context.js';
import { invalid } from '../core/errors.js';
import * as core from '../core/newsletters.js';
import { escapeHtml as e } from '../digest/telegram-html.js';
import { isValidTimeZone } from '../store/newsletters.js';
import { formatWallTime } from '../time-zone.js';
import { fitLines } from './admin-commands.js';
import { type Turn, actorOf, clip } from './turn.js';

const context = (turn: Turn): CoreContext => ({ db: turn.deps.db, now: turn.deps.now, log: turn.deps.log, actor: actorOf(turn) });

export async function newsletters(turn: Turn): Promise<void> {
  const ctx = context(turn);
  const [rows, active] = await Promise.all([core.listNewsletters(ctx), core.activeSubscriptions(ctx)]);
  const lines = rows.map(
    (n) =>
      `<code>${n.id}</code> <code>${e(n.slug)}</code> <b>${e(clip(n.name, 40))}</b> — <code>${e(n.cron)}</code> ${e(n.timezone)}, ${active.get(n.id) ?? 0} active${n.enabled ? '' : ', PAUSED'}`,
  );
  await turn.reply(rows.length ? fitLines(`<b>Newsletters</b> (${rows.length})`, lines) : 'No newsletters yet (`tidings newsletters add`).');
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

export async function schedule(turn: Turn, args: string): Promise<void> {
  const parsed = parseSchedule(args);
  if (!parsed) throw invalid('Usage: /schedule NEWSLETTER "CRON" [TIME ZONE], e.g. /schedule daily "0 8 * * *" Asia/Shanghai');
  const { newsletter: n, next } = await core.scheduleNewsletter(context(turn), parsed.key, { cron: parsed.cron, timezone: parsed.timezone });
  const runs = next.map((d) => `• ${formatWallTime(d, n.timezone)}`).join('\n');
  await turn.reply(`<b>${e(n.name)}</b> now goes out at <code>${e(n.cron)}</code> (${e(n.timezone)}). Next:\n${e(runs)}`);
}

/** The newsletter the command names (its first word), or a usage error. */
function keyOf(args: string, usage: string): string {
  const key = args.trim().split(/\s+/)[0] ?? '';
  if (!key) throw invalid(usage);
  return key;
}

export async function pause(turn: Turn, args: string): Promise<void> {
  const n = await core.pauseNewsletter(context(turn), keyOf(args, 'Usage: /pause NEWSLETTER (its id or slug; /newsletters lists them).'));
  await turn.reply(`<b>${e(n.name)}</b> is paused: no scheduled digests until /resume ${e(n.slug)}.`);
}

export async function resume(turn: Turn, args: string): Promise<void> {
  const n = await core.resumeNewsletter(context(turn), keyOf(args, 'Usage: /resume NEWSLETTER (its id or slug; /newsletters lists them).'));
  await turn.reply(`<b>${e(n.name)}</b> is running again: the next digest goes out at its next scheduled time.`);
}
