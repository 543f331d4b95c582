// The web role: the fastify app with everything the configuration turns on, listening. Shared by
// `tidings serve` (web only) and `tidings start`. Listen errors become one line saying what to do.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { telegramLinker, webhookBot } from '../bot/wiring.js';
import { adminApiDeps, adminWebDeps, httpDeps } from '../deps.js';
import type { Root } from '../main.js';
import { buildServer } from '../http/server.js';
import type { OpsRoutesOptions } from '../ops/routes.js';

export interface Web {
  app: FastifyInstance;
  /** Where it listens, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

export class ListenError extends Error {
  override readonly name = 'ListenError';
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export async function startWeb(deps: Root, at: { host: string; port: number }, ops?: OpsRoutesOptions): Promise<Web> {
  // The subscriber pages send confirmation mails through the process's one email transport.
  const channel = deps.email();
  // TELEGRAM_MODE=webhook: the bot answers updates Telegram posts to /telegram/webhook.
  // With a bot, the preferences page offers a link connecting a Telegram chat.
  const telegram = webhookBot(deps);
  const telegramLink = telegramLinker(deps);
  const http = httpDeps(deps, { channel, from: deps.config.email.from });
  const app = buildServer({
    ...http,
    subscribers: http.subscribers && { ...http.subscribers, telegramLink },
    telegramWebhook: telegram?.options,
    admin: { ...adminWebDeps(deps), wake: deps.wake },
    api: { ...adminApiDeps(deps), wake: deps.wake },
    ops,
  });
  try {
    await app.listen({ host: at.host, port: at.port });
  } catch (err) {
    await app.close();
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new ListenError(`${at.host}:${at.port} is already in use; choose another port with --port or HTTP_PORT`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new ListenError(`cannot listen on "${at.host}": not an address of this machine; use --host or HTTP_HOST`);
    throw err;
  }
  await telegram?.announce();
  return { app, url: urlOf(app.server.address() as AddressInfo), close: () => app.close() };
}
