// Updates as users cause them: a message (a leading /command gets its bot_command entity), a
// channel post (no `from`, as admins' posts in channels arrive), a press on an inline button.
import { randomUUID } from 'node:crypto';
import { type ApiState, nextMessageId, resolveChat } from './api-state.js';
import { chatObject, type EmulatedUser, messageObject, type SentMessage, userObject } from './state.js';
import type { Update } from './updates.js';

export interface UserMessageInit {
  from: EmulatedUser;
  /** Default: the private chat with `from` (chat id = user id). */
  chat?: number;
  text: string;
  /** A forum topic of a supergroup. */
  threadId?: number;
  /** A file sent with the message: `text` becomes its caption, as Telegram does. */
  document?: { name: string; content: string | Buffer; mimeType?: string };
}

type Push = (body: Record<string, unknown>) => Promise<Update>;

function commandEntities(text: string): Record<string, unknown>[] {
  const m = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
  return m ? [{ type: 'bot_command', offset: 0, length: m[0].length }] : [];
}

export function updateBodies(state: ApiState, push: Push) {
  return {
    /** A user's message to the bot (private chat by default, or in `chat`). */
    userMessage(init: UserMessageInit): Promise<Update> {
      const chat = resolveChat(state, init.chat ?? init.from.id);
      const chatObj = chat.type === 'private' ? { ...chatObject(chat), ...privateName(init.from) } : chatObject(chat);
      const message: Record<string, unknown> = {
        message_id: nextMessageId(state, chat.id),
        from: userObject(init.from),
        chat: chatObj,
        date: Math.floor(Date.now() / 1000),
      };
      const entities = commandEntities(init.text);
      if (init.document) {
        message.document = storeDocument(state, init.document);
        if (init.text) message.caption = init.text;
        if (entities.length) message.caption_entities = entities;
      } else {
        message.text = init.text;
        if (entities.length) message.entities = entities;
      }
      if (init.threadId !== undefined) Object.assign(message, { message_thread_id: init.threadId, is_topic_message: true });
      return push({ message });
    },

    /** A post in a channel: no `from` (sender_chat is the channel itself). */
    channelPost(init: { chat: number; text: string }): Promise<Update> {
      const chat = resolveChat(state, init.chat);
      const post: Record<string, unknown> = {
        message_id: nextMessageId(state, chat.id),
        sender_chat: chatObject(chat),
        chat: chatObject(chat),
        date: Math.floor(Date.now() / 1000),
        text: init.text,
      };
      const entities = commandEntities(init.text);
      if (entities.length) post.entities = entities;
      return push({ channel_post: post });
    },

    /** `from` presses the inline button carrying `data` under `message` (one the bot sent). */
    async callbackQuery(init: { from: EmulatedUser; message: SentMessage; data: string }): Promise<{ update: Update; id: string }> {
      const chat = resolveChat(state, init.message.chat_id);
      const id = randomUUID().replaceAll('-', '').slice(0, 19);
      state.callbackQueries.set(id, { answered: false });
      const update = await push({
        callback_query: {
          id,
          from: userObject(init.from),
          message: messageObject(init.message, chat, state.bot),
          chat_instance: String(chat.id),
          data: init.data,
        },
      });
      return { update, id };
    },
  };
}

/** Keeps the file for getFile and the file route; returns the message's `document` object. */
function storeDocument(state: ApiState, doc: NonNullable<UserMessageInit['document']>): Record<string, unknown> {
  const content = Buffer.isBuffer(doc.content) ? doc.content : Buffer.from(doc.content);
  const n = state.files.size + 1;
  const fileId = `BQACAgIAAx${randomUUID().replaceAll('-', '')}`;
  const unique = `AgAD${n}`;
  state.files.set(fileId, { file_unique_id: unique, file_path: `documents/file_${n}${extension(doc.name)}`, content });
  return { file_id: fileId, file_unique_id: unique, file_name: doc.name, mime_type: doc.mimeType ?? 'application/octet-stream', file_size: content.length };
}

function extension(name: string): string {
  const m = /\.[A-Za-z0-9]{1,8}$/.exec(name);
  return m ? m[0].toLowerCase() : '';
}

function privateName(u: EmulatedUser): Record<string, unknown> {
  return { first_name: u.first_name ?? `User ${u.id}`, ...(u.username ? { username: u.username } : {}) };
}
