// `tidings subscribers add|list|remove` (import and export are in subscribers-csv.ts). An admin
// adding someone vouches for their consent, so the subscription is active at once and its
// consent record says 'cli'; --pending leaves it for the subscriber to confirm.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { countSubscribers, listSubscribers, SUBSCRIPTION_STATUSES, type SubscriberListing } from '../store/subscriber-lists.js';
import { findSubscriberByEmail, getSubscriber, listSubscriptionsOf, removeSubscriber, subscribe, upsertSubscriber } from '../store/subscribers.js';
import { cleanName, parseLanguage } from '../subscribers/import.js';
import { auditCli, UsageError, action, withDeps } from './context.js';
import { findNewsletter } from './newsletters.js';
import { printJson, table, truncate } from './output.js';
import { collectList, emailArgument, optionalNewsletter, statusOption } from './subscriber-options.js';
import { registerSubscriberTransfer } from './subscribers-csv.js';

async function suppressionOf(deps: Deps, address: string): Promise<string | undefined> {
  const row = await deps.store.db.selectFrom('suppressions').select('reason').where('address', '=', address).executeTakeFirst();
  return row?.reason;
}

async function findSubscriber(deps: Deps, key: string) {
  const row = /^\d+$/.test(key) ? await getSubscriber(deps.store.db, Number(key)) : await findSubscriberByEmail(deps.store.db, emailArgument(key));
  if (!row) throw new UsageError(`no subscriber "${key}" (see \`tidings subscribers list --search …\`)`);
  return row;
}

/** One line from stdin ('' at its end): the answer to a question asked on stderr. */
async function ask(question: string): Promise<string> {
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) return line.trim();
    return '';
  } finally {
    rl.close();
    // Piped answers are not echoed: end the prompt's line so what follows starts on its own.
    if (!process.stdin.isTTY) process.stderr.write('\n');
  }
}

function listingJson(s: SubscriberListing) {
  return {
    ...s,
    subscriptions: s.subscriptions.map(({ newsletter_slug, keywords, ...rest }) => ({ ...rest, newsletter: newsletter_slug, keywords: JSON.parse(keywords) as string[] })),
  };
}

interface AddOptions {
  newsletter?: string[];
  name?: string;
  lang?: string;
  pending?: boolean;
}

interface ListOptions {
  newsletter?: string;
  status?: string;
  search?: string;
  limit?: string;
  json?: boolean;
}

export function registerSubscribers(program: Command): void {
  const subscribers = program.command('subscribers').description('Manage email subscribers: add, list, remove, and import or export them as CSV.');

  subscribers
    .command('add <email>')
    .description('Subscribe an address to newsletters. Active at once (you vouch for their consent; recorded as source "cli").')
    .option('--newsletter <slug|id>', 'newsletter to subscribe to (required; comma-separated or repeated)', collectList)
    .option('-n, --name <name>', "the subscriber's name")
    .option('-l, --lang <code>', "language of their mail: en | zh (default: the first newsletter's)")
    .option('--pending', 'leave it pending until they confirm (double opt-in); note: the CLI sends no confirmation mail yet')
    .action(
      action(async (raw: string, o: AddOptions) => {
        const email = emailArgument(raw);
        if (!o.newsletter?.length) throw new UsageError('give at least one --newsletter <slug|id> (see `tidings newsletters list`)');
        const language = o.lang === undefined ? undefined : parseLanguage(o.lang);
        if (o.lang !== undefined && !language) throw new UsageError(`--lang must be en or zh, got "${o.lang}"`);
        await withDeps(async (deps) => {
          const newsletters = [];
          for (const key of o.newsletter!) newsletters.push(await findNewsletter(deps, key));
          const reason = await suppressionOf(deps, email);
          if (reason) throw new UsageError(`${email} is on the suppression list (${reason}): it is never mailed, so it was not subscribed`);
          const db = deps.store.db;
          const person = await upsertSubscriber(db, { email, name: o.name === undefined ? null : cleanName(o.name), language: language ?? newsletters[0]!.language }, deps.now());
          const status = o.pending ? 'pending' : 'active';
          for (const n of newsletters) {
            const { subscription, outcome } = await subscribe(db, { subscriberId: person.id, newsletterId: n.id, channel: 'email', status, consent: { source: 'cli' } }, deps.now());
            const what =
              outcome === 'created' ? `subscribed (${status})` : outcome === 'resubscribed' ? `subscribed again (${status})` : `already ${subscription.status}; left unchanged`;
            process.stdout.write(`${email} → ${n.slug}: ${what}\n`);
          }
          await auditCli(deps, 'subscriber.add', `${person.id} → ${newsletters.map((n) => n.slug).join(', ')} (${status})`);
          process.stdout.write(`Subscriber ${person.id}.${o.pending ? ' No confirmation mail was sent.' : ''}\n`);
        });
      }),
    );

  subscribers
    .command('list')
    .description('List subscribers with their newsletters and the status of each subscription.')
    .option('--newsletter <slug|id>', 'only subscribers of this newsletter')
    .option('--status <status>', `only with a subscription in this status: ${SUBSCRIPTION_STATUSES.join(' | ')}`)
    .option('--search <text>', 'part of the address or name')
    .option('--limit <n>', 'show at most this many (1-100000)', '100')
    .option('--json', 'print JSON')
    .action(
      action(async (o: ListOptions) => {
        const status = statusOption(o.status);
        const limit = Number(o.limit);
        if (!/^\d+$/.test(o.limit ?? '') || limit < 1 || limit > 100_000) throw new UsageError(`--limit must be a whole number from 1 to 100000, got "${o.limit}"`);
        await withDeps(async (deps) => {
          const newsletter = await optionalNewsletter(deps, o.newsletter);
          const filter = { newsletterId: newsletter?.id, status, search: o.search };
          const rows = await listSubscribers(deps.store.db, { ...filter, limit });
          if (o.json) return printJson(rows.map(listingJson));
          if (rows.length === 0) return void process.stdout.write('No subscribers match. Add one with `tidings subscribers add <email> --newsletter <slug>`, or import a CSV file.\n');
          const out = table(
            ['id', 'email', 'name', 'newsletters', 'created'],
            rows.map((r) => [
              r.id,
              truncate(r.email ?? `telegram:${r.telegram_chat_id}`, 40),
              truncate(r.name ?? '', 24),
              truncate(r.subscriptions.map((s) => `${s.newsletter_slug}:${s.status}${s.channel === 'email' ? '' : `(${s.channel})`}`).join(', ') || '-', 60),
              r.created_at.slice(0, 16).replace('T', ' '),
            ]),
          );
          const total = rows.length < limit ? rows.length : await countSubscribers(deps.store.db, filter);
          const more = total > rows.length ? `Showing ${rows.length} of ${total} subscribers; narrow with --search or raise --limit.` : `${total} subscribers.`;
          process.stdout.write(`${out}\n\n${more}\n`);
        });
      }),
    );

  subscribers
    .command('remove <id-or-email>')
    .description('Delete a subscriber and all their subscriptions (e.g. an erasure request). Asks first unless --yes.')
    .option('-y, --yes', 'delete without asking')
    .action(
      action(async (key: string, o: { yes?: boolean }) => {
        await withDeps(async (deps) => {
          const row = await findSubscriber(deps, key);
          const label = `subscriber ${row.id} <${row.email ?? `telegram:${row.telegram_chat_id}`}>`;
          const subs = await listSubscriptionsOf(deps.store.db, row.id);
          if (!o.yes) {
            const answer = await ask(`Delete ${label} and their ${subs.length} subscriptions, with their consent records? [y/N] `);
            if (!/^y(es)?$/i.test(answer)) throw new UsageError(`${label} was not removed: answer y, or run again with --yes`);
          }
          await removeSubscriber(deps.store.db, row.id, deps.now());
          await auditCli(deps, 'subscriber.remove', String(row.id));
          process.stdout.write(`Removed ${label} and their ${subs.length} subscriptions.\n`);
        });
      }),
    );

  registerSubscriberTransfer(subscribers);
}
