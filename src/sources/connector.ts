// The connect-time half of the address guard. The check has to happen where the socket is
// opened, on the address actually dialled: checking a URL and then letting the HTTP client
// resolve the name again would let DNS rebinding (first answer public, second 127.0.0.1) through.
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import type { buildConnector as BuildConnector } from 'undici';
import { type AllowList, refuseHost, refuseResolved } from './address-guard.js';
import { buildConnector } from './undici-parts.js';

export type Resolve = (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;

/** Thrown at connect time; the fetcher turns it into a `blocked-address` FetchError. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'ERR_BLOCKED_ADDRESS';
}

export const systemResolve: Resolve = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, order: 'verbatim' });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/**
 * A `net.connect` lookup that resolves with `resolve` and refuses the connection when any answer
 * is blocked: picking only the public answers would still let the socket layer try the others.
 */
export function guardedLookup(allow: AllowList, resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (answers) => {
        const why = refuseResolved(
          hostname,
          answers.map((a) => a.address),
          allow,
        );
        if (why) return callback(new BlockedAddressError(why), '', 0);
        const usable = options.family === 4 || options.family === 6 ? answers.filter((a) => a.family === options.family) : answers;
        const first = usable[0];
        if (!first) {
          const err: NodeJS.ErrnoException = new Error(`${hostname} has no IPv${options.family} address`);
          err.code = 'ENOTFOUND';
          return callback(err, '', 0);
        }
        // With autoSelectFamily (Node's default) net asks for every address at once.
        if (options.all) return callback(null, usable);
        return callback(null, first.address, first.family);
      },
      (err: Error) => callback(err, '', 0),
    );
  };
}

/**
 * An undici connector that refuses blocked IP literals (which never reach `lookup`) and
 * resolves names through the guarded lookup.
 */
export function guardedConnector(allow: AllowList, resolve: Resolve, connectTimeoutMs: number): BuildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(allow, resolve), timeout: connectTimeoutMs });
  return (options, callback) => {
    const why = refuseHost(options.hostname, allow);
    if (why) {
      queueMicrotask(() => callback(new BlockedAddressError(why), null));
      return;
    }
    connect(options, callback);
  };
}
