import type { Command } from 'commander';
import { redactedConfig } from '../config/index.js';
import { createLogger } from '../log.js';
import { openDb } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import { action, loadCliConfig } from './context.js';
import { printJson } from './output.js';

export function registerMisc(program: Command): void {
  program
    .command('migrate')
    .description('Create or upgrade the database schema (start does this too).')
    .action(
      action(async () => {
        const config = await loadCliConfig();
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
        printJson(redactedConfig(await loadCliConfig()));
      }),
    );
}
