// `tidings start`'s sending step: whatever the ledger owes goes out — mail by SMTP when
// configured, otherwise into the outbox folder, so a first run shows real mails without any
// set-up; then Telegram, when TELEGRAM_BOT_TOKEN is set.
import { sendDeps, sendingBlocker } from '../deps.js';
import type { Root } from '../main.js';
import { deliveryCounts } from '../store/deliveries.js';
import { sendPending } from '../deliver/email-send.js';
import { sendTelegramOwed, telegramSummary } from './send-telegram.js';

export async function startSending(deps: Root, out: (line: string) => void): Promise<void> {
  await startMailing(deps, out);
  const telegram = await sendTelegramOwed(deps);
  const line = telegramSummary(telegram);
  if (line) out(line);
  if (telegram.progress.failed > 0) process.exitCode = 1;
}

async function startMailing(deps: Root, out: (line: string) => void): Promise<void> {
  const owed = await deliveryCounts(deps.store.db, { channel: 'email' });
  if (owed.pending + owed.sending === 0) {
    out('No mail to send (no active subscribers, or all sent). Add some with `npx tidings subscribers add <email> --newsletter <slug>`.\n');
    return;
  }
  const blocker = sendingBlocker(deps.config);
  if (blocker) {
    out(`Not sending ${owed.pending + owed.sending} mails: ${blocker}.\n`);
    process.exitCode = 1;
    return;
  }
  const { concurrency, leaseMs, maxAttempts } = deps.config.delivery;
  const p = await sendPending(sendDeps(deps, deps.email()), { concurrency, leaseMs, maxAttempts });
  const where = deps.config.email.smtpUrl ? 'by SMTP' : `to the outbox ${deps.config.email.outboxDir}`;
  out(`Mailed ${p.sent} ${where}; failed ${p.failed}, to retry later ${p.retried}, skipped ${p.suppressed}.\n`);
  if (p.failed > 0) process.exitCode = 1;
}
