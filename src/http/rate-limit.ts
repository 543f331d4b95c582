// In-memory sliding-window counters for the public forms: per IP and per address. One process's
// view only; the per-address limit is backed by the database as well (see subscribe.ts), so a
// flood spread over replicas still sends one confirmation per cooldown.

export interface RateLimiter {
  /** Counts one attempt for `key`; false when it is over the limit (the attempt is not counted). */
  hit(key: string, now: Date): boolean;
  /** Seconds until `key` may try again (0 when it may now). */
  retryAfter(key: string, now: Date): number;
}

export function slidingWindowLimiter(opts: { limit: number; windowMs: number; maxKeys?: number }): RateLimiter {
  const maxKeys = opts.maxKeys ?? 100_000;
  // Insertion order doubles as age order for eviction: a key is re-inserted when it is hit.
  const hits = new Map<string, number[]>();
  const recent = (key: string, now: number): number[] => {
    const times = (hits.get(key) ?? []).filter((t) => t > now - opts.windowMs);
    if (times.length === 0) hits.delete(key);
    return times;
  };
  return {
    hit(key, now) {
      const at = now.getTime();
      const times = recent(key, at);
      if (times.length >= opts.limit) return false;
      times.push(at);
      hits.delete(key);
      hits.set(key, times);
      // A flood of distinct keys (spoofed addresses) must not grow memory without bound; the
      // stalest keys go first, which at worst forgives an old, idle offender.
      while (hits.size > maxKeys) hits.delete(hits.keys().next().value!);
      return true;
    },
    retryAfter(key, now) {
      const times = recent(key, now.getTime());
      if (times.length < opts.limit) return 0;
      return Math.max(1, Math.ceil((times[0]! + opts.windowMs - now.getTime()) / 1000));
    },
  };
}
