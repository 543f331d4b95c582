// Connecting an email subscription and a Telegram chat. The preferences page (reached from a
// link in a mail, so only the mailbox's owner has it) offers a t.me deep link carrying a signed,
// short-lived token; tapping it opens the bot with "/start link-<token>", and the chat that sends
// it is connected to that subscriber. Nothing is mailed, no code is typed, nothing can be guessed.
import { linkTelegram, unlinkTelegram } from '../core/telegram.js';
import { getSubscriber } from '../store/subscribers.js';
import type { TokenSigner } from '../subscribers/tokens.js';
import { say } from '../i18n/index.js';
import { coreContext, type Turn } from './turn.js';

export const LINK_PREFIX = 'link-';
/** Long enough to open Telegram and tap Start; short enough that a leaked link soon dies. */
export const LINK_TTL_MS = 24 * 3_600_000;
// Deep-link payloads allow 64 characters of A-Z a-z 0-9 _ -; a signed token is
// "<payload>.<22-character MAC>", so the dot is dropped and the MAC found by its length.
const MAC_CHARS = 22;

/** The payload of https://t.me/<bot>?start=… that connects a chat to this subscriber. */
export function linkPayload(tokens: TokenSigner, subscriberId: number, now: Date): string {
  const token = tokens.sign('telegram-link', subscriberId, new Date(now.getTime() + LINK_TTL_MS));
  return LINK_PREFIX + token.replace('.', '');
}

/** https://t.me/<bot username>?start=<payload>, for the preferences page. */
export function linkUrl(botUsername: string, tokens: TokenSigner, subscriberId: number, now: Date): string {
  return `https://t.me/${encodeURIComponent(botUsername)}?start=${linkPayload(tokens, subscriberId, now)}`;
}

function subscriberOf(tokens: TokenSigner, payload: string, now: Date): number | null {
  const raw = payload.slice(LINK_PREFIX.length);
  if (raw.length <= MAC_CHARS) return null;
  return tokens.verify('telegram-link', `${raw.slice(0, -MAC_CHARS)}.${raw.slice(-MAC_CHARS)}`, now);
}

export async function startLink(turn: Turn, payload: string): Promise<void> {
  const { db, tokens, now } = turn.deps;
  const id = subscriberOf(tokens, payload, now());
  const outcome = id === null ? 'missing' : await linkTelegram(coreContext(turn), { subscriberId: id, chatId: String(turn.chat.id) });
  if (outcome === 'missing') return void (await turn.reply(say(turn.lang, 'linkInvalid')));
  if (outcome === 'taken') return void (await turn.reply(say(turn.lang, 'linkTaken')));
  const subscriber = await getSubscriber(db, id!);
  await turn.reply(say(turn.lang, 'linked', { email: subscriber?.email ?? '' }));
}

export async function link(turn: Turn): Promise<void> {
  await turn.reply(say(turn.lang, 'linkHelp'));
}

export async function unlink(turn: Turn): Promise<void> {
  const done = await unlinkTelegram(coreContext(turn), { chatId: String(turn.chat.id) });
  await turn.reply(say(turn.lang, done ? 'unlinked' : 'notLinked'));
}
