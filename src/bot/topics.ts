// /topics: keyword preferences for this chat's Telegram subscriptions. They are the same keyword
// lists the preferences page edits, and the ledger honours them: a digest with no matching story
// writes no delivery for the subscription (store/deliveries.ts, digest/filters.ts).
import { parseKeywords } from '../core/subscriptions.js';
import { listSubscriptionsOf, setKeywords, storedKeywords } from '../store/subscribers.js';
import { say } from '../i18n/index.js';
import type { Turn } from './turn.js';

const CLEAR = /^(clear|none|reset|all|-|清除|全部|无)$/i;

export async function topics(turn: Turn, args: string): Promise<void> {
  const { db, now } = turn.deps;
  const subs = turn.subscriber
    ? (await listSubscriptionsOf(db, turn.subscriber.id)).filter((s) => s.channel === 'telegram' && (s.status === 'active' || s.status === 'pending'))
    : [];
  if (subs.length === 0) return void (await turn.reply(say(turn.lang, 'topicsNeedSubscription')));
  const arg = args.trim();
  if (!arg) {
    const current = [...new Set(subs.flatMap((s) => storedKeywords(s.keywords)))];
    return void (await turn.reply(current.length ? say(turn.lang, 'topicsCurrent', { topics: current.join(', ') }) : say(turn.lang, 'topicsNone')));
  }
  // Spaces separate keywords too, unless commas are used (then "cotton prices" is one phrase).
  const list = CLEAR.test(arg) ? [] : parseKeywords(/[,，、;；]/.test(arg) ? arg : arg.replace(/\s+/g, ','));
  if (list.length === 0 && !CLEAR.test(arg)) return void (await turn.reply(say(turn.lang, 'topicsUsage')));
  for (const s of subs) await setKeywords(db, s.id, list, now());
  await turn.reply(list.length ? say(turn.lang, 'topicsSet', { topics: list.join(', ') }) : say(turn.lang, 'topicsCleared'));
}
