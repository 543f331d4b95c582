// /bind and /unbind from Telegram. Inside a group (or a forum topic): "/bind NEWSLETTER" binds
// that chat (and topic). A channel post has no sender and is refused like any anonymous admin
// command, so channels are bound from a private chat with the bot — "/bind @channel NEWSLETTER"
// — or with `tidings telegram bind`. The binding, its checks and its audit row are the core's
// (src/core/telegram.ts); a CoreError reaches the dispatcher, which replies with its message.
import { bindTelegramChat, unbindTelegramChat } from '../core/telegram.js';
import { escapeHtml as e } from '../digest/telegram-html.js';
import { coreContext, type Turn } from './turn.js';

interface Target {
  chat: number | string;
  threadId: number | undefined;
  key: string;
}

function target(turn: Turn, args: string): Target | string {
  const words = args.trim().split(/\s+/).filter(Boolean);
  if (turn.chat.type === 'private') {
    const [chat, key, thread] = words;
    if (!chat || !key || (thread !== undefined && !/^\d{1,12}$/.test(thread))) {
      return 'Usage here: /bind @channel NEWSLETTER or /bind CHAT_ID NEWSLETTER [TOPIC_ID]; inside a group: /bind NEWSLETTER';
    }
    return { chat, threadId: thread === undefined ? undefined : Number(thread), key };
  }
  if (words.length !== 1) return 'Usage: /bind NEWSLETTER (in the group or forum topic that should receive it)';
  return { chat: turn.chat.id, threadId: turn.threadId, key: words[0]! };
}

export async function bindCommand(turn: Turn, args: string, bind: boolean): Promise<void> {
  const t = target(turn, args);
  if (typeof t === 'string') return void (await turn.reply(e(t.replace('/bind', bind ? '/bind' : '/unbind'))));
  const ctx = { ...coreContext(turn), telegram: turn.ctx.telegram, botId: turn.ctx.botInfo.id, redact: turn.deps.redact };
  const input = { chat: t.chat, threadId: t.threadId, newsletter: t.key };
  const r = bind ? await bindTelegramChat(ctx, input) : await unbindTelegramChat(ctx, input);
  const where = `${e(r.title)}${t.threadId !== undefined ? ` (topic ${t.threadId})` : ''}`;
  const name = `<b>${e(r.newsletter.name)}</b>`;
  const text = {
    bound: `✅ ${where} now gets ${name}.`,
    already: `${where} already gets ${name}.`,
    unbound: `${where} no longer gets ${name}.`,
    'not-bound': `${where} was not getting ${name}.`,
  };
  await turn.reply(text[r.outcome]);
}
