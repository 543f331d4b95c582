// getMe, the chat queries (getChat, getChatMember, getChatAdministrators), answerCallbackQuery
// and the command menu (setMyCommands, getMyCommands, deleteMyCommands).
import { type CallContext, resolveChat } from './api-state.js';
import { badRequest, chatIdParam, optJson, optStr, reqInt } from './params.js';
import { chatObject, type EmulatedChat, type EmulatedUser, type MemberStatus, userObject } from './state.js';

export function getMe(ctx: CallContext) {
  return { ...userObject({ ...ctx.state.bot, is_bot: true }), can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
}

/** Real Telegram answers a missing or unknown file_id with 400 "invalid file_id"; files above 20 MB cannot be downloaded. */
export function getFile(ctx: CallContext) {
  const id = optStr(ctx.params, 'file_id');
  if (!id) throw badRequest('file_id is empty');
  const file = ctx.state.files.get(id);
  if (!file) throw badRequest('invalid file_id');
  if (file.content.length > 20 * 1024 * 1024) throw badRequest('file is too big');
  return { file_id: id, file_unique_id: file.file_unique_id, file_size: file.content.length, file_path: file.file_path };
}

export function getChat(ctx: CallContext) {
  const chat = resolveChat(ctx.state, chatIdParam(ctx.params));
  return { ...chatObject(chat), accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: {} };
}

function memberObject(chat: EmulatedChat, user: EmulatedUser, status: MemberStatus): Record<string, unknown> {
  const o: Record<string, unknown> = { status, user: userObject(user) };
  if (status === 'administrator') {
    Object.assign(o, { can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true, can_invite_users: true });
    if (chat.type === 'channel') Object.assign(o, { can_post_messages: chat.canPostMessages, can_edit_messages: true });
  }
  if (status === 'restricted') Object.assign(o, { is_member: true, can_send_messages: false, until_date: 0 });
  if (status === 'kicked') o.until_date = 0;
  return o;
}

export function getChatMember(ctx: CallContext) {
  const { state, params } = ctx;
  const chat = resolveChat(state, chatIdParam(params));
  const userId = reqInt(params, 'user_id', 'user not found');
  if (userId === state.bot.id) return memberObject(chat, { ...state.bot, is_bot: true }, chat.botStatus);
  if (chat.type === 'private') {
    if (userId !== chat.id) throw badRequest('user not found');
    return memberObject(chat, { id: userId }, 'member');
  }
  const m = chat.members.get(userId);
  return m ? memberObject(chat, m.user, m.status) : memberObject(chat, { id: userId }, 'left');
}

export function getChatAdministrators(ctx: CallContext) {
  const { state, params } = ctx;
  const chat = resolveChat(state, chatIdParam(params));
  if (chat.type === 'private') throw badRequest('there are no administrators in the private chat');
  const admins = [...chat.members.values()]
    .filter((m) => m.status === 'creator' || m.status === 'administrator')
    .map((m) => memberObject(chat, m.user, m.status));
  if (chat.botStatus === 'administrator' || chat.botStatus === 'creator') admins.push(memberObject(chat, { ...state.bot, is_bot: true }, chat.botStatus));
  return admins;
}

export function answerCallbackQuery(ctx: CallContext) {
  const id = optStr(ctx.params, 'callback_query_id');
  const q = id === undefined ? undefined : ctx.state.callbackQueries.get(id);
  if (!q || q.answered) throw badRequest('query is too old and response timeout expired or query ID is invalid');
  const text = optStr(ctx.params, 'text');
  if (text !== undefined && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
  q.answered = true;
  q.answer = ctx.params;
  return true;
}

function commandsKey(ctx: CallContext): string {
  const scope = optJson(ctx.params, 'scope', "can't parse BotCommandScope JSON object") as { type?: unknown } | undefined;
  if (scope !== undefined && (typeof scope !== 'object' || typeof scope?.type !== 'string')) throw badRequest("can't parse BotCommandScope JSON object");
  const lang = optStr(ctx.params, 'language_code') ?? '';
  if (lang !== '' && !/^[a-z]{2}$/.test(lang)) throw badRequest('invalid language code specified');
  return `${scope?.type ?? 'default'}:${lang}`;
}

export function setMyCommands(ctx: CallContext) {
  const commands = optJson(ctx.params, 'commands', "can't parse commands JSON object");
  if (!Array.isArray(commands)) throw badRequest('parameter "commands" is required');
  if (commands.length > 100) throw badRequest('too many commands specified');
  for (const c of commands as { command?: unknown; description?: unknown }[]) {
    if (typeof c?.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest('BOT_COMMAND_INVALID');
    if (typeof c.description !== 'string' || c.description.trim() === '' || c.description.length > 256)
      throw badRequest('command description is empty or too long');
  }
  ctx.state.commands.set(commandsKey(ctx), commands);
  return true;
}

export function getMyCommands(ctx: CallContext) {
  return ctx.state.commands.get(commandsKey(ctx)) ?? [];
}

export function deleteMyCommands(ctx: CallContext) {
  ctx.state.commands.delete(commandsKey(ctx));
  return true;
}
