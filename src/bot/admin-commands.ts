// What the admin commands share (admin-sources.ts, admin-newsletters.ts, admin-send.ts): replies
// that fit Telegram's limit. The commands run for TELEGRAM_ADMIN_IDS only; the dispatcher refuses
// everyone else. Replies are in English: they are for operators and quote settings (cron, zones,
// slugs) that are English anyway.
import type { Turn } from './turn.js';

export interface AdminResult {
  ok: boolean;
  detail: string;
}

const MAX_TEXT = 3900;

/** Lines joined up to Telegram's limit, with a count of what did not fit. */
export function fitLines(header: string, lines: string[]): string {
  let out = header;
  for (let i = 0; i < lines.length; i++) {
    const more = `\n… and ${lines.length - i} more`;
    if (out.length + lines[i]!.length + 1 + more.length > MAX_TEXT) return out + more;
    out += `\n${lines[i]}`;
  }
  return out;
}

/** Replies, and returns what the dispatcher audits. */
export async function answer(turn: Turn, html: string, ok: boolean, detail: string): Promise<AdminResult> {
  await turn.reply(html);
  return { ok, detail };
}
