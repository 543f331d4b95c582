// `tidings sources import|export`: OPML files in and out through the core's import and export
// (the same rules as the admin UI, the API and the bot; from the shell, local paths are allowed).
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { action, UsageError, withDeps } from './context.js';
import { sourceContext } from './sources.js';

export function registerSourceTransfer(sources: Command): void {
  sources
    .command('import <file.opml>')
    .description('Add every feed of an OPML file (from another feed reader, or `sources export`).')
    .option('--dry-run', 'show what would be added without adding anything')
    .action(
      action(async (file: string, o: { dryRun?: boolean }) => {
        const xml = await readFile(file, 'utf8').catch(() => {
          throw new UsageError(`cannot read ${file}`);
        });
        const { importOpml, importSummary } = await import('../core/sources-opml.js');
        await withDeps(async (root) => {
          const r = await importOpml(sourceContext(root), { xml, dryRun: o.dryRun });
          for (const one of r.outcomes) {
            if (one.outcome === 'rejected') process.stdout.write(`rejected "${one.name}": ${one.reason}\n`);
            else if (o.dryRun && one.outcome === 'added') process.stdout.write(`would add ${one.kind} "${one.name}" ${one.url}\n`);
          }
          process.stdout.write(`${importSummary(r)}\n`);
          // A file of which nothing could be used is a failed command, for scripts.
          if (r.added + r.alreadyPresent === 0 && r.rejected > 0) process.exitCode = 1;
        });
      }),
    );

  sources
    .command('export')
    .description('Write all sources as OPML (to stdout, or --out FILE).')
    .option('-o, --out <file>', 'write to this file')
    .action(
      action(async (o: { out?: string }) => {
        const { exportOpml } = await import('../core/sources-opml.js');
        await withDeps(async (root) => {
          const { xml, count } = await exportOpml(sourceContext(root));
          if (o.out) {
            await writeFile(o.out, xml);
            process.stdout.write(`Wrote ${count} sources to ${o.out}.\n`);
          } else process.stdout.write(xml);
        });
      }),
    );
}
