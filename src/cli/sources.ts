import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { isHttpUrl, isLocalPath } from '../sources/local.js';
import type { KindChoice } from '../sources/probe.js';
import type { SourceOptions } from '../sources/types.js';
import { countArticles } from '../store/articles.js';
import { addSource, getSource, listSources, pauseSource, removeSource, resumeSource, sourceOptions } from '../store/sources.js';
import type { Deps } from '../deps.js';
import { auditCli, UsageError, action, parseIntOption, withDeps } from './context.js';
import { ago, printJson, table, truncate } from './output.js';
import { registerSourceTransfer } from './sources-opml.js';

const KIND_CHOICES = ['auto', 'feed', 'page', 'textdump'];

interface AddOptions {
  kind: KindChoice;
  name?: string;
  interval?: number;
  selector?: string;
  follow?: number;
  maxItems?: number;
  category?: string;
  lang?: string;
  weight?: number;
  check: boolean;
}

export async function findSource(deps: Deps, key: string) {
  const row = await getSource(deps.store.db, /^\d+$/.test(key) ? Number(key) : key);
  if (!row) throw new UsageError(`no source "${key}" (see \`tidings sources list\`)`);
  return row;
}

// Thrown while commander parses arguments, so it must be commander's own error type to be
// reported as a usage error rather than escaping as a crash.
function kindOption(value: string): KindChoice {
  if (!KIND_CHOICES.includes(value)) throw new InvalidArgumentError(`--kind must be one of ${KIND_CHOICES.join(', ')}.`);
  return value as KindChoice;
}

function optionsFrom(o: Partial<AddOptions>): SourceOptions {
  const out: SourceOptions = {};
  if (o.selector) out.linkSelector = o.selector;
  if (o.follow !== undefined) out.followDepth = o.follow;
  if (o.maxItems !== undefined) out.maxItems = o.maxItems;
  if (o.category) out.category = o.category;
  if (o.lang) out.lang = o.lang;
  if (o.weight !== undefined) out.weight = o.weight;
  return out;
}

export function registerSources(program: Command): void {
  const sources = program.command('sources').description('Manage the sources articles are gathered from.');

  sources
    .command('add <url-or-path>')
    .description('Add a feed or page URL, or a folder of crawler text dumps. The kind is detected unless given.')
    .option('-k, --kind <kind>', `source kind: ${KIND_CHOICES.join(' | ')}`, kindOption, 'auto')
    .option('-n, --name <name>', 'display name (default: the feed title or the URL)')
    .option('-i, --interval <minutes>', 'minutes between fetches', parseIntOption('--interval', 1, 10_080))
    .option('--selector <css>', 'page sources: CSS selector for article links on the listing page')
    .option('--follow <depth>', 'page sources: follow next/previous-article links this deep', parseIntOption('--follow', 0, 10))
    .option('--max-items <n>', 'page sources: at most this many articles per listing', parseIntOption('--max-items', 1, 500))
    .option('--category <name>', 'category for articles that have none')
    .option('--lang <code>', 'language of the articles (en, zh, …) instead of detecting it')
    .option('--weight <n>', 'ranking weight in digests (1 = normal)', parseIntOption('--weight', 0, 100))
    .option('--no-check', 'add without reading the source first')
    .action(
      action(async (target: string, o: AddOptions) => {
        if (!isHttpUrl(target) && !isLocalPath(target)) throw new UsageError(`"${target}" is not an http(s) URL or a local path`);
        await withDeps(async (deps) => {
          const options = optionsFrom(o);
          const url = isLocalPath(target) ? path.resolve(target) : target;
          let kind = o.kind === 'auto' ? undefined : o.kind;
          let name = o.name;
          if (o.check) {
            const { probeSource } = await import('../sources/probe.js');
            const probe = await probeSource(target, o.kind, options, { ...deps, readers: deps.readers });
            kind = probe.kind;
            name ??= probe.feed.feed.title;
            process.stdout.write(`Read ${probe.feed.items.length} items as a ${probe.kind} source.\n`);
          }
          if (!kind) throw new UsageError('with --no-check, give --kind feed|page|textdump');
          const row = await addSource(deps.store.db, { kind, url, name: name || url, intervalMinutes: o.interval ?? deps.config.ingest.intervalMinutes, options }, deps.now());
          await auditCli(deps, 'source.add', `${row.id} ${row.url}`);
          process.stdout.write(`Added source ${row.id} (${row.kind}) "${row.name}". Run \`tidings ingest --source ${row.id}\` to fetch it now.\n`);
        });
      }),
    );

  sources
    .command('list')
    .description('List sources with their health: last fetch, failures, pause reason.')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { json?: boolean }) => {
        await withDeps(async (deps) => {
          const rows = await listSources(deps.store.db);
          if (o.json) return printJson(rows.map((r) => ({ ...r, options: sourceOptions(r) })));
          if (rows.length === 0) return void process.stdout.write('No sources yet. Add one with `tidings sources add <url|path>`.\n');
          const now = deps.now();
          const health = (r: (typeof rows)[number]) =>
            !r.enabled ? `PAUSED${r.paused_reason ? `: ${r.paused_reason}` : ''}` : r.consecutive_failures > 0 ? `FAILING ×${r.consecutive_failures}: ${r.last_error ?? ''}` : (r.last_status ?? 'new');
          const out = table(
            ['id', 'kind', 'name', 'health', 'fetched', 'next', 'url'],
            rows.map((r) => [r.id, r.kind, truncate(r.name, 28), truncate(health(r), 50), ago(r.last_fetched_at, now), r.enabled ? ago(r.next_fetch_at, now) : '-', truncate(r.url, 60)]),
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
        await withDeps(async (deps) => {
          const row = await findSource(deps, key);
          const n = await countArticles(deps.store.db, { sourceId: row.id });
          if (n > 0 && !o.yes) throw new UsageError(`source ${row.id} "${row.name}" has ${n} stored articles; run again with --yes to delete it and them, or \`tidings sources pause ${row.id}\` to keep them`);
          await removeSource(deps.store.db, row.id);
          await auditCli(deps, 'source.remove', `${row.id} ${row.url}${n ? ` with ${n} articles` : ''}`);
          process.stdout.write(`Removed source ${row.id} "${row.name}"${n ? ` and its ${n} articles` : ''}.\n`);
        });
      }),
    );

  sources
    .command('pause <id-or-url>')
    .description('Stop fetching a source (its articles stay).')
    .option('-r, --reason <text>', 'why, shown in `sources list`', 'paused by an admin')
    .action(
      action(async (key: string, o: { reason: string }) => {
        await withDeps(async (deps) => {
          const row = await findSource(deps, key);
          await pauseSource(deps.store.db, row.id, o.reason, deps.now());
          await auditCli(deps, 'source.pause', `${row.id}: ${o.reason}`);
          process.stdout.write(`Paused source ${row.id} "${row.name}".\n`);
        });
      }),
    );

  sources
    .command('resume <id-or-url>')
    .description('Fetch a paused or failing source again, starting now.')
    .action(
      action(async (key: string) => {
        await withDeps(async (deps) => {
          const row = await findSource(deps, key);
          await resumeSource(deps.store.db, row.id, deps.now());
          await auditCli(deps, 'source.resume', String(row.id));
          process.stdout.write(`Resumed source ${row.id} "${row.name}"; it is due now.\n`);
        });
      }),
    );

  sources
    .command('test <url-or-path>')
    .description('Fetch and parse a source without storing anything; shows what would be ingested.')
    .option('-k, --kind <kind>', `source kind: ${KIND_CHOICES.join(' | ')}`, kindOption, 'auto')
    .option('--selector <css>', 'page sources: CSS selector for article links')
    .option('--follow <depth>', 'page sources: follow next/previous links this deep', parseIntOption('--follow', 0, 10))
    .option('--json', 'print the parse result as JSON (schema in the README)')
    .action(
      action(async (target: string, o: { kind: KindChoice; selector?: string; follow?: number; json?: boolean }) => {
        await withDeps(async (deps) => {
          const options = optionsFrom(o);
          const { probeSource } = await import('../sources/probe.js');
          const probe = await probeSource(target, o.kind, options, { ...deps, readers: deps.readers });
          if (o.json) return printJson((await import('./present.js')).probeJson(probe));
          const f = probe.feed;
          process.stdout.write(`${probe.kind} · ${f.format ?? ''} · ${f.encoding}${f.bozo ? ` · malformed but recovered (${f.bozoReason ?? ''})` : ''}\n`);
          if (f.feed.title) process.stdout.write(`${f.feed.title}${f.feed.link ? ` <${f.feed.link}>` : ''}\n`);
          process.stdout.write('\n' + table(['published', 'title', 'link'], f.items.map((i) => [i.published?.toISOString().slice(0, 16).replace('T', ' ') ?? '-', truncate(i.title ?? '(untitled)', 50), truncate(i.link ?? '', 60)])) + `\n\n${f.items.length} items.\n`);
        });
      }),
    );

  registerSourceTransfer(sources);
}
