import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseOpml, toOpml } from '../sources/opml.js';
import { addSource, DuplicateSourceError, listSources, sourceOptions } from '../store/sources.js';
import { auditCli, UsageError, action, withDeps } from './context.js';

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
        const { entries, rejected } = parseOpml(xml);
        await withDeps(async (deps) => {
          let added = 0;
          let existing = 0;
          for (const e of entries) {
            if (o.dryRun) {
              process.stdout.write(`would add ${e.kind} "${e.name}" ${e.url}\n`);
              continue;
            }
            try {
              await addSource(deps.store.db, { kind: e.kind, url: e.url, name: e.name, intervalMinutes: deps.config.ingest.intervalMinutes, options: e.options }, deps.now());
              added++;
            } catch (err) {
              if (!(err instanceof DuplicateSourceError)) throw err;
              existing++;
            }
          }
          if (!o.dryRun && added > 0) await auditCli(deps, 'source.import-opml', `${added} added, ${existing} already present`);
          for (const r of rejected) process.stdout.write(`rejected "${r.line}": ${r.reason}\n`);
          const verb = o.dryRun ? 'would add' : 'added';
          process.stdout.write(`${verb} ${o.dryRun ? entries.length : added} sources, ${existing} already present, ${rejected.length} rejected.\n`);
          if (entries.length === 0 && rejected.length > 0) process.exitCode = 1;
        });
      }),
    );

  sources
    .command('export')
    .description('Write all sources as OPML (to stdout, or --out FILE).')
    .option('-o, --out <file>', 'write to this file')
    .action(
      action(async (o: { out?: string }) => {
        await withDeps(async (deps) => {
          const rows = await listSources(deps.store.db);
          const xml = toOpml(
            rows.map((r) => ({ kind: r.kind, url: r.url, name: r.name, options: sourceOptions(r) })),
            deps.now(),
          );
          if (o.out) {
            await writeFile(o.out, xml);
            process.stdout.write(`Wrote ${rows.length} sources to ${o.out}.\n`);
          } else process.stdout.write(xml);
        });
      }),
    );
}
