// Bounded concurrency for the readers that fetch or read many things at once (a page's article
// links, a dump folder's files): enough in flight to hide latency, never so many that a large
// listing opens hundreds of sockets or file handles.

/** Runs `fn` over `items` with at most `limit` in flight, keeping the input order in the output. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
