// `tidings newsletters`: add, list, show, update, pause, resume and remove — parsing options into
// the core's input and printing its result. Only commander and types load at start; each action
// imports the core and the presentation it needs (see context.ts).
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import type { NewsletterRow } from '../store/schema.js';
import { action, coreContext, withDeps } from './context.js';
import { type NewsletterOptions, newsletterOptions, newsletterPatch } from './newsletter-options.js';
import { printJson, table, truncate } from './output.js';

const loaded = () => Promise.all([import('../core/newsletters.js'), import('../core/digests.js'), import('./newsletter-present.js')]);

/** A newsletter by id or slug (slugs are never all digits, so "3" is always an id). */
export async function findNewsletter(deps: Deps, key: string): Promise<NewsletterRow> {
  const { findNewsletter } = await import('../core/newsletters.js');
  return findNewsletter(coreContext(deps), key);
}

export function registerNewsletters(program: Command): void {
  const newsletters = program.command('newsletters').description('Manage newsletters: what each digest is about, how big it is and when it goes out.');

  newsletterOptions(
    newsletters.command('add <slug>').description('Add a newsletter. The slug names it in commands and archive links (a-z, 0-9, "-").'),
    false,
  ).action(
    action(async (slug: string, o: NewsletterOptions) => {
      await withDeps(async (deps) => {
        const [core] = await loaded();
        const row = await core.addNewsletter(coreContext(deps), { ...newsletterPatch(o), slug });
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
          const [core, { listDigests }, view] = await loaded();
          const rows = await core.listNewsletters(coreContext(deps));
          if (o.json) return printJson(rows.map(view.newsletterJson));
          if (rows.length === 0) return void process.stdout.write('No newsletters yet. Add one with `tidings newsletters add <slug> --name "…"`.\n');
          const now = deps.now();
          const latest = await Promise.all(rows.map((r) => listDigests(coreContext(deps), { newsletter: r.id, limit: 1 })));
          const out = table(
            ['id', 'slug', 'name', 'lang', 'schedule', 'max', 'state', 'last digest', 'filters'],
            rows.map((r, i) => [
              r.id,
              r.slug,
              truncate(r.name, 28),
              r.language,
              `${r.cron} ${r.timezone}`,
              r.max_items,
              r.enabled ? 'enabled' : 'PAUSED',
              view.lastDigest(latest[i]![0], now),
              truncate(view.describeFilters(r), 50),
            ]),
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
          const [, { listDigests }, view] = await loaded();
          const row = await findNewsletter(deps, key);
          const digests = await listDigests(coreContext(deps), { newsletter: row.id, limit: 10 });
          if (!o.json) {
            const latest = digests.length
              ? `Latest digests:\n${view.digestTable(digests, deps.now())}`
              : `No digests yet. See what the next one would hold: \`tidings preview ${row.slug}\`.`;
            return void process.stdout.write(`${view.details(deps, row)}\n\n${latest}\n`);
          }
          const summary = digests.map((d) => ({
            id: d.id,
            slot_at: d.slot_at,
            status: d.status,
            reason: d.reason,
            subject: d.subject,
            stories: view.itemCount(d),
            completed_at: d.completed_at,
          }));
          printJson({ newsletter: view.newsletterJson(row), digests: summary });
        });
      }),
    );

  newsletterOptions(newsletters.command('update <newsletter>').description('Change a newsletter (id or slug); only the options given change.'), true).action(
    action(async (key: string, o: NewsletterOptions) => {
      await withDeps(async (deps) => {
        const [core, , view] = await loaded();
        const current = await findNewsletter(deps, key);
        const updated = await core.updateNewsletter(coreContext(deps), current.id, newsletterPatch(o));
        process.stdout.write(`Updated:\n${view.details(deps, updated)}\n`);
      });
    }),
  );

  for (const [verb, run, done] of [
    ['pause', 'pauseNewsletter', (slug: string) => `Paused: no scheduled digests until \`tidings newsletters resume ${slug}\`.`],
    ['resume', 'resumeNewsletter', (slug: string) => `Resumed: the next digest goes out at its next scheduled time (\`tidings newsletters show ${slug}\`).`],
  ] as const) {
    newsletters
      .command(`${verb} <newsletter>`)
      .description(
        verb === 'pause'
          ? 'Stop building scheduled digests of a newsletter (the archive and subscriptions stay).'
          : 'Build scheduled digests of a paused newsletter again, from its next slot.',
      )
      .action(
        action(async (key: string) => {
          await withDeps(async (deps) => {
            const [core] = await loaded();
            const row = await core[run](coreContext(deps), key);
            process.stdout.write(`${row.name} (${row.slug}). ${done(row.slug)}\n`);
          });
        }),
      );
  }

  newsletters
    .command('remove <newsletter>')
    .description('Delete a newsletter that never had a digest; one with digests can only be paused.')
    .action(
      action(async (key: string) => {
        await withDeps(async (deps) => {
          const [core] = await loaded();
          const row = await core.removeNewsletter(coreContext(deps), key);
          process.stdout.write(`Removed newsletter ${row.id} "${row.name}" (${row.slug}).\n`);
        });
      }),
    );
}
