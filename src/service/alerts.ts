// Where an alert goes: the alerts table (the dashboard and the API show it until acknowledged),
// a warn log line, and a private message to each Telegram admin when a bot is configured. A
// failed Telegram message is logged, never thrown: the alert is already stored.
import type { Kysely } from 'kysely';
import type { BotApiClient } from '../deliver/telegram-api.js';
import type { Logger } from '../log.js';
import { type AlertInput, addAlert } from '../store/alerts.js';
import type { Database } from '../store/schema.js';

export interface AlertDeps {
  db: Kysely<Database>;
  log: Logger;
  now: () => Date;
  /** With TELEGRAM_BOT_TOKEN and TELEGRAM_ADMIN_IDS: who is told at once. */
  telegram?: { api: BotApiClient; adminIds: readonly number[] };
}

export function alertNotifier(deps: AlertDeps): (alert: AlertInput) => Promise<void> {
  return async (alert) => {
    const row = await addAlert(deps.db, alert, deps.now());
    deps.log.warn({ alert: row.id, kind: alert.kind, newsletter: alert.newsletterId ?? undefined }, alert.message);
    for (const chatId of deps.telegram?.adminIds ?? []) {
      try {
        await deps.telegram!.api.call('sendMessage', { chat_id: chatId, text: `⚠️ ${alert.message}`, link_preview_options: { is_disabled: true } });
      } catch (err) {
        deps.log.warn({ alert: row.id, chat: chatId, err: (err as Error).message }, 'could not tell a Telegram admin about an alert');
      }
    }
  };
}
