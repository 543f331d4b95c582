// The message methods: sendMessage, sendPhoto, editMessageText, deleteMessage, sendChatAction.
// Checks run in the Bot API's order of concern — chat, rights, parameters, markup, length — and
// only a message that passes them all is counted against the flood limits.
import { parseTelegramHtml, type TelegramEntity, TelegramHtmlError } from '../../../src/digest/telegram-html.js';
import { type CallContext, checkCanPost, checkReplyMarkup, checkThread, nextMessageId, resolveChat, takeSendSlot } from './api-state.js';
import { badRequest, chatIdParam, optInt, optJson, optStr, type Params, reqInt } from './params.js';
import { messageObject, type SentMessage } from './state.js';

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

/** Text and entities after parse_mode; only HTML is emulated (a strict TDLib-style parser). */
function parseText(raw: string, parseMode: string | undefined, p: Params, entitiesField: string): { text: string; entities: TelegramEntity[] } {
  if (parseMode === undefined) {
    const entities = optJson(p, entitiesField, `can't parse ${entitiesField} JSON object`);
    if (entities !== undefined && !Array.isArray(entities)) throw badRequest(`field "${entitiesField}" must be an Array`);
    return { text: raw, entities: (entities as TelegramEntity[] | undefined) ?? [] };
  }
  const mode = parseMode.toLowerCase();
  if (mode === 'markdown' || mode === 'markdownv2') throw badRequest(`the emulator supports parse_mode HTML only, got "${parseMode}"`);
  if (mode !== 'html') throw badRequest(`unsupported parse_mode "${parseMode}"`);
  try {
    return parseTelegramHtml(raw);
  } catch (err) {
    if (err instanceof TelegramHtmlError) throw badRequest(err.message);
    throw err;
  }
}

function sendCommon(ctx: CallContext, method: SentMessage['method'], raw: string, parsed: { text: string; entities: TelegramEntity[] }, photo?: string) {
  const { state, params: p, at } = ctx;
  const chat = resolveChat(state, chatIdParam(p));
  checkCanPost(chat);
  const thread = optInt(p, 'message_thread_id');
  checkThread(chat, thread);
  const markup = optJson(p, 'reply_markup', "can't parse reply keyboard markup JSON object");
  checkReplyMarkup(markup);
  takeSendSlot(state, chat.id, at);
  const m: SentMessage = {
    message_id: nextMessageId(state, chat.id),
    chat_id: chat.id,
    message_thread_id: thread,
    method,
    text: parsed.text,
    entities: parsed.entities,
    raw,
    parse_mode: optStr(p, 'parse_mode'),
    photo,
    reply_markup: markup,
    at,
    date: Math.floor(Date.now() / 1000),
    acknowledged: true,
    edits: 0,
    deleted: false,
  };
  state.messages.push(m);
  ctx.sent.push(m);
  return messageObject(m, chat, state.bot);
}

export function sendMessage(ctx: CallContext) {
  const p = ctx.params;
  resolveChat(ctx.state, chatIdParam(p));
  const raw = optStr(p, 'text');
  if (raw === undefined) throw badRequest('message text is empty');
  const parsed = parseText(raw, optStr(p, 'parse_mode'), p, 'entities');
  if (parsed.text.trim() === '') throw badRequest('message text is empty');
  if (parsed.text.length > TEXT_LIMIT) throw badRequest('message is too long');
  return sendCommon(ctx, 'sendMessage', raw, parsed);
}

export function sendPhoto(ctx: CallContext) {
  const p = ctx.params;
  resolveChat(ctx.state, chatIdParam(p));
  const photo = p.photo;
  if (photo === undefined || photo === null || photo === '') throw badRequest('there is no photo in the request');
  if (typeof photo !== 'string') throw badRequest('the emulator takes photos as HTTP URLs or file ids only');
  if (!/^https?:\/\/[^\s/]+/i.test(photo) && !/^photo-/.test(photo)) throw badRequest('wrong remote file identifier specified: Wrong string length');
  const raw = optStr(p, 'caption') ?? '';
  const parsed = parseText(raw, optStr(p, 'parse_mode'), p, 'caption_entities');
  if (parsed.text.length > CAPTION_LIMIT) throw badRequest('message caption is too long');
  return sendCommon(ctx, 'sendPhoto', raw, parsed, photo);
}

function findMessage(ctx: CallContext, notFound: string): SentMessage {
  const p = ctx.params;
  if (p.inline_message_id !== undefined) throw badRequest('the emulator does not support inline messages');
  const chat = resolveChat(ctx.state, chatIdParam(p));
  const id = reqInt(p, 'message_id', 'message identifier is not specified');
  const m = ctx.state.messages.find((x) => x.chat_id === chat.id && x.message_id === id && !x.deleted);
  if (!m) throw badRequest(notFound);
  return m;
}

export function editMessageText(ctx: CallContext) {
  const p = ctx.params;
  const m = findMessage(ctx, 'message to edit not found');
  if (m.method !== 'sendMessage') throw badRequest('there is no text in the message to edit');
  const raw = optStr(p, 'text');
  if (raw === undefined) throw badRequest('message text is empty');
  const parsed = parseText(raw, optStr(p, 'parse_mode'), p, 'entities');
  if (parsed.text.trim() === '') throw badRequest('message text is empty');
  if (parsed.text.length > TEXT_LIMIT) throw badRequest('message is too long');
  const markup = optJson(p, 'reply_markup', "can't parse reply keyboard markup JSON object");
  checkReplyMarkup(markup);
  if (parsed.text === m.text && JSON.stringify(parsed.entities) === JSON.stringify(m.entities) && JSON.stringify(markup) === JSON.stringify(m.reply_markup)) {
    throw badRequest(
      'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
  }
  Object.assign(m, { text: parsed.text, entities: parsed.entities, raw, reply_markup: markup, edits: m.edits + 1 });
  return messageObject(m, ctx.state.chats.get(m.chat_id)!, ctx.state.bot);
}

export function deleteMessage(ctx: CallContext) {
  findMessage(ctx, 'message to delete not found').deleted = true;
  return true;
}

const ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

export function sendChatAction(ctx: CallContext) {
  const p = ctx.params;
  const chat = resolveChat(ctx.state, chatIdParam(p));
  checkCanPost(chat);
  checkThread(chat, optInt(p, 'message_thread_id'));
  if (!ACTIONS.has(optStr(p, 'action') ?? '')) throw badRequest('wrong parameter action in request');
  return true;
}
