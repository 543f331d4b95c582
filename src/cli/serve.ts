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
            const [{ ListenError, startWeb }, { createOps }] = await Promise.all([import('../service/web.js'), import('../ops/routes.js')]);
            const ops = createOps({ db: deps.store.db, log: deps.log, now: deps.now, config: deps.config });
            // Registered before listening: a signal during start-up still ends in a clean close.
            const stopped = stopSignal();
            let web: Awaited<ReturnType<typeof startWeb>>;
            try {
              web = await startWeb(deps, { host: o.host ?? deps.config.http.host, port: o.port ?? deps.config.http.port }, ops.routes);
            } catch (err) {
              ops.close();
              if (err instanceof ListenError) throw new UsageError(err.message);
              throw err;
            }
            process.stdout.write(`Serving the archive at ${web.url}/ (links in digests use ${deps.config.sender.publicUrl}). Stop with Ctrl-C.\n`);
            const signal = await stopped;
            ops.readiness.drain();
            await web.close();
            ops.close();
            process.stdout.write(`Stopped (${signal}).\n`);
          },
          { service: true },
        );
      }),
    );
}
