import type { Command } from 'commander';
import { action, loadCliConfig } from './context.js';
import { printJson } from './output.js';

export function registerMisc(program: Command): void {
  program
    .command('migrate')
    .description('Create or upgrade the database schema (start does this too).')
    .action(
      action(async () => {
        const config = await loadCliConfig();
        const [{ createLogger }, { openDb }, { migrateToLatest }] = await Promise.all([
          import('../log.js'),
          import('../store/db.js'),
          import('../store/migrate.js'),
        ]);
        const store = openDb(config.databaseUrl, { log: createLogger({ level: config.logLevel ?? 'warn' }) });
        try {
          const { applied } = await migrateToLatest(store);
          process.stdout.write(applied.length ? `Applied ${applied.length} migrations: ${applied.join(', ')}\n` : 'The database schema is up to date.\n');
        } finally {
          await store.close();
        }
      }),
    );

  program
    .command('config')
    .description('Show the configuration in effect, with secrets shown as <redacted>.')
    .action(
      action(async () => {
        const { redactedConfig } = await import('../config/index.js');
        printJson(redactedConfig(await loadCliConfig()));
      }),
    );
}
