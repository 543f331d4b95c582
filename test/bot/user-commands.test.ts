// Acceptance 1 (issue 5): every chat user command, end to end through the Bot API emulator with
// telegraf polling it — subscribing with buttons, /latest, /digest, /search in English and
// Chinese (paged with buttons), /topics changing what the next digest delivers, /settings.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { listSubscriptionsOf } from '../../src/store/subscribers.js';
import { findSubscriberByChat } from '../../src/store/bot.js';
import type { TelegramPart } from '../../src/digest/render-telegram.js';
import { getDigest } from '../../src/store/digests.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { ALICE, type Harness, WANG, say, startHarness, textsTo } from './harness.js';

forEachDialect('bot user commands', (dialect) => {
  let store: TestStore;
  let h: Harness;

  beforeEach(async () => {
    store = await dialect.open();
    h = await startHarness(store);
  });
  afterEach(async () => {
    await h.stop();
    await store.close();
  });

  const subscriptionsOf = async (chat: number) => {
    const subscriber = await findSubscriberByChat(store.db, String(chat));
    return subscriber ? listSubscriptionsOf(store.db, subscriber.id) : [];
  };

  /** Presses the button with `data` under the bot's last message to `chat`; resolves once answered. */
  async function press(from: typeof ALICE, data: string) {
    const message = h.emu.sent(from.id).findLast((m) => JSON.stringify(m.reply_markup ?? '').includes(data))!;
    expect(message, `a message with button ${data}`).toBeDefined();
    const { id } = await h.emu.callbackQuery({ from, message, data });
    await h.emu.waitFor(() => h.emu.callbackAnswer(id) !== undefined);
    return { message, answer: h.emu.callbackAnswer(id)! };
  }

  it('/start welcomes and subscribes with inline buttons; pressing again unsubscribes', async () => {
    const welcome = await say(h, ALICE, '/start');
    expect(welcome).toContain('Welcome to Tidings Test');
    const buttons = JSON.stringify(h.emu.sent(ALICE.id).at(-1)!.reply_markup);
    expect(buttons).toContain(`sub:${h.daily.id}`);
    expect(buttons).toContain(`sub:${h.china.id}`);

    const { message, answer } = await press(ALICE, `sub:${h.daily.id}`);
    expect(answer.text).toContain('Subscribed to Daily Cotton');
    const [sub] = await subscriptionsOf(ALICE.id);
    expect(sub).toMatchObject({ newsletter_id: h.daily.id, channel: 'telegram', status: 'active', consent_source: 'telegram' });
    // The same message now shows the newsletter ticked.
    expect(message.edits).toBe(1);
    expect(JSON.stringify(message.reply_markup)).toContain('✅ Daily Cotton');

    const again = await press(ALICE, `sub:${h.daily.id}`);
    expect(again.answer.text).toContain('Unsubscribed from Daily Cotton');
    expect((await subscriptionsOf(ALICE.id))[0]!.status).toBe('unsubscribed');
  });

  it('/subscribe, /unsubscribe and /newsletters by slug; unknown slugs and commands get short help', async () => {
    expect(await say(h, ALICE, '/subscribe daily')).toContain('Subscribed to Daily Cotton');
    expect(await say(h, ALICE, '/subscribe daily')).toContain('already get Daily Cotton');
    expect(await say(h, ALICE, '/newsletters')).toMatch(/✅ Daily Cotton — daily\n▫️ 中国棉业 — china/);
    expect(await say(h, ALICE, '/subscribe weekly')).toContain('There is no newsletter "weekly"');
    expect(await say(h, ALICE, '/unsubscribe daily')).toContain('Unsubscribed from Daily Cotton');
    expect(await say(h, ALICE, '/unsubscribe daily')).toContain('You do not get Daily Cotton');
    expect(await say(h, ALICE, '/frobnicate')).toBe('I do not know /frobnicate. /help lists what I can do.');
    expect(await say(h, ALICE, 'hello there')).toContain('Send /help');
    expect(await say(h, ALICE, '/help')).toContain('/search words');
    expect(await say(h, ALICE, '/help')).not.toContain('/sendnow');
  });

  it('/latest [n] lists headlines with links, and explains a bad n', async () => {
    for (let i = 1; i <= 4; i++) await h.article(`Cotton story ${i} <b>&</b>`, `Text ${i}.`, { hoursAgo: 10 - i });
    await say(h, ALICE, '/latest 2');
    const last = h.emu.sent(ALICE.id).at(-1)!;
    expect(last.text.startsWith('Latest 2 headlines\n\n1. Cotton story 4 <b>&</b>\n')).toBe(true);
    expect(last.text).toContain('1. Cotton story 4 <b>&</b>');
    expect(last.text).toContain('2. Cotton story 3 <b>&</b>');
    expect(last.text).not.toContain('story 2');
    const links = last.entities.filter((e) => e.type === 'text_link').map((e) => e.url);
    expect(links).toEqual(['https://news.example.org/a/4', 'https://news.example.org/a/3']);
    expect(await say(h, ALICE, '/latest 50')).toContain('Usage: /latest [n]');
    expect(await say(h, ALICE, '/latest lots')).toContain('Usage: /latest [n]');
  });

  it('/digest sends the latest ready digest parts of the chat’s newsletter, in order', async () => {
    expect(await say(h, ALICE, '/digest')).toContain('There is no digest yet');
    await h.article('Cotton prices rise', 'Prices of cotton rose sharply this week.');
    await h.article('Mills expand', 'Spinning mills add capacity.');
    const built = await h.build(h.daily);
    expect(built.status).toBe('ready');
    const parts = JSON.parse((await getDigest(store.db, built.digestId!))!.telegram!) as TelegramPart[];
    await say(h, ALICE, '/subscribe daily');
    const before = h.emu.sent(ALICE.id).length;
    await say(h, ALICE, '/digest', { replies: parts.length });
    const got = h.emu.sent(ALICE.id).slice(before);
    expect(got.map((m) => m.raw)).toEqual(parts.map((p) => (p.kind === 'text' ? p.html : p.captionHtml)));
    expect(got[0]!.text).toContain('Cotton prices rise');
    expect(await say(h, ALICE, '/digest nope')).toContain('There is no newsletter "nope"');
  });

  it('/search finds English and Chinese articles and pages with prev/next buttons', async () => {
    for (let i = 1; i <= 7; i++) await h.article(`Cotton market report ${i}`, `Cotton futures moved in week ${i}.`, { hoursAgo: 20 - i });
    await h.article('新疆棉花价格上涨', '今年新疆棉花价格明显上涨，纺织企业成本增加。', { lang: 'zh' });
    await h.article('Wool prices', 'Wool is unrelated.');

    const first = await say(h, ALICE, '/search cotton futures');
    expect(first).toContain('Results for cotton futures — page 1');
    expect(first).toContain('1. Cotton market report 7');
    expect(first).toContain('5. Cotton market report 3');
    expect(first).not.toContain('report 2');
    const { message } = await press(ALICE, 'srch:2:cotton futures');
    expect(message.text).toContain('page 2');
    expect(message.text).toContain('6. Cotton market report 2');
    expect(message.text).toContain('7. Cotton market report 1');
    expect(JSON.stringify(message.reply_markup)).toContain('srch:1:cotton futures');
    expect(JSON.stringify(message.reply_markup)).not.toContain('srch:3:');

    // No spaces in the query: it is cut into words as the archive's Chinese text was.
    const zh = await say(h, WANG, '/search 棉花价格');
    expect(zh).toContain('新疆棉花价格上涨');
    expect(zh).toContain('第 1 页');
    expect(zh).not.toContain('Cotton');
    expect(await say(h, ALICE, '/search platypus')).toContain('Nothing found for platypus');
    expect(await say(h, ALICE, '/search')).toContain('Usage: /search words');
  });

  it('/topics sets keyword preferences, and the next digest reaches the chat only when a story matches', async () => {
    expect(await say(h, ALICE, '/topics cotton')).toContain('Subscribe to a newsletter first');
    await say(h, ALICE, '/subscribe daily');
    await say(h, WANG, '/subscribe daily');
    expect(await say(h, ALICE, '/topics')).toContain('You get every story');
    expect(await say(h, ALICE, '/topics cotton, 棉花')).toContain('Your topics: cotton, 棉花');
    expect(await say(h, ALICE, '/topics')).toContain('Your topics: cotton, 棉花');
    const [sub] = await subscriptionsOf(ALICE.id);
    expect(JSON.parse(sub!.keywords)).toEqual(['cotton', '棉花']);

    await h.article('Wool prices climb', 'Wool is in demand.');
    const woolOnly = await h.build(h.daily);
    const recipients = async (digestId: number) =>
      (await store.db.selectFrom('deliveries').select('address').where('digest_id', '=', digestId).execute()).map((r) => r.address).sort();
    // Wang has no topics and gets it; Alice's topics do not match.
    expect(await recipients(woolOnly.digestId!)).toEqual([String(WANG.id)]);

    // Minutes old: inside the next digest's window (it starts where the last one ended).
    await h.article('Cotton harvest record', 'The cotton harvest broke records.', { hoursAgo: 0.05 });
    const cotton = await h.build(h.daily);
    expect(await recipients(cotton.digestId!)).toEqual([String(ALICE.id), String(WANG.id)]);

    expect(await say(h, ALICE, '/topics clear')).toContain('Topics cleared');
    expect(JSON.parse((await subscriptionsOf(ALICE.id))[0]!.keywords)).toEqual([]);
    expect(await say(h, ALICE, '/topics !!!')).toContain('Usage: /topics');
  });

  it('answers in the user’s Telegram language, and /settings changes it', async () => {
    expect(await say(h, WANG, '/start')).toContain('欢迎使用');
    expect(await say(h, WANG, '/frobnicate')).toContain('不认识命令 /frobnicate');
    expect(await say(h, ALICE, '/settings')).toContain('Language: English');
    const { answer } = await press(ALICE, 'lang:zh');
    expect(answer.text).toBe('语言已设置为中文。');
    expect((await findSubscriberByChat(store.db, String(ALICE.id)))!.language).toBe('zh');
    expect(await say(h, ALICE, '/help')).toContain('/search 关键词');
  });

  it('keeps subscription commands to private chats', async () => {
    const group = -100777;
    h.emu.addChat({ id: group, type: 'supergroup', title: 'Traders' });
    expect(await say(h, ALICE, '/subscribe daily', { chat: group })).toBe('Please send /subscribe to me in a private chat.');
    expect(await say(h, ALICE, '/latest 1', { chat: group })).toContain('No articles yet');
    expect(await findSubscriberByChat(store.db, String(group))).toBeUndefined();
    // Commands for another bot are not answered; with our name they are.
    const before = textsTo(h, group).length;
    expect(await say(h, ALICE, `/help@${h.emu.bot.username}`, { chat: group })).toContain('/search words');
    await h.emu.userMessage({ from: ALICE, chat: group, text: '/help@SomeOtherBot' });
    await say(h, ALICE, '/latest 1', { chat: group });
    expect(textsTo(h, group).length).toBe(before + 2);
  });
});
