// From an update to a handler. Commands are parsed here rather than with telegraf's
// bot.command(), which only looks at `message` updates: a channel post carrying /sources must
// reach the admin check too (and be refused: it has no sender). Admin commands run only for
// TELEGRAM_ADMIN_IDS. A change is audited by the core operation the command calls (under the one
// audit vocabulary); the dispatcher audits only what never reaches the core: an admin command
// from someone who is not an admin ('admin.refused'). A CoreError becomes its message as the reply.
import type { Context, MiddlewareFn } from 'telegraf';
import { recordAudit } from '../core/audit.js';
import { isCoreError } from '../core/errors.js';
import { escapeHtml } from '../digest/telegram-html.js';
import * as newsletterAdmin from './admin-newsletters.js';
import { sources, stats } from './admin-sources.js';
import { sendNow } from './admin-send.js';
import { subscribers } from './admin-subscribers.js';
import { bindCommand } from './bind-commands.js';
import { type Lang, say } from '../i18n/index.js';
import { LINK_PREFIX, link, startLink, unlink } from './link.js';
import { digest, latest, onSearchButton, search } from './read-commands.js';
import { topics } from './topics.js';
import { type BotDeps, type IncomingMessage, type Turn, actorOf, clip, isPrivate, makeTurn } from './turn.js';
import * as user from './user-commands.js';

type UserHandler = (turn: Turn, args: string) => Promise<void>;
// What a handler returns is not used: the core operation it calls wrote the audit row.
type AdminHandler = (turn: Turn, args: string) => Promise<unknown>;

const USER: Record<string, { run: UserHandler; privateOnly?: boolean }> = {
  start: { run: (t, a) => (a.startsWith(LINK_PREFIX) && isPrivate(t) ? startLink(t, a.trim()) : isPrivate(t) ? user.start(t) : user.help(t)) },
  help: { run: user.help },
  newsletters: { run: user.newsletters },
  subscribe: { run: (t, a) => user.subscribeCommand(t, a, true), privateOnly: true },
  unsubscribe: { run: (t, a) => user.subscribeCommand(t, a, false), privateOnly: true },
  latest: { run: latest },
  digest: { run: digest },
  search: { run: search },
  topics: { run: topics, privateOnly: true },
  settings: { run: user.settings, privateOnly: true },
  link: { run: link, privateOnly: true },
  unlink: { run: unlink, privateOnly: true },
};

const ADMIN: Record<string, AdminHandler> = {
  sources,
  schedule: newsletterAdmin.schedule,
  pause: newsletterAdmin.pause,
  resume: newsletterAdmin.resume,
  sendnow: sendNow,
  stats,
  subscribers,
  bind: (t, a) => bindCommand(t, a, true),
  unbind: (t, a) => bindCommand(t, a, false),
};

/** "/name@bot args" → name (lower-cased), the @bot part and the rest; null for other text. */
export function parseCommand(text: string): { name: string; to: string | undefined; args: string } | null {
  const m = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  return m ? { name: m[1]!.toLowerCase(), to: m[2], args: (m[3] ?? '').trim() } : null;
}

async function runAdmin(turn: Turn, name: string, args: string, run: AdminHandler): Promise<void> {
  const { db, log, now } = turn.deps;
  const actor = actorOf(turn);
  if (!user.isAdmin(turn)) {
    const why = turn.from && !turn.senderChat ? 'not in TELEGRAM_ADMIN_IDS' : 'no sender (channel post or anonymous admin)';
    await recordAudit({ db, now, actor }, 'admin.refused', `/${name} refused: ${why}; chat ${turn.chat.id}; args: ${clip(args, 200)}`, false);
    log.warn({ actor, command: name, chat: turn.chat.id }, 'telegram admin command refused');
    // Answering a channel post would publish the refusal to every reader of the channel.
    if (turn.chat.type !== 'channel') await turn.reply(say(turn.lang, 'adminOnly'));
    return;
  }
  try {
    await run(turn, args);
  } catch (err) {
    // The bot's one mapping of the core's errors: the message, which says what to do instead.
    if (!isCoreError(err)) throw err;
    await turn.reply(escapeHtml(err.message));
  }
}

async function onMessage(deps: BotDeps, ctx: Context, message: IncomingMessage): Promise<void> {
  const from = message.from;
  // A file's caption carries the command that goes with it (/sources import with an OPML file).
  const text = message.text ?? (message as { caption?: string }).caption;
  const command = text ? parseCommand(text) : null;
  if (!command) {
    if (message.chat.type !== 'private' || message.text === undefined) return;
    const turn = await makeTurn(ctx, deps, message, from);
    return void (await turn.reply(say(turn.lang, 'notACommand')));
  }
  // "/latest@OtherBot" in a group is for another bot.
  if (command.to && command.to.toLowerCase() !== ctx.me?.toLowerCase()) return;
  const turn = await makeTurn(ctx, deps, message, from);
  const adminRun = ADMIN[command.name];
  if (adminRun) return runAdmin(turn, command.name, command.args, adminRun);
  // /newsletters is both: admins get the detailed listing.
  if (command.name === 'newsletters' && user.isAdmin(turn)) return runAdmin(turn, 'newsletters', command.args, newsletterAdmin.newsletters);
  const spec = USER[command.name];
  if (!spec) {
    // In a group, only commands addressed to this bot get an answer; others may be another bot's.
    if (isPrivate(turn) || command.to) await turn.reply(say(turn.lang, 'unknownCommand', { command: clip(command.name, 32) }));
    return;
  }
  if (spec.privateOnly && !isPrivate(turn)) {
    if (turn.chat.type !== 'channel') await turn.reply(say(turn.lang, 'privateOnly', { command: command.name }));
    return;
  }
  await spec.run(turn, command.args);
}

interface CallbackQuery {
  id: string;
  from: NonNullable<IncomingMessage['from']>;
  data?: string;
  message?: IncomingMessage & { date?: number };
}

async function onButton(deps: BotDeps, ctx: Context, query: CallbackQuery): Promise<void> {
  if (!query.message || !query.data) return void (await ctx.answerCbQuery());
  const turn = await makeTurn(ctx, deps, query.message, query.from);
  const messageId = query.message.date === 0 ? undefined : query.message.message_id;
  const data = query.data;
  if (data.startsWith('srch:')) return onSearchButton(turn, data, messageId);
  if (!isPrivate(turn)) return void (await ctx.answerCbQuery());
  const sub = /^sub:(\d{1,12})$/.exec(data);
  if (sub) return user.onNewsletterButton(turn, Number(sub[1]), messageId);
  const lang = /^lang:(en|zh)$/.exec(data);
  if (lang) return user.onLanguageButton(turn, lang[1] as Lang);
  await ctx.answerCbQuery();
}

/** The bot's one handler: messages, channel posts and button presses. */
export function dispatcher(deps: BotDeps): MiddlewareFn<Context> {
  return async (ctx) => {
    const update = ctx.update as { message?: IncomingMessage; channel_post?: IncomingMessage; callback_query?: CallbackQuery };
    const message = update.message ?? update.channel_post;
    if (message) return onMessage(deps, ctx, message);
    if (update.callback_query) return onButton(deps, ctx, update.callback_query);
  };
}
