// The three parts of undici the fetcher uses, loaded by path. undici's index also loads fetch,
// WebSocket, cookies, mocks, caches, interceptors and (through its global dispatcher) Node's own
// bundled copy of undici: 90–135 ms here against 30–40 ms for these, in every `tidings ingest`.
// Same files as the index loads, so the classes are the same ones if both end up loaded.
import { createRequire } from 'node:module';
import type { Agent as UndiciAgent, Dispatcher, buildConnector as undiciBuildConnector } from 'undici';

const require = createRequire(import.meta.url);

export const Agent: typeof UndiciAgent = require('undici/lib/dispatcher/agent.js');
export const buildConnector: typeof undiciBuildConnector = require('undici/lib/core/connect.js');

const apiRequest: (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData> = require('undici/lib/api/api-request.js');

/** `dispatcher.request(opts)`, which exists as a method only once undici's index has run. */
export function request(dispatcher: Dispatcher, opts: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return apiRequest.call(dispatcher, opts);
}
