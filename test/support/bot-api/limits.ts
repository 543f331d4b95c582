// Telegram's flood limits, enforced exactly over sliding windows so a test can tell whether a
// sender kept them: a message at time t is refused when accepting it would put more than the
// limit into some window [a, a + windowMs). Only accepted messages count.

export interface RateLimits {
  /** Messages per bot per `windowMs` (Telegram: 30 per second). */
  global: number;
  windowMs: number;
  /** Minimum gap between two messages to the same chat (Telegram: about one per second). */
  perChatMs: number;
  /** Messages per group or channel (chat id < 0) per `groupWindowMs` (Telegram: 20 per minute). */
  group: number;
  groupWindowMs: number;
}

export const TELEGRAM_LIMITS: Readonly<RateLimits> = { global: 30, windowMs: 1000, perChatMs: 1000, group: 20, groupWindowMs: 60_000 };

/** How long until one more message fits a window holding `times` (ascending), 0 if it fits now. */
function windowWait(times: readonly number[], limit: number, windowMs: number, at: number): number {
  let inWindow = 0;
  for (let i = times.length - 1; i >= 0 && times[i]! > at - windowMs; i--) inWindow++;
  if (inWindow < limit) return 0;
  return times[times.length - limit]! + windowMs - at;
}

export class SendLimiter {
  private readonly global: number[] = [];
  private readonly chats = new Map<number, number[]>();

  constructor(private readonly limits: RateLimits) {}

  /** Milliseconds until a message to `chatId` would be accepted; 0: accepted now. */
  wait(chatId: number, at: number): number {
    const l = this.limits;
    const chat = this.chats.get(chatId) ?? [];
    const last = chat.at(-1);
    return Math.max(
      windowWait(this.global, l.global, l.windowMs, at),
      last === undefined ? 0 : last + l.perChatMs - at,
      chatId < 0 ? windowWait(chat, l.group, l.groupWindowMs, at) : 0,
    );
  }

  record(chatId: number, at: number): void {
    const l = this.limits;
    this.global.push(at);
    while (this.global[0]! <= at - l.windowMs) this.global.shift();
    const chat = this.chats.get(chatId) ?? [];
    chat.push(at);
    const keep = chatId < 0 ? l.groupWindowMs : l.perChatMs;
    while (chat.length > 1 && chat[0]! <= at - keep) chat.shift();
    this.chats.set(chatId, chat);
  }
}
