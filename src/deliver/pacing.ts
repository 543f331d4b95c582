// Pacing for the Telegram Bot API's flood limits: per bot, per chat, per group or channel.
// Telegram counts a message when it arrives, which we never observe; we only know it arrived
// between our send and its reply. So a message holds its slot from the send until `windowMs`
// after its reply: then no set of messages the server saw within any window can exceed the
// limit, whatever the network delays — at the cost of one round trip per slot, which on a
// local or nearby Bot API is a few per cent of the window.
//
// Waiters are served first come, first served, but one whose chat is not ready yet (its gap, a
// group's per-minute budget, a 429 hold) never blocks the chats behind it. No polling: one timer,
// set for the earliest moment something could change, and every release re-checks.

export interface PacingLimits {
  /** Messages per bot per `windowMs` (Telegram: 30 per second). */
  global: number;
  windowMs: number;
  /** Gap between two messages to one chat (Telegram: about one per second). */
  perChatMs: number;
  /** Messages per group or channel per `groupWindowMs` (Telegram: 20 per minute). */
  group: number;
  groupWindowMs: number;
}

export const TELEGRAM_PACING: Readonly<PacingLimits> = { global: 30, windowMs: 1000, perChatMs: 1000, group: 20, groupWindowMs: 60_000 };

export interface PacerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: PacerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Slots in use: in flight, or replied to less than a window ago (reply times, ascending). */
interface Window {
  inFlight: number;
  done: number[];
}

interface ChatState {
  group: boolean;
  win: Window;
  lastDone: number;
  holdUntil: number;
}

interface Waiter {
  chat: string;
  grant: (release: () => void) => void;
}

/** Group chats and channels have negative ids (or are addressed by @username). */
export const isGroupChat = (chat: string) => chat.startsWith('-') || chat.startsWith('@');

/** When one more slot frees up in `w`: 0 now, Infinity only when a reply must come first. */
function windowReadyAt(w: Window, limit: number, windowMs: number, now: number): number {
  while (w.done.length && w.done[0]! <= now - windowMs) w.done.shift();
  const allowedDone = limit - 1 - w.inFlight;
  if (allowedDone < 0) return Number.POSITIVE_INFINITY;
  if (w.done.length <= allowedDone) return 0;
  return w.done[w.done.length - allowedDone - 1]! + windowMs;
}

export class Pacer {
  private readonly global: Window = { inFlight: 0, done: [] };
  private readonly chats = new Map<string, ChatState>();
  private waiters: Waiter[] = [];
  private timer: { handle: unknown; at: number } | null = null;
  private pumps = 0;

  constructor(
    private readonly limits: PacingLimits = TELEGRAM_PACING,
    private readonly clock: PacerClock = realClock,
  ) {}

  /**
   * Resolves when a message to `chat` may be sent now, with the function to call once its
   * reply (or failure) is in. `chat` is the chat id without a thread: limits are per chat.
   */
  acquire(chat: string, signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      signal?.throwIfAborted();
      const waiter: Waiter = { chat, grant: resolve };
      this.waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          if (!this.waiters.includes(waiter)) return;
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(signal.reason);
        },
        { once: true },
      );
      this.pump();
    });
  }

  /** Telegram said retry_after for this chat: nothing goes to it for `ms`; other chats go on. */
  hold(chat: string, ms: number): void {
    const c = this.chat(chat);
    c.holdUntil = Math.max(c.holdUntil, this.clock.now() + ms);
    this.pump();
  }

  /** Waiting senders (for tests and progress reports). */
  get waiting(): number {
    return this.waiters.length;
  }

  private chat(chat: string): ChatState {
    let c = this.chats.get(chat);
    if (!c) {
      c = { group: isGroupChat(chat), win: { inFlight: 0, done: [] }, lastDone: Number.NEGATIVE_INFINITY, holdUntil: 0 };
      this.chats.set(chat, c);
    }
    return c;
  }

  private chatReadyAt(c: ChatState, now: number): number {
    if (c.win.inFlight > 0) return Number.POSITIVE_INFINITY;
    const group = c.group ? windowReadyAt(c.win, this.limits.group, this.limits.groupWindowMs, now) : 0;
    return Math.max(c.lastDone + this.limits.perChatMs, c.holdUntil, group);
  }

  private pump(): void {
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.waiters.length; ) {
      const globalAt = windowReadyAt(this.global, this.limits.global, this.limits.windowMs, now);
      if (globalAt > now) {
        next = Math.min(next, globalAt);
        break;
      }
      const waiter = this.waiters[i]!;
      const c = this.chat(waiter.chat);
      const at = this.chatReadyAt(c, now);
      if (at > now) {
        next = Math.min(next, at);
        i++;
        continue;
      }
      this.waiters.splice(i, 1);
      waiter.grant(this.take(c));
    }
    this.schedule(next, now);
    if (++this.pumps % 1000 === 0) this.sweep(now);
  }

  private take(c: ChatState): () => void {
    this.global.inFlight++;
    c.win.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = this.clock.now();
      this.global.inFlight--;
      this.global.done.push(now);
      c.win.inFlight--;
      if (c.group) c.win.done.push(now);
      c.lastDone = now;
      this.pump();
    };
  }

  private schedule(at: number, now: number): void {
    if (this.timer && this.timer.at <= at && this.timer.at > now) return;
    if (this.timer) this.clock.clearTimeout(this.timer.handle);
    this.timer = null;
    if (at === Number.POSITIVE_INFINITY) return;
    const handle = this.clock.setTimeout(
      () => {
        this.timer = null;
        this.pump();
      },
      Math.max(1, Math.ceil(at - now)),
    );
    this.timer = { handle, at };
  }

  /** Forgets chats with nothing in flight, no hold and no slot still counting. */
  private sweep(now: number): void {
    const keep = Math.max(this.limits.perChatMs, this.limits.groupWindowMs);
    for (const [key, c] of this.chats) {
      if (c.win.inFlight === 0 && c.holdUntil <= now && c.lastDone <= now - keep) this.chats.delete(key);
    }
  }
}
