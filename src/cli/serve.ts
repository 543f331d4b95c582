import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { UsageError, action, parseIntOption, withDeps } from './context.js';

/** Resolves on the first SIGINT or SIGTERM, and stops listening for both. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the public pages (archive, digest pages, Atom feeds, subscribe, confirm, unsubscribe, preferences) until stopped with Ctrl-C.')
    .option('--host <address>', 'address to listen on (default: HTTP_HOST)')
    .option('-p, --port <port>', 'port to listen on; 0 picks a free one (default: HTTP_PORT)', parseIntOption('--port', 0, 65_535))
    .action(
      action(async (o: { host?: string; port?: number }) => {
        await withDeps(
          async (deps) => {
            const [{ buildServer }, { buildEmailChannel, httpDeps }] = await Promise.all([import('../http/server.js'), import('../deps.js')]);
            // The subscriber pages send confirmation mails through the same channel as digests.
            const channel = buildEmailChannel(deps.config, deps.log);
            // TELEGRAM_MODE=webhook: the bot answers updates Telegram posts to /telegram/webhook.
            // With a bot, the preferences page offers a link connecting a Telegram chat.
            const { telegramLinker, webhookBot } = await import('../bot/wiring.js');
            const telegram = webhookBot(deps);
            const telegramLink = telegramLinker(deps);
            const http = httpDeps(deps, { channel, from: deps.config.email.from });
            const app = buildServer({ ...http, subscribers: http.subscribers && { ...http.subscribers, telegramLink }, telegramWebhook: telegram?.options });
            app.addHook('onClose', async () => channel.close());
            const host = o.host ?? deps.config.http.host;
            const port = o.port ?? deps.config.http.port;
            // Registered before listening: a signal during start-up still ends in a clean close.
            const stopped = stopSignal();
            try {
              await app.listen({ host, port });
            } catch (err) {
              await app.close();
              const code = (err as { code?: string }).code;
              if (code === 'EADDRINUSE') throw new UsageError(`${host}:${port} is already in use; choose another port with --port or HTTP_PORT`);
              if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on "${host}": not an address of this machine; use --host or HTTP_HOST`);
              throw err;
            }
            const url = urlOf(app.server.address() as AddressInfo);
            process.stdout.write(`Serving the archive at ${url}/ (links in digests use ${deps.config.sender.publicUrl}). Stop with Ctrl-C.\n`);
            await telegram?.announce();
            const signal = await stopped;
            await app.close();
            process.stdout.write(`Stopped (${signal}).\n`);
          },
          { service: true },
        );
      }),
    );
}
