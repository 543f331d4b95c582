// What every CLI command shares: loading config and deps, and turning failures into a clear
// message and an exit code — never a stack trace.
import { InvalidArgumentError } from 'commander';
import { redactor } from '../bot/redact.js';
import type { Config } from '../config/index.js';
import type { Deps } from '../deps.js';
import type { Root } from '../main.js';
import type { CoreContext } from '../core/context.js';
import { EXIT_CODE, isCoreError } from '../core/errors.js';

/** The user asked for something we cannot do as asked; the message says what to do instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

// The config module (zod schemas) and the logger (pino) load on first use, not at start: every
// module `tidings --help` reaches must import only commander, node: built-ins and types (see
// scripts/build.mjs); a command's action imports what it needs with `await import()`.
let configModule: typeof import('../config/index.js') | undefined;
const configLoaded = async () => (configModule ??= await import('../config/index.js'));

export async function loadCliConfig(): Promise<Readonly<Config>> {
  return (await configLoaded()).loadConfigFromProcess();
}

/** Runs `fn` with this process's composition root (src/main.ts), closed after it. */
export async function withDeps<T>(fn: (root: Root) => Promise<T>, opts: { service?: boolean } = {}): Promise<T> {
  const config = await loadCliConfig();
  const { createLogger } = await import('../log.js');
  const log = createLogger({ level: config.logLevel ?? (opts.service ? 'info' : 'warn') });
  // Loaded on demand: `--help` and bad arguments need none of the database or network code.
  const { createRoot } = await import('../main.js');
  const root = await createRoot(config, log);
  try {
    return await fn(root);
  } finally {
    await root.close();
  }
}

/**
 * What most commands do: load a use-case module (lazily, so `--help` never loads it), open the
 * root, and hand both to `fn` with the CLI's context.
 */
export async function withCore<M>(load: () => Promise<M>, fn: (core: M, ctx: CoreContext, root: Root) => Promise<void>): Promise<void> {
  const core = await load();
  await withDeps((root) => fn(core, coreContext(root), root));
}

/** Wraps a commander action so every failure ends as one readable line and exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.exitCode = await reportFailure(err);
    }
  };
}

/** reportError, with the config module loaded first so its secrets are redacted in any case. */
export async function reportFailure(err: unknown): Promise<number> {
  await configLoaded().catch(() => {});
  return reportError(err);
}

export function reportError(err: unknown): number {
  if (configModule && err instanceof configModule.ConfigError) {
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`error: ${err.message}\n`);
    return 2;
  }
  if (isCoreError(err)) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT_CODE[err.code];
  }
  // A library's error may quote a URL carrying a secret (the Telegram token is in every Bot API URL).
  // (A SQLite DATABASE_URL is a file path, shown everywhere else too.)
  const redact = redactor(
    [...(configModule?.SECRET_VARS ?? [])]
      .filter((name) => name !== 'DATABASE_URL' || /^postgres/i.test(process.env[name] ?? ''))
      .map((name) => process.env[name]),
  );
  const message = redact(err instanceof Error ? err.message : String(err));
  process.stderr.write(`error: ${message}\n`);
  if (process.env.LOG_LEVEL === 'debug' && err instanceof Error && err.stack) process.stderr.write(`${redact(err.stack)}\n`);
  else process.stderr.write('(set LOG_LEVEL=debug for details)\n');
  return 1;
}

/** What a core use case gets from a CLI command: the deps' store and clock, acting as "cli". */
export function coreContext(deps: Deps): CoreContext {
  return { db: deps.store.db, now: deps.now, log: deps.log, actor: 'cli' };
}

/** A comma-separated (ASCII or full-width commas) and repeatable option; an empty value adds nothing. */
export function collectList(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(/[,，]/)
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export function parseId(value: string, what = 'id'): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${what} must be a number, got "${value}"`);
  return Number(value);
}

export function parseIntOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    return n;
  };
}
