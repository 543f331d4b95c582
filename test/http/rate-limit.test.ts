import { describe, expect, it } from 'vitest';
import { slidingWindowLimiter } from '../../src/http/rate-limit.js';

const at = (ms: number) => new Date(Date.UTC(2026, 10, 24) + ms);

describe('slidingWindowLimiter', () => {
  it('allows `limit` hits per window and frees them as they age out', () => {
    const limiter = slidingWindowLimiter({ limit: 2, windowMs: 1000 });
    expect([limiter.hit('a', at(0)), limiter.hit('a', at(100)), limiter.hit('a', at(200))]).toEqual([true, true, false]);
    expect(limiter.hit('b', at(200))).toBe(true);
    expect(limiter.retryAfter('a', at(500))).toBe(1);
    expect(limiter.hit('a', at(1001))).toBe(true);
    expect(limiter.hit('a', at(1050))).toBe(false);
    expect(limiter.retryAfter('c', at(0))).toBe(0);
  });

  it('forgets the stalest keys beyond maxKeys', () => {
    const limiter = slidingWindowLimiter({ limit: 1, windowMs: 60_000, maxKeys: 3 });
    for (const k of ['a', 'b', 'c', 'd']) expect(limiter.hit(k, at(0))).toBe(true);
    expect(limiter.hit('a', at(1))).toBe(true);
    expect(limiter.hit('d', at(1))).toBe(false);
  });
});
