// /subscribers add EMAIL NEWSLETTER[,NEWSLETTER…] [pending] and /subscribers remove EMAIL|ID for
// Telegram admins: parse, call the core (src/core/subscribers.ts), reply. The rules (address,
// suppression list, consent) and the audit row are the core's; a CoreError reaches the
// dispatcher, which replies with its message. Private chats only: the replies show addresses.
import { addedText, addSubscriber, removeSubscriber, subscriberLabel } from '../core/subscribers.js';
import { escapeHtml as e } from '../digest/telegram-html.js';
import { coreContext, isPrivate, type Turn } from './turn.js';

const USAGE = 'Usage: /subscribers add EMAIL NEWSLETTER[,NEWSLETTER…] [pending], or /subscribers remove EMAIL|ID';

export async function subscribers(turn: Turn, args: string): Promise<void> {
  // Replies name subscribers' addresses: not for the other members of a group.
  if (!isPrivate(turn)) return void (await turn.reply('Use /subscribers in a private chat with the bot: its answers show email addresses.'));
  const [sub = '', key = '', newsletters = '', flag = ''] = args.trim().split(/\s+/);
  const ctx = coreContext(turn);
  if (sub.toLowerCase() === 'add' && key && newsletters && (flag === '' || flag.toLowerCase() === 'pending')) {
    const r = await addSubscriber(ctx, { email: key, newsletters: newsletters.split(/[,，]/).filter(Boolean), pending: flag !== '' });
    const lines = r.results.map((x) => `<code>${e(x.newsletter)}</code>: ${addedText(x)}`);
    return void (await turn.reply(`${e(subscriberLabel(r.subscriber))}\n${lines.join('\n')}`));
  }
  if (sub.toLowerCase() === 'remove' && key && !newsletters) {
    const r = await removeSubscriber(ctx, key);
    return void (await turn.reply(`Removed ${e(subscriberLabel(r.subscriber))} and their ${r.subscriptions} subscriptions.`));
  }
  await turn.reply(e(USAGE));
}
