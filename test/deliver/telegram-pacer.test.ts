// The pacer on a hand-driven clock: which acquisitions are granted when, and that waiting costs
// timers, not a loop.
import { describe, expect, it } from 'vitest';
import { Pacer, type PacerClock, type PacingLimits, TELEGRAM_PACING } from '../../src/deliver/pacing.js';

function manualClock() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: PacerClock & { set: number } = {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn });
      clock.set++;
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
    set: 0,
  };
  /** Moves time forward to `to`, firing due timers in order, letting grants settle between. */
  const advance = async (to: number) => {
    for (;;) {
      await settle();
      const due = [...timers.entries()].filter(([, t]) => t.at <= to).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = Math.max(now, due[1].at);
      due[1].fn();
      await settle();
    }
    now = to;
    await settle();
  };
  return { clock, advance, pending: () => timers.size };
}

const settle = () => new Promise((r) => setImmediate(r));

/** Acquires for each chat in order; records when each was granted (clock time). */
function track(pacer: Pacer, clock: PacerClock, chats: string[]) {
  const granted: { chat: string; at: number; release: () => void }[] = [];
  for (const chat of chats) void pacer.acquire(chat).then((release) => granted.push({ chat, at: clock.now(), release }));
  return granted;
}

const limits = (over: Partial<PacingLimits> = {}): PacingLimits => ({ ...TELEGRAM_PACING, ...over });

describe('Pacer', () => {
  it('grants 30 at once, then one more per slot that has been replied to for a full second', async () => {
    const { clock, advance } = manualClock();
    const pacer = new Pacer(limits(), clock);
    const granted = track(
      pacer,
      clock,
      Array.from({ length: 40 }, (_, i) => String(i + 1)),
    );
    await settle();
    expect(granted).toHaveLength(30);
    await advance(5000);
    expect(granted).toHaveLength(30); // nothing replied yet: still 30 in flight
    for (const g of granted.slice(0, 10)) g.release();
    await advance(5999);
    expect(granted).toHaveLength(30);
    await advance(6000);
    expect(granted).toHaveLength(40);
    expect(granted.slice(30).every((g) => g.at === 6000)).toBe(true);
  });

  it('keeps one chat to one message per gap after the reply, and lets other chats by meanwhile', async () => {
    const { clock, advance } = manualClock();
    const pacer = new Pacer(limits(), clock);
    const granted = track(pacer, clock, ['7', '7', '8']);
    await settle();
    expect(granted.map((g) => g.chat)).toEqual(['7', '8']);
    await advance(100);
    granted[0]!.release();
    await advance(1099);
    expect(granted).toHaveLength(2);
    await advance(1100);
    expect(granted.map((g) => [g.chat, g.at])).toEqual([
      ['7', 0],
      ['8', 0],
      ['7', 1100],
    ]);
  });

  it('allows a group its per-window budget only', async () => {
    const { clock, advance } = manualClock();
    const pacer = new Pacer(limits({ perChatMs: 0, group: 3, groupWindowMs: 10_000 }), clock);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      void pacer.acquire('-100').then((release) => {
        times.push(clock.now());
        release();
      });
    }
    await advance(30_000);
    expect(times).toEqual([0, 0, 0, 10_000, 10_000, 10_000, 20_000]);
  });

  it('holds a chat for retry_after while the others continue', async () => {
    const { clock, advance } = manualClock();
    const pacer = new Pacer(limits(), clock);
    (await pacer.acquire('1'))();
    pacer.hold('1', 5000);
    const granted = track(pacer, clock, ['1', '2', '3']);
    await settle();
    expect(granted.map((g) => g.chat)).toEqual(['2', '3']);
    await advance(4999);
    expect(granted).toHaveLength(2);
    await advance(5000);
    expect(granted.map((g) => [g.chat, g.at])).toEqual([
      ['2', 0],
      ['3', 0],
      ['1', 5000],
    ]);
  });

  it('waits on one timer, not a loop, however many are waiting', async () => {
    const { clock, advance, pending } = manualClock();
    const pacer = new Pacer(limits(), clock);
    const releases: (() => void)[] = [];
    for (let i = 0; i < 200; i++) void pacer.acquire('5').then((r) => releases.push(r));
    await settle();
    for (let t = 1; t <= 20; t++) {
      releases.at(-1)!();
      await advance(t * 1000 + 1);
    }
    expect(releases).toHaveLength(21);
    expect(pending()).toBeLessThanOrEqual(1);
    expect(clock.set).toBeLessThanOrEqual(25);
    expect(pacer.waiting).toBe(179);
  });

  it('gives up waiting when aborted', async () => {
    const { clock } = manualClock();
    const pacer = new Pacer(limits({ global: 1 }), clock);
    await pacer.acquire('1');
    const stop = new AbortController();
    const waiting = pacer.acquire('2', stop.signal);
    stop.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    expect(pacer.waiting).toBe(0);
  });
});
