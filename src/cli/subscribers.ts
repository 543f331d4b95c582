// `tidings subscribers add|list|remove` (import and export are in subscribers-csv.ts): parse the
// arguments, call the core use case (src/core/subscribers.ts), print what it did. An admin adding
// someone vouches for their consent, so the subscription is active at once; --pending leaves it
// for the subscriber to confirm.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { SubscriberListing } from '../store/subscriber-lists.js';
import { action, collectList, UsageError, withCore } from './context.js';
import { printJson, table, truncate } from './output.js';
import { SUBSCRIPTION_STATUS_NAMES } from './subscriber-options.js';
import { registerSubscriberTransfer } from './subscribers-csv.js';

const subscribersCore = () => import('../core/subscribers.js');

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
    subscriptions: s.subscriptions.map(({ newsletter_slug, keywords, ...rest }) => ({
      ...rest,
      newsletter: newsletter_slug,
      keywords: JSON.parse(keywords) as string[],
    })),
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
    .description('Subscribe an address to newsletters. Active at once (you vouch for their consent; recorded as source "admin").')
    .option('--newsletter <slug|id>', 'newsletter to subscribe to (required; comma-separated or repeated)', collectList)
    .option('-n, --name <name>', "the subscriber's name")
    .option('-l, --lang <code>', "language of their mail: en | zh (default: the first newsletter's)")
    .option('--pending', 'leave it pending until they confirm (double opt-in); note: the CLI sends no confirmation mail yet')
    .action(
      action(async (email: string, o: AddOptions) => {
        await withCore(subscribersCore, async (core, ctx) => {
          const r = await core.addSubscriber(ctx, { email, newsletters: o.newsletter ?? [], name: o.name, language: o.lang, pending: o.pending });
          const address = r.subscriber.email ?? email;
          for (const x of r.results) process.stdout.write(`${address} → ${x.newsletter}: ${core.addedText(x)}\n`);
          process.stdout.write(`Subscriber ${r.subscriber.id}.${o.pending ? ' No confirmation mail was sent.' : ''}\n`);
        });
      }),
    );

  subscribers
    .command('list')
    .description('List subscribers with their newsletters and the status of each subscription.')
    .option('--newsletter <slug|id>', 'only subscribers of this newsletter')
    .option('--status <status>', `only with a subscription in this status: ${SUBSCRIPTION_STATUS_NAMES}`)
    .option('--search <text>', 'part of the address or name')
    .option('--limit <n>', 'show at most this many (1-100000)', '100')
    .option('--json', 'print JSON')
    .action(
      action(async (o: ListOptions) => {
        if (!/^\d{1,9}$/.test(o.limit ?? '')) throw new UsageError(`--limit must be a whole number from 1 to 100000, got "${o.limit}"`);
        await withCore(subscribersCore, async (core, ctx) => {
          const { rows, total } = await core.listSubscribers(ctx, { newsletter: o.newsletter, status: o.status, search: o.search, limit: Number(o.limit) });
          if (o.json) return printJson(rows.map(listingJson));
          if (rows.length === 0)
            return void process.stdout.write(
              'No subscribers match. Add one with `tidings subscribers add <email> --newsletter <slug>`, or import a CSV file.\n',
            );
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
        await withCore(subscribersCore, async (core, ctx) => {
          if (!o.yes) {
            const shown = await core.showSubscriber(ctx, key, { deliveries: 0 });
            const label = core.subscriberLabel(shown.subscriber);
            const answer = await ask(`Delete ${label} and their ${shown.subscriptions.length} subscriptions, with their consent records? [y/N] `);
            if (!/^y(es)?$/i.test(answer)) throw new UsageError(`${label} was not removed: answer y, or run again with --yes`);
          }
          const removed = await core.removeSubscriber(ctx, key);
          process.stdout.write(`Removed ${core.subscriberLabel(removed.subscriber)} and their ${removed.subscriptions} subscriptions.\n`);
        });
      }),
    );

  registerSubscriberTransfer(subscribers);
}
