// `tidings send <newsletter>`: build the next digest now and send it, then everything else the
// ledger still owes (a run cut short by a crash or a Ctrl-C resumes here, with the same
// Message-IDs). Progress shows sent / failed / remaining.
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import type { SendProgress } from '../deliver/worker.js';
import { auditCli, action, UsageError, withDeps } from './context.js';
import { findNewsletter } from './newsletters.js';
import { printJson, progressLine } from './output.js';
import { sendTelegramOwed, telegramSummary } from './send-telegram.js';

interface SendCliOptions {
  build: boolean;
  json?: boolean;
}

export function registerSend(program: Command): void {
  program
    .command('send <newsletter>')
    .description(
      'Build the next digest of a newsletter (id or slug) now and email it to its active subscribers, then send whatever earlier runs left unsent. ' +
        'Without SMTP_URL the mails are written to the outbox folder instead.',
    )
    .option('--no-build', 'only send what the ledger still owes; build no new digest')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (key: string, o: SendCliOptions) => {
        await withDeps(async (deps) => {
          const { sendingBlocker } = await import('../deps.js');
          const blocker = sendingBlocker(deps.config);
          if (blocker) throw new UsageError(blocker);
          const newsletter = await findNewsletter(deps, key);
          const built = o.build ? await build(deps, newsletter) : null;
          const result = await sendAll(deps, Boolean(o.json));
          const telegram = await sendTelegramOwed(deps);
          if (o.json) printJson({ newsletter: newsletter.slug, digest: built, ...result, telegram });
          else {
            const { sent, failed, retried, suppressed } = result.progress;
            process.stdout.write(
              `Sent ${sent}, failed ${failed}, to retry later ${retried}, skipped (unsubscribed or suppressed) ${suppressed}. ` +
                `${result.remaining ? `${result.remaining} wait for a retry; run \`tidings send ${newsletter.slug} --no-build\` later.` : 'Nothing left to send.'}\n`,
            );
            if (!deps.config.email.smtpUrl) process.stdout.write(`Outbox: ${deps.config.email.outboxDir}\n`);
            const line = telegramSummary(telegram);
            if (line) process.stdout.write(`${line}\n`);
          }
          if (result.progress.failed > 0 || telegram.progress.failed > 0) process.exitCode = 1;
        });
      }),
    );
}

async function build(deps: Deps, newsletter: Awaited<ReturnType<typeof findNewsletter>>): Promise<{ status: string; id?: number; recipients?: number; reason?: string }> {
  const [{ buildDigest }, { digestDeps }] = await Promise.all([import('../digest/build.js'), import('../deps.js')]);
  const r = await buildDigest(digestDeps(deps), newsletter, deps.now());
  await auditCli(deps, 'newsletter.send-now', `${newsletter.slug}: ${r.status}${r.digestId ? ` digest ${r.digestId}` : ''}`);
  const out = { status: r.status, id: r.digestId, recipients: r.recipients, reason: r.reason };
  if (r.status === 'ready') process.stderr.write(`Digest ${r.digestId} of ${newsletter.name}: ${r.recipients ?? 0} recipients.\n`);
  else if (r.status === 'skipped') process.stderr.write(`No new digest for ${newsletter.slug}: ${r.reason ?? 'nothing new'}.\n`);
  else if (r.status === 'failed') throw new Error(`the digest could not be built: ${r.reason ?? 'unknown error'}`);
  return out;
}

async function sendAll(deps: Deps, quiet: boolean): Promise<{ progress: SendProgress; remaining: number }> {
  const [{ buildEmailChannel, sendDeps }, { sendPending }, { deliveryCounts }] = await Promise.all([
    import('../deps.js'),
    import('../deliver/worker.js'),
    import('../deliver/ledger.js'),
  ]);
  const before = await deliveryCounts(deps.store.db, { channel: 'email' });
  const total = before.pending + before.sending;
  const email = buildEmailChannel(deps.config, deps.log);
  const line = progressLine();
  let last = 0;
  // Ctrl-C stops claiming; what is in flight finishes and is recorded, the rest stays pending.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const progress = await sendPending(sendDeps(deps, email), {
      concurrency: deps.config.delivery.concurrency,
      leaseMs: deps.config.delivery.leaseMs,
      maxAttempts: deps.config.delivery.maxAttempts,
      signal: stop.signal,
      onProgress: (p) => {
        const done = p.sent + p.failed + p.retried + p.suppressed;
        if (quiet || (done - last < 100 && done !== total)) return;
        last = done;
        line.update(`sent ${p.sent} · failed ${p.failed} · retry later ${p.retried} · remaining ${Math.max(0, total - done)}`);
      },
    });
    line.done();
    const after = await deliveryCounts(deps.store.db, { channel: 'email' });
    return { progress, remaining: after.pending + after.sending };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await email.close();
  }
}
