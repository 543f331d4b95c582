// `tidings start` (= `npm start`): the service, until SIGTERM or Ctrl-C. `--role` picks what
// this process does when several share one PostgreSQL; `--once` runs the pipeline one time and
// exits (for a system cron). On an empty database the first start also runs that one pass, so
// a new user sees a digest and the outbox at once, then the service keeps going.
import type { Command } from 'commander';
import type { Root } from '../main.js';
import { ROLES, parseRoles } from '../service/roles.js';
import { UsageError, action, parseIntOption, withDeps } from './context.js';

interface StartOptions {
  role: string;
  once?: boolean;
  host?: string;
  port?: number;
}

/** Resolves with the first SIGINT/SIGTERM; a second one exits at once. */
function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

async function serve(deps: Root, o: StartOptions): Promise<void> {
  const parsed = parseRoles(o.role);
  if ('problem' in parsed) throw new UsageError(parsed.problem);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const { startupProblems } = await import('../ops/startup-checks.js');
  const problems = startupProblems(deps.config, { roles: parsed.roles });
  for (const warning of problems.warnings) deps.log.warn(warning);
  if (problems.errors.length) throw new UsageError(`refusing to start:\n  - ${problems.errors.join('\n  - ')}`);
  const stopped = firstSignal();
  const { startService } = await import('../service/service.js');
  const { ListenError } = await import('../service/web.js');
  const listen = { host: o.host ?? deps.config.http.host, port: o.port ?? deps.config.http.port };
  // Before the loops start, so the example sources are not fetched twice at once.
  const { isFirstRun, runOnce } = await import('./start-once.js');
  if (parsed.roles.size === ROLES.length && (await isFirstRun(deps))) {
    const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
    await runOnce(deps, out, { webUrl: listen.port ? `http://${host}:${listen.port}` : undefined });
  }
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService(deps, { roles: parsed.roles, listen });
  } catch (err) {
    if (err instanceof ListenError) throw new UsageError(err.message);
    throw err;
  }
  out(`Tidings is running: ${service.running.join(', ') || 'nothing (no role could start)'}${service.url ? ` · ${service.url}/` : ''}. Stop with Ctrl-C.`);
  const signal = await stopped;
  deps.log.info({ signal }, 'stopping: no new work is taken');
  const clean = await service.stop();
  out(clean ? `Stopped (${signal}).` : `Stopped (${signal}); some work was still running and is left to its leases (it is picked up again).`);
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'Run the service until stopped: each source fetched on its interval, each newsletter sent on its schedule, deliveries sent, the bot answering and the web pages served. The first start on an empty database adds the bundled examples and runs the whole pipeline once, so there is a digest to look at.',
    )
    .option('--role <roles>', `what this process does: all, or a comma-separated list of ${ROLES.join(', ')}`, 'all')
    .option('--once', 'run the pipeline once (ingest, summarize, build each enabled newsletter’s digest now, send) and exit')
    .option('--host <address>', 'web role: address to listen on (default: HTTP_HOST)')
    .option('-p, --port <port>', 'web role: port to listen on; 0 picks a free one (default: HTTP_PORT)', parseIntOption('--port', 0, 65_535))
    .action(
      action(async (o: StartOptions) => {
        const { runOnce } = await import('./start-once.js');
        await withDeps(async (deps) => (o.once ? runOnce(deps, (s) => process.stdout.write(`${s}\n`)) : serve(deps, o)), { service: true });
      }),
    );
}
