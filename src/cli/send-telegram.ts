// The Telegram half of `tidings send` and `tidings start`: whatever the ledger owes to Telegram
// chats goes out through the Bot API, paced to Telegram's limits, when TELEGRAM_BOT_TOKEN is set.
import type { Root } from '../main.js';
import type { SendProgress } from '../deliver/send-loop.js';

export interface TelegramRun {
  /** False: no TELEGRAM_BOT_TOKEN, nothing was sent (`remaining` rows wait for one). */
  configured: boolean;
  progress: SendProgress;
  remaining: number;
}

/** Sends what the ledger owes to Telegram; Ctrl-C stops taking chats (sends in flight finish). */
export async function sendTelegramOwed(deps: Root, opts: { onProgress?: (p: SendProgress, total: number) => void } = {}): Promise<TelegramRun> {
  const [{ telegramSendOptions }, { sendTelegramPending }, { deliveryCounts }] = await Promise.all([
    import('../deps.js'),
    import('../deliver/telegram-send.js'),
    import('../store/deliveries.js'),
  ]);
  const owed = async () => {
    const c = await deliveryCounts(deps.store.db, { channel: 'telegram' });
    return c.pending + c.sending;
  };
  const progress: SendProgress = { sent: 0, failed: 0, retried: 0, suppressed: 0 };
  const total = await owed();
  const td = total > 0 ? deps.telegram() : null;
  if (!td) return { configured: deps.config.telegram.botToken !== undefined, progress, remaining: total };
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const p = await sendTelegramPending(td, { ...telegramSendOptions(deps.config), signal: stop.signal, onProgress: (x) => opts.onProgress?.(x, total) });
    return { configured: true, progress: p, remaining: await owed() };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** One line for people: what went to Telegram, or why nothing did. */
export function telegramSummary(r: TelegramRun): string | null {
  if (!r.configured) return r.remaining > 0 ? `Telegram: ${r.remaining} deliveries wait; set TELEGRAM_BOT_TOKEN to send them.` : null;
  const { sent, failed, retried, suppressed } = r.progress;
  if (sent + failed + retried + suppressed + r.remaining === 0) return null;
  return `Telegram: sent ${sent}, failed ${failed}, to retry later ${retried}, skipped ${suppressed}${r.remaining ? `; ${r.remaining} wait for a retry` : ''}.`;
}
