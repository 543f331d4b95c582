// `tidings send <newsletter>`: send now, as the web UI, the API and the bot do it — the core builds
// the digest and queues its deliveries — and then, unless --queue, this one-shot process runs the
// delivery loop itself until the ledger owes nothing more it can send now (a run cut short by a
// crash or a Ctrl-C resumes here, with the same Message-IDs), printing sent / failed / remaining.
// With `tidings start` running, `--queue` leaves the sending to the service.
import type { Command } from 'commander';
import type { SendNowResult } from '../core/send-now.js';
import type { SendProgress } from '../deliver/send-loop.js';
import type { Root } from '../main.js';
import { action, UsageError, withDeps } from './context.js';
import { printJson, progressLine } from './output.js';
import { sendTelegramOwed, telegramSummary } from './send-telegram.js';

interface SendCliOptions {
  build: boolean;
  queue?: boolean;
  json?: boolean;
}

export function registerSend(program: Command): void {
  program
    .command('send <newsletter>')
    .description(
      'Build the next digest of a newsletter (id or slug) now and queue it for its active subscribers, then deliver it from this process (email, and Telegram with a bot token), with whatever earlier runs left unsent. ' +
        'Without SMTP_URL the mails are written to the outbox folder instead.',
    )
    .option('--no-build', 'only send what the ledger still owes; build no new digest')
    .option('--queue', 'only build and queue the digest; a running `tidings start` delivers it')
    .option('--json', 'print the result as JSON')
    .action(action(async (key: string, o: SendCliOptions) => withDeps((root) => send(root, key, o))));
}

async function send(root: Root, key: string, o: SendCliOptions): Promise<void> {
  if (o.queue && !o.build) throw new UsageError('--queue and --no-build together do nothing: drop one of them');
  const { sendingBlocker } = await import('../deps.js');
  const blocker = o.queue ? null : sendingBlocker(root.config);
  if (blocker) throw new UsageError(blocker);
  const { findNewsletter } = await import('../core/newsletters.js');
  const newsletter = await findNewsletter(root.store, key);
  const built = o.build ? await queue(root, newsletter.id) : null;
  if (o.queue) {
    if (o.json) printJson({ newsletter: newsletter.slug, digest: built });
    return;
  }
  const result = await sendAll(root, Boolean(o.json));
  const telegram = await sendTelegramOwed(root);
  if (o.json) printJson({ newsletter: newsletter.slug, digest: built, ...result, telegram });
  else {
    const { sent, failed, retried, suppressed } = result.progress;
    process.stdout.write(
      `Sent ${sent}, failed ${failed}, to retry later ${retried}, skipped (unsubscribed or suppressed) ${suppressed}. ` +
        `${result.remaining ? `${result.remaining} wait for a retry; run \`tidings send ${newsletter.slug} --no-build\` later.` : 'Nothing left to send.'}\n`,
    );
    if (!root.config.email.smtpUrl) process.stdout.write(`Outbox: ${root.config.email.outboxDir}\n`);
    const line = telegramSummary(telegram);
    if (line) process.stdout.write(`${line}\n`);
  }
  if (result.progress.failed > 0 || telegram.progress.failed > 0) process.exitCode = 1;
}

/** The core's send-now as actor "cli"; one line on stderr saying what was queued. */
async function queue(root: Root, id: number): Promise<{ status: string; id?: number; recipients: number; reason?: string }> {
  const { sendNow } = await import('../core/send-now.js');
  const r: SendNowResult = await sendNow({ db: root.store.db, now: root.now, log: root.log, actor: 'cli', build: root.build(), wake: root.wake }, id);
  const name = r.newsletter.name;
  if (r.status === 'ready') process.stderr.write(`Digest ${r.digestId} of ${name}: ${r.recipients} recipients.\n`);
  else if (r.status === 'skipped') process.stderr.write(`No new digest for ${r.newsletter.slug}: ${r.reason ?? 'nothing new'}.\n`);
  else throw new Error(`the digest could not be built: ${r.reason ?? 'unknown error'}`);
  return { status: r.status, id: r.digestId, recipients: r.recipients, reason: r.reason };
}

async function sendAll(root: Root, quiet: boolean): Promise<{ progress: SendProgress; remaining: number }> {
  const [{ sendDeps }, { sendPending }, { deliveryCounts }] = await Promise.all([
    import('../deps.js'),
    import('../deliver/email-send.js'),
    import('../store/deliveries.js'),
  ]);
  const before = await deliveryCounts(root.store.db, { channel: 'email' });
  const total = before.pending + before.sending;
  const line = progressLine();
  let last = 0;
  // Ctrl-C stops claiming; what is in flight finishes and is recorded, the rest stays pending.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { concurrency, leaseMs, maxAttempts } = root.config.delivery;
    const progress = await sendPending(sendDeps(root, root.email()), {
      concurrency,
      leaseMs,
      maxAttempts,
      signal: stop.signal,
      onProgress: (p) => {
        const done = p.sent + p.failed + p.retried + p.suppressed;
        if (quiet || (done - last < 100 && done !== total)) return;
        last = done;
        line.update(`sent ${p.sent} · failed ${p.failed} · retry later ${p.retried} · remaining ${Math.max(0, total - done)}`);
      },
    });
    line.done();
    const after = await deliveryCounts(root.store.db, { channel: 'email' });
    return { progress, remaining: after.pending + after.sending };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
