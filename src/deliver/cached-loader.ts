// Per-digest data every recipient shares, loaded once per digest by a send loop. A failed load
// is not cached: the next row tries again.
export function cachedLoader<T>(load: (digestId: number) => Promise<T>): (digestId: number) => Promise<T> {
  const cache = new Map<number, Promise<T>>();
  return (digestId) => {
    let p = cache.get(digestId);
    if (!p) {
      p = load(digestId);
      p.catch(() => cache.delete(digestId));
      cache.set(digestId, p);
    }
    return p;
  };
}
