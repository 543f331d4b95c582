// From an update to a handler. Commands are parsed here rather than with telegraf's
// bot.command(), which only looks at `message` updates: a channel post carrying /sources must
// reach the admin check too (and be refused: it has no sender). Admin commands run only for
// TELEGRAM_ADMIN_IDS, and every attempt — refused, applied or failed — is audited.
import type { Context, MiddlewareFn } from 'telegraf';
import { audit } from '../store/bot.js';
import * as admin from './admin-commands.js';
import { bindCommand } from './bind-commands.js';
import { type Lang, say } from '../i18n/index.js';
import { LINK_PREFIX, link, startLink, unlink } from './link.js';
import { digest, latest, onSearchButton, search } from './read-commands.js';
import { errorLine } from './redact.js';
import { topics } from './topics.js';
import { type BotDeps, type IncomingMessage, type Turn, actorOf, clip, isPrivate, makeTurn } from './turn.js';
import * as user from './user-commands.js';

type UserHandler = (turn: Turn, args: string) => Promise<void>;
type AdminHandler = (turn: Turn, args: string) => Promise<admin.AdminResult>;

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
  sources: admin.sources,
  schedule: admin.schedule,
  sendnow: admin.sendNow,
  stats: admin.stats,
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
    await audit(db, { actor, action: name, detail: `refused: ${why}; chat ${turn.chat.id}; args: ${clip(args, 200)}`, ok: false }, now());
    log.warn({ actor, command: name, chat: turn.chat.id }, 'telegram admin command refused');
    // Answering a channel post would publish the refusal to every reader of the channel.
    if (turn.chat.type !== 'channel') await turn.reply(say(turn.lang, 'adminOnly'));
    return;
  }
  try {
    const result = await run(turn, args);
    await audit(db, { actor, action: name, detail: result.detail, ok: result.ok }, now());
  } catch (err) {
    await audit(db, { actor, action: name, detail: `error: ${errorLine(err, turn.deps.redact)}`, ok: false }, now());
    throw err;
  }
}

async function onMessage(deps: BotDeps, ctx: Context, message: IncomingMessage): Promise<void> {
  const from = message.from;
  const command = message.text ? parseCommand(message.text) : null;
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
  // /newsletters is both: admins get the detailed, audited listing.
  if (command.name === 'newsletters' && user.isAdmin(turn)) return runAdmin(turn, 'newsletters', command.args, admin.newsletters);
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
