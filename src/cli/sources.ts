// `tidings sources …`: parse the arguments, call the core (src/core/sources.ts), print the
// answer. The core decides what a source may be and writes the audit row; a CoreError becomes
// one line on stderr and its exit code (context.ts). Modules load inside the actions, so
// `tidings --help` stays light.
import { type Command, InvalidArgumentError } from 'commander';
import type { KindChoice } from '../sources/probe.js';
import type { SourceOptions } from '../sources/types.js';
import type { SourceRow } from '../store/schema.js';
import type { Root } from '../main.js';
import { action, coreContext, parseIntOption, withDeps, withCore } from './context.js';
import { ago, printJson, table, truncate } from './output.js';
import { registerSourceTransfer } from './sources-opml.js';

const KIND_CHOICES = ['auto', 'feed', 'page', 'textdump'];

interface OptionFlags {
  selector?: string;
  follow?: number;
  maxItems?: number;
  category?: string;
  lang?: string;
  weight?: number;
}

interface AddOptions extends OptionFlags {
  kind: KindChoice;
  name?: string;
  interval?: number;
  check: boolean;
}

// Thrown while commander parses arguments, so it must be commander's own error type to be
// reported as a usage error rather than escaping as a crash.
function kindOption(value: string): KindChoice {
  if (!KIND_CHOICES.includes(value)) throw new InvalidArgumentError(`--kind must be one of ${KIND_CHOICES.join(', ')}.`);
  return value as KindChoice;
}

function optionsFrom(o: OptionFlags): SourceOptions {
  const out: SourceOptions = {};
  if (o.selector) out.linkSelector = o.selector;
  if (o.follow !== undefined) out.followDepth = o.follow;
  if (o.maxItems !== undefined) out.maxItems = o.maxItems;
  if (o.category) out.category = o.category;
  if (o.lang) out.lang = o.lang;
  if (o.weight !== undefined) out.weight = o.weight;
  return out;
}

/** The core's context for source operations, from this process's root. */
export function sourceContext(root: Root) {
  return { ...coreContext(root), fetcher: root.fetcher, readers: root.readers, sourceIntervalMinutes: root.config.ingest.intervalMinutes };
}

const sourcesCore = () => import('../core/sources.js');

function withOptionFlags(cmd: Command): Command {
  return cmd
    .option('--selector <css>', 'page sources: CSS selector for article links on the listing page')
    .option('--follow <depth>', 'page sources: follow next/previous-article links this deep', parseIntOption('--follow', 0, 10))
    .option('--max-items <n>', 'page sources: at most this many articles per listing', parseIntOption('--max-items', 1, 500))
    .option('--category <name>', 'category for articles that have none')
    .option('--lang <code>', 'language of the articles (en, zh, …) instead of detecting it')
    .option('--weight <n>', 'ranking weight in digests (1 = normal)', parseIntOption('--weight', 0, 100));
}

function health(r: SourceRow): string {
  if (!r.enabled) return `PAUSED${r.paused_reason ? `: ${r.paused_reason}` : ''}`;
  return r.consecutive_failures > 0 ? `FAILING ×${r.consecutive_failures}: ${r.last_error ?? ''}` : (r.last_status ?? 'new');
}

export function registerSources(program: Command): void {
  const sources = program.command('sources').description('Manage the sources articles are gathered from.');

  withOptionFlags(
    sources
      .command('add <url-or-path>')
      .description('Add a feed or page URL, or a folder of crawler text dumps. The kind is detected unless given.')
      .option('-k, --kind <kind>', `source kind: ${KIND_CHOICES.join(' | ')}`, kindOption, 'auto')
      .option('-n, --name <name>', 'display name (default: the feed title or the URL)')
      .option('-i, --interval <minutes>', 'minutes between fetches', parseIntOption('--interval', 1, 10_080)),
  )
    .option('--no-check', 'add without reading the source first (then --kind is needed)')
    .action(
      action(async (target: string, o: AddOptions) => {
        await withCore(sourcesCore, async (core, _ctx, root) => {
          const r = await core.addSource(sourceContext(root), {
            url: target,
            kind: o.kind,
            name: o.name,
            intervalMinutes: o.interval,
            options: optionsFrom(o),
            check: o.check,
          });
          if (r.items !== undefined) process.stdout.write(`Read ${r.items} items as a ${r.source.kind} source.\n`);
          process.stdout.write(
            `Added source ${r.source.id} (${r.source.kind}) "${r.source.name}". Run \`tidings ingest --source ${r.source.id}\` to fetch it now.\n`,
          );
        });
      }),
    );

  withOptionFlags(
    sources
      .command('update <id-or-url>')
      .description("Change a source's name, fetch interval or options (given options replace the stored ones).")
      .option('-n, --name <name>', 'display name')
      .option('-i, --interval <minutes>', 'minutes between fetches', parseIntOption('--interval', 1, 10_080)),
  ).action(
    action(async (key: string, o: OptionFlags & { name?: string; interval?: number }) => {
      const core = await sourcesCore();
      const options = optionsFrom(o);
      await withDeps(async (root) => {
        const row = await core.updateSource(coreContext(root), key, {
          name: o.name,
          intervalMinutes: o.interval,
          options: Object.keys(options).length ? options : undefined,
        });
        process.stdout.write(`Updated source ${row.id} "${row.name}".\n`);
      });
    }),
  );

  sources
    .command('list')
    .description('List sources with their health: last fetch, failures, pause reason.')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { json?: boolean }) => {
        const [core, { sourceOptions }] = await Promise.all([sourcesCore(), import('../store/sources.js')]);
        await withDeps(async (root) => {
          const rows = await core.listSources(coreContext(root));
          if (o.json) return printJson(rows.map((r) => ({ ...r, options: sourceOptions(r) })));
          if (rows.length === 0) return void process.stdout.write('No sources yet. Add one with `tidings sources add <url|path>`.\n');
          const now = root.now();
          const out = table(
            ['id', 'kind', 'name', 'health', 'fetched', 'next', 'url'],
            rows.map((r) => [
              r.id,
              r.kind,
              truncate(r.name, 28),
              truncate(health(r), 50),
              ago(r.last_fetched_at, now),
              r.enabled ? ago(r.next_fetch_at, now) : '-',
              truncate(r.url, 60),
            ]),
          );
          const failing = rows.filter((r) => r.consecutive_failures > 0 || !r.enabled).length;
          process.stdout.write(`${out}\n\n${rows.length} sources${failing ? `, ${failing} failing or paused` : ''}.\n`);
        });
      }),
    );

  sources
    .command('remove <id-or-url>')
    .description('Remove a source and the articles stored from it.')
    .option('-y, --yes', 'confirm deleting its articles too')
    .action(
      action(async (key: string, o: { yes?: boolean }) => {
        await withCore(sourcesCore, async (core, ctx) => {
          const r = await core.removeSource(ctx, key, { withArticles: o.yes === true });
          process.stdout.write(`Removed source ${r.source.id} "${r.source.name}"${r.articles ? ` and its ${r.articles} articles` : ''}.\n`);
        });
      }),
    );

  sources
    .command('pause <id-or-url>')
    .description('Stop fetching a source (its articles stay).')
    .option('-r, --reason <text>', 'why, shown in `sources list`')
    .action(
      action(async (key: string, o: { reason?: string }) => {
        await withCore(sourcesCore, async (core, ctx) => {
          const row = await core.pauseSource(ctx, key, o.reason);
          process.stdout.write(`Paused source ${row.id} "${row.name}".\n`);
        });
      }),
    );

  sources
    .command('resume <id-or-url>')
    .description('Fetch a paused or failing source again, starting now.')
    .action(
      action(async (key: string) => {
        await withCore(sourcesCore, async (core, ctx) => {
          const row = await core.resumeSource(ctx, key);
          process.stdout.write(`Resumed source ${row.id} "${row.name}"; it is due now.\n`);
        });
      }),
    );

  withOptionFlags(
    sources
      .command('test <url-or-path>')
      .description('Fetch and parse a source without storing anything; shows what would be ingested.')
      .option('-k, --kind <kind>', `source kind: ${KIND_CHOICES.join(' | ')}`, kindOption, 'auto'),
  )
    .option('--json', 'print the parse result as JSON (schema in the README)')
    .action(
      action(async (target: string, o: OptionFlags & { kind: KindChoice; json?: boolean }) => {
        const [core, present] = await Promise.all([sourcesCore(), import('./present.js')]);
        await withDeps(async (root) => {
          const probe = await core.testSource(sourceContext(root), { url: target, kind: o.kind, options: optionsFrom(o) });
          if (o.json) return printJson(present.probeJson(probe));
          process.stdout.write(present.probeText(probe));
        });
      }),
    );

  registerSourceTransfer(sources);
}
