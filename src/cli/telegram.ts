// `tidings bot` (the Telegram bot by long polling, until Ctrl-C) and `tidings telegram …`
// (binding groups, topics and channels to newsletters; the admin audit log). Errors from the Bot
// API are explained in one line without the token (bot/run.ts).
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import type { Root } from '../main.js';
import { UsageError, action, coreContext, parseIntOption, withDeps } from './context.js';
import { table, truncate } from './output.js';

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): AbortSignal {
  const stop = new AbortController();
  const on = () => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
    stop.abort();
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return stop.signal;
}

async function runBot(deps: Root): Promise<void> {
  const { telegram } = deps.config;
  if (!telegram.botToken) throw new UsageError('TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env');
  if (telegram.mode === 'webhook')
    throw new UsageError(
      'TELEGRAM_MODE=webhook: Telegram pushes updates to `tidings serve` (POST /telegram/webhook); run that instead, or set TELEGRAM_MODE=polling',
    );
  const [{ buildBot }, { describeApiError, pollUntil, publishCommands }] = await Promise.all([import('../bot/wiring.js'), import('../bot/run.js')]);
  const { bot, deps: bd } = buildBot(deps)!;
  const signal = stopSignal();
  try {
    bot.botInfo = await bot.telegram.getMe();
  } catch (err) {
    throw new Error(describeApiError(err, bd.redact, telegram.apiRoot));
  }
  await publishCommands(bot, deps.log, bd.redact);
  // /sendnow only queues: this process also runs the delivery loop (the service's worker role).
  const { startService } = await import('../service/service.js');
  const workers = await startService(deps, { roles: new Set(['worker']) });
  process.stdout.write(`Bot @${bot.botInfo.username} is answering (long polling ${telegram.apiRoot}). Stop with Ctrl-C.\n`);
  try {
    await pollUntil(bot, signal);
  } catch (err) {
    throw new Error(describeApiError(err, bd.redact, telegram.apiRoot));
  } finally {
    await workers.stop();
  }
  process.stdout.write('Stopped.\n');
}

interface BindOptions {
  thread?: number;
}

async function bindFromCli(deps: Deps, chat: string, key: string, o: BindOptions, bind: boolean): Promise<void> {
  const { telegram } = deps.config;
  if (!telegram.botToken) throw new UsageError('TELEGRAM_BOT_TOKEN is not set: the bot must be able to check the chat');
  const [{ Telegram }, core, { telegramRedactor }, { describeApiError }, { routeTelegrafDebug }] = await Promise.all([
    import('telegraf'),
    import('../core/telegram.js'),
    import('../bot/wiring.js'),
    import('../bot/run.js'),
    import('../bot/redact.js'),
  ]);
  const redact = telegramRedactor(deps);
  routeTelegrafDebug(deps.log, redact, { enable: deps.config.logLevel === 'debug' || deps.config.logLevel === 'trace' });
  const api = new Telegram(telegram.botToken, { apiRoot: `${telegram.apiRoot}/` });
  let botId: number;
  try {
    botId = (await api.getMe()).id;
  } catch (err) {
    throw new Error(describeApiError(err, redact, telegram.apiRoot));
  }
  const ctx = { ...coreContext(deps), telegram: api, botId, redact };
  const input = { chat, threadId: o.thread, newsletter: key };
  const r = bind ? await core.bindTelegramChat(ctx, input) : await core.unbindTelegramChat(ctx, input);
  const where = `${r.title} (${r.address})`;
  const text = {
    bound: `${where} now gets ${r.newsletter.name}.`,
    already: `${where} already gets ${r.newsletter.name}.`,
    unbound: `${where} no longer gets ${r.newsletter.name}.`,
    'not-bound': `${where} was not getting ${r.newsletter.name}.`,
  };
  process.stdout.write(`${text[r.outcome]}\n`);
}

export function registerTelegram(program: Command): void {
  program
    .command('bot')
    .description('Run the Telegram bot (long polling) until stopped with Ctrl-C. Needs TELEGRAM_BOT_TOKEN.')
    .action(action(async () => withDeps(runBot, { service: true })));

  const tg = program.command('telegram').description('Telegram: send newsletters to groups, forum topics and channels; the admin audit log.');
  for (const bind of [true, false]) {
    tg.command(`${bind ? 'bind' : 'unbind'} <chat> <newsletter>`)
      .description(
        bind
          ? 'Send a newsletter (id or slug) to a group, forum topic or channel (numeric chat id or @username). The bot checks it may post there first.'
          : 'Stop sending a newsletter to a group, forum topic or channel.',
      )
      .option('--thread <id>', 'a forum topic (message_thread_id) of the group', parseIntOption('--thread', 1, 2 ** 31))
      .action(action(async (chat: string, key: string, o: BindOptions) => withDeps((deps) => bindFromCli(deps, chat, key, o, bind))));
  }

  tg.command('audit')
    .description('Show the latest admin actions (Telegram, the CLI, the admin web UI and API), refused attempts included.')
    .option('-n, --limit <n>', 'how many', parseIntOption('--limit', 1, 10_000), 50)
    .action(
      action(async (o: { limit: number }) =>
        withDeps(async (deps) => {
          const { listAudit } = await import('../store/bot.js');
          const rows = await listAudit(deps.store.db, { limit: o.limit });
          if (rows.length === 0) return void process.stdout.write('No admin actions recorded yet.\n');
          const out = table(
            ['when', 'actor', 'action', 'result', 'detail'],
            rows.map((r) => [r.created_at.slice(0, 19).replace('T', ' '), r.actor, r.action, r.ok ? 'ok' : 'REFUSED/FAILED', truncate(r.detail ?? '', 80)]),
          );
          process.stdout.write(`${out}\n`);
        }),
      ),
    );
}
