/**
 * Feed f of support/feed-server.ts on its own loopback address (127.1.0.1, 127.1.0.2, …), so each
 * feed is its own host to a fetcher (with its per-host limit) as real feeds are, and any
 * program can reach it with no name resolution to fake.
 */
export function feedAddress(f: number): string {
  return `127.1.${Math.floor(f / 250)}.${(f % 250) + 1}`;
}
