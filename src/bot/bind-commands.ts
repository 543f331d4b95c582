// /bind and /unbind from Telegram. Inside a group (or a forum topic): "/bind NEWSLETTER" binds
// that chat (and topic). A channel post has no sender and is refused like any anonymous admin
// command, so channels are bound from a private chat with the bot — "/bind @channel NEWSLETTER"
// — or with `tidings telegram bind`.
import { escapeHtml } from '../digest/telegram-html.js';
import { getNewsletter } from '../store/newsletters.js';
import type { AdminResult } from './admin-commands.js';
import { bindChat, chatAddress, checkCanPost, unbindChat } from './bind.js';
import { errorLine } from './redact.js';
import { type Turn, clip } from './turn.js';

const e = escapeHtml;

interface Target {
  chat: number | string;
  threadId: number | undefined;
  key: string;
}

function target(turn: Turn, args: string): Target | string {
  const words = args.trim().split(/\s+/).filter(Boolean);
  if (turn.chat.type === 'private') {
    const [chat, key, thread] = words;
    if (!chat || !key || !/^(@[A-Za-z0-9_]{4,64}|-?\d{1,20})$/.test(chat) || (thread !== undefined && !/^\d{1,12}$/.test(thread))) {
      return 'Usage here: /bind @channel NEWSLETTER or /bind CHAT_ID NEWSLETTER [TOPIC_ID]; inside a group: /bind NEWSLETTER';
    }
    return { chat: /^-?\d+$/.test(chat) ? Number(chat) : chat, threadId: thread === undefined ? undefined : Number(thread), key };
  }
  if (words.length !== 1) return 'Usage: /bind NEWSLETTER (in the group or forum topic that should receive it)';
  return { chat: turn.chat.id, threadId: turn.threadId, key: words[0]! };
}

export async function bindCommand(turn: Turn, args: string, bind: boolean): Promise<AdminResult> {
  const { db, now, redact } = turn.deps;
  const t = target(turn, args);
  if (typeof t === 'string') {
    await turn.reply(e(t.replace('/bind', bind ? '/bind' : '/unbind')));
    return { ok: false, detail: 'usage' };
  }
  const newsletter = await getNewsletter(db, /^\d+$/.test(t.key) ? Number(t.key) : t.key.toLowerCase());
  if (!newsletter) {
    await turn.reply(`There is no newsletter "${e(clip(t.key, 64))}". /newsletters lists them.`);
    return { ok: false, detail: `no newsletter ${clip(t.key, 64)}` };
  }
  let check: Awaited<ReturnType<typeof checkCanPost>>;
  try {
    check = await checkCanPost(turn.ctx.telegram, t.chat, turn.ctx.botInfo.id);
  } catch (err) {
    const line = errorLine(err, redact);
    await turn.reply(`Telegram does not know that chat or will not say (${e(clip(line, 200))}). Add the bot to it first.`);
    return { ok: false, detail: `${t.chat}: ${clip(line, 200)}` };
  }
  const where = `${e(check.title)}${t.threadId !== undefined ? ` (topic ${t.threadId})` : ''}`;
  const address = chatAddress(check.chatId, t.threadId);
  if (!bind) {
    const done = await unbindChat(db, { chatId: check.chatId, threadId: t.threadId, newsletter }, now());
    await turn.reply(done ? `${where} no longer gets <b>${e(newsletter.name)}</b>.` : `${where} was not getting <b>${e(newsletter.name)}</b>.`);
    return { ok: done, detail: `${address} ${newsletter.slug}${done ? '' : ': was not bound'}` };
  }
  if (!check.ok) {
    await turn.reply(`Cannot bind ${where}: ${e(check.problem ?? 'the bot cannot post there')}.`).catch(() => undefined);
    return { ok: false, detail: `${address} ${newsletter.slug}: ${check.problem}` };
  }
  const outcome = await bindChat(db, { chatId: check.chatId, threadId: t.threadId, title: check.title, newsletter }, now());
  await turn.reply(outcome === 'bound' ? `✅ ${where} now gets <b>${e(newsletter.name)}</b>.` : `${where} already gets <b>${e(newsletter.name)}</b>.`);
  return { ok: true, detail: `${address} ${newsletter.slug}: ${outcome}` };
}
