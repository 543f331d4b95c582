// What /metrics reads from the database (the queries are store/db-counts.ts), cached for a few
// seconds so a storm of scrapes (several Prometheus replicas, a dashboard left open) costs the
// database at most one round of queries per interval.

/**
 * `read` at most once per `ttlMs` (by the injected clock); concurrent callers share one read,
 * and a failure is remembered for the interval too, so a dead database is not asked again and again.
 */
export function cachedRead<T>(read: () => Promise<T>, ttlMs: number, now: () => Date): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const t = now().getTime();
    if (!last || t - last.at >= ttlMs || t < last.at) {
      const value = read();
      // The rejection is handled by whoever awaits it; this keeps it from being "unhandled" meanwhile.
      value.catch(() => {});
      last = { at: t, value };
    }
    return last.value;
  };
}
