// A few long-lived SMTP connections shared by every send, one message at a time on each, and the
// rate limit across them. A connection is replaced after messagesPerConnection messages (some
// relays cap a session), after a 421, or when it breaks; idle ones do not hold the process open.
import type { Envelope, MessageBody, SmtpSession } from './smtp-session.js';

/** Time for the rate limit; injected in tests, so nothing there waits for real time. */
export interface RateClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: RateClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Messages per second as a token bucket refilled continuously. It holds 1/20 s worth of tokens
 * (at least one): a relay with a quota of 14/s sees evenly spaced messages, never a burst, and a
 * high rate is not throttled by timer granularity. Takers are served in arrival order, one timer
 * at a time, never a busy loop.
 */
export class TokenBucket {
  private readonly capacity: number;
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly clock: RateClock,
  ) {
    this.capacity = Math.max(1, Math.round(perSecond / 20));
    this.tokens = this.capacity;
    this.last = clock.now();
  }

  take(): Promise<void> {
    const turn = this.queue.then(() => this.wait());
    this.queue = turn;
    return turn;
  }

  private async wait(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.perSecond) / 1000);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(((1 - this.tokens) * 1000) / this.perSecond);
    }
  }
}

export interface PoolOptions {
  connections: number;
  messagesPerConnection: number;
  /** Opens a session ready to send (connected, TLS and AUTH done). */
  open: () => Promise<SmtpSession>;
}

interface Waiter {
  resolve: (session: SmtpSession) => void;
  reject: (err: unknown) => void;
}

export class SmtpPool {
  private readonly idle: SmtpSession[] = [];
  private readonly waiters: Waiter[] = [];
  /** Sessions open or opening, busy or idle. */
  private count = 0;
  private closed = false;

  constructor(private readonly opts: PoolOptions) {}

  async send(envelope: Envelope, body: MessageBody): Promise<string> {
    const session = await this.acquire();
    try {
      return await session.send(envelope, body);
    } finally {
      this.release(session);
    }
  }

  private acquire(): Promise<SmtpSession> {
    if (this.closed) return Promise.reject(new Error('the SMTP pool is closed'));
    for (let session = this.idle.pop(); session; session = this.idle.pop()) {
      if (!session.usable) {
        session.close();
        continue;
      }
      session.ref(true);
      return Promise.resolve(session);
    }
    if (this.count < this.opts.connections) return this.open();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private async open(): Promise<SmtpSession> {
    this.count++;
    let session: SmtpSession;
    try {
      session = await this.opts.open();
    } catch (err) {
      this.count--;
      this.dispatch();
      throw err;
    }
    session.onClose = () => this.gone(session);
    return session;
  }

  /** A connection closed (by us or the server), busy or idle: its slot is free. */
  private gone(session: SmtpSession): void {
    this.count--;
    const i = this.idle.indexOf(session);
    if (i >= 0) this.idle.splice(i, 1);
    this.dispatch();
  }

  private release(session: SmtpSession): void {
    if (this.closed || !session.usable || session.messages >= this.opts.messagesPerConnection) {
      session.close();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve(session);
      return;
    }
    session.ref(false);
    this.idle.push(session);
  }

  /** A slot came free while sends wait: open a connection for the first of them. */
  private dispatch(): void {
    if (this.closed || !this.waiters.length || this.count >= this.opts.connections) return;
    const waiter = this.waiters.shift()!;
    this.open().then(waiter.resolve, waiter.reject);
  }

  /** Sends that wait for a connection fail; in-flight ones finish, then their connections close. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new Error('the SMTP pool is closed'));
    for (const s of this.idle.splice(0)) s.close();
  }
}
