// Fetcher settings for tests (short deadlines, a 1 MiB cap, loopback allowed as each test says)
// and a way to capture the FetchError a request is expected to fail with.
import { createFetcher } from '../../src/sources/fetcher.js';
import { FetchError, type Fetcher, type FetcherOptions } from '../../src/sources/types.js';

export const TEST_UA = 'Tidings-test/1.0 (+https://example.org/tidings)';

export function testFetcherOptions(over: Partial<FetcherOptions> = {}): FetcherOptions {
  return {
    userAgent: TEST_UA,
    timeoutMs: 5000,
    idleTimeoutMs: 5000,
    maxBytes: 1024 * 1024,
    maxRedirects: 5,
    perHostConcurrency: 4,
    allow: ['127.0.0.1'],
    ...over,
  };
}

export function testFetcher(over: Partial<FetcherOptions> = {}): Fetcher {
  return createFetcher(testFetcherOptions(over));
}

export async function fetchFailure(p: Promise<unknown>): Promise<FetchError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof FetchError)) throw new Error(`expected a FetchError, got ${String(err)}`);
  return err;
}
