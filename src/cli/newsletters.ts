import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { archivePath } from '../http/pages.js';
import { listDigests } from '../store/digests.js';
import { addNewsletter, getNewsletter, listNewsletters, nameFromSlug, newsletterFilters, removeNewsletter, updateNewsletter } from '../store/newsletters.js';
import type { DigestRow, NewsletterRow } from '../store/schema.js';
import { auditCli, UsageError, action, withDeps } from './context.js';
import { asUsage, describeFilters, type NewsletterOptions, newsletterOptions, newsletterPatch } from './newsletter-options.js';
import { ago, printJson, table, truncate } from './output.js';

/** A newsletter by id or slug (slugs are never all digits, so "3" is always an id). */
export async function findNewsletter(deps: Deps, key: string): Promise<NewsletterRow> {
  const row = await getNewsletter(deps.store.db, /^\d+$/.test(key) ? Number(key) : key);
  if (!row) throw new UsageError(`no newsletter "${key}" (see \`tidings newsletters list\`)`);
  return row;
}


function newsletterJson(row: NewsletterRow) {
  return { ...row, filters: newsletterFilters(row) };
}

function itemCount(row: Pick<DigestRow, 'article_ids'>): number {
  try {
    const ids: unknown = JSON.parse(row.article_ids);
    return Array.isArray(ids) ? ids.length : 0;
  } catch {
    return 0;
  }
}

function lastDigest(row: DigestRow | undefined, now: Date): string {
  return row ? `${row.status} ${ago(row.completed_at ?? row.created_at, now)}` : 'never';
}

function details(deps: Deps, n: NewsletterRow): string {
  return [
    `${n.name} (${n.slug}, id ${n.id})${n.enabled ? '' : ' — DISABLED'}`,
    `  language   ${n.language}`,
    `  schedule   ${n.cron} (${n.timezone})`,
    `  stories    at most ${n.max_items}${n.sections ? ', in sections by category' : ''}; the first digest looks back ${n.lookback_hours}h`,
    `  filters    ${describeFilters(n)}`,
    `  archive    ${deps.config.sender.publicUrl}${archivePath(n.slug)}`,
  ].join('\n');
}

function digestTable(digests: DigestRow[], now: Date): string {
  const rows = digests.map((d) => [d.id, d.slot_at.slice(0, 16).replace('T', ' '), d.status, ago(d.completed_at, now), d.status === 'ready' ? itemCount(d) : '-', truncate(d.subject ?? d.reason ?? '', 60)]);
  return table(['id', 'slot (UTC)', 'status', 'finished', 'stories', 'subject / reason'], rows);
}

export function registerNewsletters(program: Command): void {
  const newsletters = program.command('newsletters').description('Manage newsletters: what each digest is about, how big it is and when it goes out.');

  newsletterOptions(newsletters.command('add <slug>').description('Add a newsletter. The slug names it in commands and archive links (a-z, 0-9, "-").'), false).action(
    action(async (slug: string, o: NewsletterOptions) => {
      await withDeps(async (deps) => {
        const patch = await newsletterPatch(deps.store.db, o);
        const row = await asUsage(() => addNewsletter(deps.store.db, { ...patch, slug, name: patch.name ?? nameFromSlug(slug) }, deps.now()));
        await auditCli(deps, 'newsletter.add', row.slug);
        process.stdout.write(`Added newsletter ${row.id} "${row.name}" (${row.slug}). See what it would send: \`tidings preview ${row.slug}\`.\n`);
      });
    }),
  );

  newsletters
    .command('list')
    .description('List newsletters with their schedule, filters and latest digest.')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { json?: boolean }) => {
        await withDeps(async (deps) => {
          const rows = await listNewsletters(deps.store.db);
          if (o.json) return printJson(rows.map(newsletterJson));
          if (rows.length === 0) return void process.stdout.write('No newsletters yet. Add one with `tidings newsletters add <slug> --name "…"`.\n');
          const now = deps.now();
          const latest = await Promise.all(rows.map((r) => listDigests(deps.store.db, r.id, { limit: 1 })));
          const out = table(
            ['id', 'slug', 'name', 'lang', 'schedule', 'max', 'state', 'last digest', 'filters'],
            rows.map((r, i) => [r.id, r.slug, truncate(r.name, 28), r.language, `${r.cron} ${r.timezone}`, r.max_items, r.enabled ? 'enabled' : 'DISABLED', lastDigest(latest[i]![0], now), truncate(describeFilters(r), 50)]),
          );
          process.stdout.write(`${out}\n\n${rows.length} newsletters.\n`);
        });
      }),
    );

  newsletters
    .command('show <newsletter>')
    .description('Show one newsletter (id or slug) and its latest digests.')
    .option('--json', 'print JSON')
    .action(
      action(async (key: string, o: { json?: boolean }) => {
        await withDeps(async (deps) => {
          const row = await findNewsletter(deps, key);
          const digests = await listDigests(deps.store.db, row.id, { limit: 10 });
          if (!o.json) {
            const latest = digests.length ? `Latest digests:\n${digestTable(digests, deps.now())}` : `No digests yet. See what the next one would hold: \`tidings preview ${row.slug}\`.`;
            return void process.stdout.write(`${details(deps, row)}\n\n${latest}\n`);
          }
          const summary = digests.map((d) => ({ id: d.id, slot_at: d.slot_at, status: d.status, reason: d.reason, subject: d.subject, stories: itemCount(d), completed_at: d.completed_at }));
          printJson({ newsletter: newsletterJson(row), digests: summary });
        });
      }),
    );

  newsletterOptions(newsletters.command('update <newsletter>').description('Change a newsletter (id or slug); only the options given change.'), true).action(
    action(async (key: string, o: NewsletterOptions) => {
      await withDeps(async (deps) => {
        const row = await findNewsletter(deps, key);
        const patch = await newsletterPatch(deps.store.db, o, row);
        if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give at least one option (see --help)');
        const updated = await asUsage(() => updateNewsletter(deps.store.db, row.id, patch, deps.now()));
        if (!updated) throw new UsageError(`no newsletter "${key}" (see \`tidings newsletters list\`)`);
        await auditCli(deps, 'newsletter.update', `${updated.slug}: ${Object.keys(patch).join(', ')}`);
        process.stdout.write(`Updated:\n${details(deps, updated)}\n`);
      });
    }),
  );

  newsletters
    .command('remove <newsletter>')
    .description('Delete a newsletter that never had a digest; one with digests can only be disabled.')
    .action(
      action(async (key: string) => {
        await withDeps(async (deps) => {
          const row = await findNewsletter(deps, key);
          const result = await removeNewsletter(deps.store.db, row.id);
          if (result === 'has-digests') {
            throw new UsageError(`newsletter "${row.slug}" has digests (its archive links to them); disable it instead: \`tidings newsletters update ${row.slug} --disable\``);
          }
          if (result === 'missing') throw new UsageError(`no newsletter "${key}" (see \`tidings newsletters list\`)`);
          await auditCli(deps, 'newsletter.remove', row.slug);
          process.stdout.write(`Removed newsletter ${row.id} "${row.name}" (${row.slug}).\n`);
        });
      }),
    );
}
