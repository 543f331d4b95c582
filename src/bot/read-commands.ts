// Reading the news from the chat: /latest [n], /digest [newsletter], /search words (paged with
// buttons). Article titles are untrusted and reach the HTML through escapeHtml only; only
// http(s) links become links.
import { httpUrl } from '../digest/compose.js';
import type { TelegramPart } from '../digest/render-telegram.js';
import { escapeHtml } from '../digest/telegram-html.js';
import { words } from '../ingest/text.js';
import { listArticles, searchArticles } from '../store/articles.js';
import { listDigests } from '../store/digests.js';
import { getNewsletter, listNewsletters } from '../store/newsletters.js';
import type { ArticleRow, DigestRow, NewsletterRow } from '../store/schema.js';
import { listSubscriptionsOf } from '../store/subscribers.js';
import { say } from '../i18n/index.js';
import { type Keyboard, type Turn, clip, htmlExtra, withFloodRetry } from './turn.js';

export const MAX_LATEST = 20;
export const SEARCH_PAGE_SIZE = 5;
const MAX_SEARCH_PAGES = 20;
// Telegram's limit on callback_data: the query travels in it, so paging works in any process.
const MAX_CALLBACK_BYTES = 64;

/** "1. Title (linked)\n   2026-11-24" — 150 visible characters per title keeps 20 of them under 4096. */
function headline(a: ArticleRow, n: number): string {
  const title = escapeHtml(clip(a.title || '…', 150));
  const url = httpUrl(a.url);
  const linked = url ? `<a href="${escapeHtml(url)}">${title}</a>` : title;
  return `${n}. ${linked}\n<i>${escapeHtml(a.published_at.slice(0, 10))}</i>`;
}

export async function latest(turn: Turn, args: string): Promise<void> {
  const arg = args.trim();
  const n = arg === '' ? 5 : /^\d{1,3}$/.test(arg) ? Number(arg) : Number.NaN;
  if (!(n >= 1 && n <= MAX_LATEST)) return void (await turn.reply(say(turn.lang, 'latestUsage')));
  const rows = await listArticles(turn.deps.db, { limit: n });
  if (rows.length === 0) return void (await turn.reply(say(turn.lang, 'noArticles')));
  await turn.reply(`${say(turn.lang, 'latestHeader', { count: rows.length })}\n\n${rows.map((a, i) => headline(a, i + 1)).join('\n')}`);
}

/** The newsletters /digest looks at: the one named, else the chat's own, else every enabled one. */
async function digestNewsletters(turn: Turn, key: string): Promise<NewsletterRow[] | undefined> {
  const { db } = turn.deps;
  if (key) {
    const row = await getNewsletter(db, /^\d+$/.test(key) ? Number(key) : key.toLowerCase());
    if (row?.enabled) return [row];
    await turn.reply(say(turn.lang, 'unknownNewsletter', { slug: clip(key, 64) }));
    return undefined;
  }
  const enabled = await listNewsletters(db, { enabled: true });
  if (!turn.subscriber) return enabled;
  const mine = new Set(
    (await listSubscriptionsOf(db, turn.subscriber.id)).filter((s) => s.channel === 'telegram' && s.status === 'active').map((s) => s.newsletter_id),
  );
  const chosen = enabled.filter((n) => mine.has(n.id));
  return chosen.length ? chosen : enabled;
}

export async function digest(turn: Turn, args: string): Promise<void> {
  const newsletters = await digestNewsletters(turn, args.trim().split(/\s+/)[0] ?? '');
  if (!newsletters) return;
  let newest: DigestRow | undefined;
  for (const n of newsletters) {
    const [row] = await listDigests(turn.deps.db, n.id, { limit: 1, status: 'ready' });
    if (row?.telegram && (!newest || row.slot_at > newest.slot_at)) newest = row;
  }
  const parts = newest?.telegram ? (JSON.parse(newest.telegram) as TelegramPart[]) : [];
  if (parts.length === 0) return void (await turn.reply(say(turn.lang, 'noDigest')));
  await sendParts(turn, parts);
}

/** A stored digest's messages, in order, to the chat (and topic) the command came from. */
export async function sendParts(turn: Turn, parts: readonly TelegramPart[]): Promise<void> {
  const thread = turn.threadId !== undefined ? { message_thread_id: turn.threadId } : {};
  for (const part of parts) {
    const { telegram } = turn.ctx;
    if (part.kind === 'text') {
      await withFloodRetry(() =>
        telegram.sendMessage(turn.chat.id, part.html, { parse_mode: 'HTML', link_preview_options: { is_disabled: part.disableLinkPreview }, ...thread }),
      );
    } else {
      await withFloodRetry(() => telegram.sendPhoto(turn.chat.id, part.photoUrl, { caption: part.captionHtml, parse_mode: 'HTML', ...thread }));
    }
  }
}

/** The words to look for: spaces separate them, and Chinese runs are cut as the archive was. */
export function searchTerms(query: string): string[] {
  return [...new Set(words(query, /\p{Script=Han}/u.test(query) ? 'zh' : 'en'))];
}

function searchData(page: number, query: string): string | undefined {
  const data = `srch:${page}:${query}`;
  return Buffer.byteLength(data) <= MAX_CALLBACK_BYTES ? data : undefined;
}

/** One page of results (1-based) as message text and its prev/next buttons. */
async function searchPage(turn: Turn, query: string, page: number): Promise<{ html: string; keyboard: Keyboard | undefined }> {
  const terms = searchTerms(query);
  const shown = clip(query, 60);
  if (terms.length === 0) return { html: say(turn.lang, 'searchUsage'), keyboard: undefined };
  const rows = await searchArticles(turn.deps.db, terms, { limit: page * SEARCH_PAGE_SIZE + 1 });
  const items = rows.slice((page - 1) * SEARCH_PAGE_SIZE, page * SEARCH_PAGE_SIZE);
  if (items.length === 0) return { html: say(turn.lang, page === 1 ? 'searchNone' : 'searchExpired', { query: shown }), keyboard: undefined };
  const html = `${say(turn.lang, 'searchHeader', { query: shown, page })}\n\n${items.map((a, i) => headline(a, (page - 1) * SEARCH_PAGE_SIZE + i + 1)).join('\n')}`;
  const buttons = [];
  const prev = page > 1 ? searchData(page - 1, query) : undefined;
  const next = rows.length > page * SEARCH_PAGE_SIZE && page < MAX_SEARCH_PAGES ? searchData(page + 1, query) : undefined;
  if (prev) buttons.push({ text: say(turn.lang, 'prev'), callback_data: prev });
  if (next) buttons.push({ text: say(turn.lang, 'next'), callback_data: next });
  return { html, keyboard: buttons.length ? [buttons] : undefined };
}

export async function search(turn: Turn, args: string): Promise<void> {
  const query = args.replace(/\s+/g, ' ').trim().slice(0, 200);
  if (!query) return void (await turn.reply(say(turn.lang, 'searchUsage')));
  const { html, keyboard } = await searchPage(turn, query, 1);
  await turn.reply(html, keyboard);
}

/** A prev/next button: the same message shows the other page. */
export async function onSearchButton(turn: Turn, data: string, messageId: number | undefined): Promise<void> {
  const m = /^srch:(\d{1,3}):([\s\S]+)$/.exec(data);
  const page = m ? Number(m[1]) : 0;
  if (m && page >= 1 && page <= MAX_SEARCH_PAGES) {
    const { html, keyboard } = await searchPage(turn, m[2]!, page);
    if (messageId === undefined) await turn.reply(html, keyboard);
    else await turn.ctx.telegram.editMessageText(turn.chat.id, messageId, undefined, html, htmlExtra(keyboard));
  }
  await turn.ctx.answerCbQuery();
}
