// `tidings subscribers import|export`: CSV in and out, streamed both ways so a list of 100,000
// never sits in memory. The format is in the README ("Subscribers").
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { action, UsageError, withCore } from './context.js';
import { printJson, progressLine } from './output.js';
import { SUBSCRIPTION_STATUS_NAMES } from './subscriber-options.js';

const csvCore = () => import('../core/subscribers-csv.js');

interface ImportOptions {
  newsletter?: string;
  dryRun?: boolean;
  status?: string;
  consentVersion?: string;
  json?: boolean;
}

function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? 'no such file or folder'
    : code === 'EISDIR'
      ? 'it is a folder, not a file'
      : code === 'EACCES'
        ? 'permission denied'
        : (code ?? (err as Error).message);
}

async function openInput(file: string): Promise<AsyncIterable<Buffer | string>> {
  if (file === '-') return process.stdin;
  try {
    const handle = await open(file, 'r');
    return handle.createReadStream();
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${why(err)}`);
  }
}

/** Resolves when the stream took the text, or has room again. */
function write(out: Writable, text: string): Promise<void> {
  if (out.write(text)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      out.off('drain', onDrain);
      reject(err);
    };
    const onDrain = () => {
      out.off('error', onError);
      resolve();
    };
    out.once('error', onError);
    out.once('drain', onDrain);
  });
}

async function openOutput(file: string): Promise<Writable> {
  try {
    // Opened first so a missing folder or a read-only file is reported before anything is read.
    return (await open(file, 'w')).createWriteStream();
  } catch (err) {
    throw new UsageError(`cannot write ${file}: ${why(err)}`);
  }
}

export function registerSubscriberTransfer(subscribers: Command): void {
  subscribers
    .command('import <file|->')
    .description('Subscribe every address of a CSV file (or - for stdin) to a newsletter. Columns: email (required), name, language, keywords.')
    .option('--newsletter <slug|id>', 'newsletter to subscribe them to (required)')
    .option('--status <status>', 'active (they consented elsewhere) | pending (they must confirm; the CLI sends no mail yet)', 'active')
    .option('--consent-version <v>', 'version of the consent text they agreed to, kept in each consent record')
    .option('--dry-run', 'check every row and report, writing nothing')
    .option('--json', 'print the report as JSON')
    .action(
      action(async (file: string, o: ImportOptions) => {
        if (!o.newsletter) throw new UsageError('give --newsletter <slug|id> (see `tidings newsletters list`)');
        await withCore(csvCore, async (core, ctx) => {
          const progress = process.stderr.isTTY ? progressLine() : undefined;
          let report: Awaited<ReturnType<typeof core.importSubscribersCsv>>;
          try {
            report = await core.importSubscribersCsv(ctx, {
              newsletter: o.newsletter!,
              bytes: await openInput(file),
              status: o.status,
              consentVersion: o.consentVersion,
              dryRun: o.dryRun,
              onBatch: (r) =>
                progress?.update(
                  `${r.rows} rows: ${r.imported} ${r.dryRun ? 'to import' : 'imported'}, ${r.alreadySubscribed} already subscribed, ${r.rejected.length} rejected`,
                ),
            });
          } finally {
            progress?.done();
          }
          const { newsletter, encoding } = report;
          if (o.json) {
            const { alreadySubscribed, dryRun, rows, imported, rejected } = report;
            printJson({ rows, imported, rejected, already_subscribed: alreadySubscribed, dry_run: dryRun, encoding, newsletter: newsletter.slug });
          } else {
            if (encoding !== 'utf-8') process.stdout.write(`Read the file as ${encoding.toUpperCase()} (it is not UTF-8).\n`);
            for (const r of report.rejected) process.stdout.write(`row ${r.row}: ${r.email || '(no address)'}: ${r.reason}\n`);
            process.stdout.write(`${core.importSummary(report, newsletter.slug)}\n`);
          }
          if (report.imported === 0 && report.alreadySubscribed === 0 && report.rejected.length > 0) process.exitCode = 1;
        });
      }),
    );

  subscribers
    .command('export [file|-]')
    .description(
      'Write email subscriptions as CSV to a file, or to stdout (no file, or -). Cells a spreadsheet would run as formulas start with an apostrophe.',
    )
    .option('--newsletter <slug|id>', 'only this newsletter')
    .option('--status <status>', `only subscriptions in this status (${SUBSCRIPTION_STATUS_NAMES})`)
    .option('--bom', 'start with a UTF-8 byte order mark, so Excel shows Chinese names correctly')
    .action(
      action(async (file: string | undefined, o: { newsletter?: string; status?: string; bom?: boolean }) => {
        await withCore(csvCore, async (core, ctx) => {
          const { chunks, written } = await core.exportSubscribersCsv(ctx, { newsletter: o.newsletter, status: o.status, bom: o.bom });
          const toStdout = file === undefined || file === '-';
          const out = toStdout ? process.stdout : await openOutput(file);
          // Kept, not thrown from an event: a closed pipe (`| head`) or a full disk ends the loop.
          let failure: NodeJS.ErrnoException | undefined;
          out.on('error', (err) => (failure ??= err));
          try {
            for await (const chunk of chunks) {
              await write(out, chunk);
              if (failure) break;
            }
            if (!toStdout) await new Promise<void>((resolve) => out.end(resolve));
          } catch (err) {
            if (!failure) throw err;
          }
          if (failure?.code === 'EPIPE' && toStdout) return;
          if (failure) throw new UsageError(`cannot write ${toStdout ? 'to stdout' : file}: ${why(failure)}`);
          if (!toStdout) process.stdout.write(`Wrote ${written()} subscriptions to ${file}.\n`);
        });
      }),
    );
}
