// Acceptance 2 (issue 5): admin commands run only for TELEGRAM_ADMIN_IDS; a stranger and a post
// without a sender (a channel post) are refused, change nothing and are audited as
// admin.refused; an admin's commands apply through the core, which audits them; a CoreError is
// the reply. A bad cron or time zone gets a clear error. Binding groups, topics, channels.

const RSS =
  '<?xml version="1.0"?><rss version="2.0"><channel><title>Cotton Wire</title><link>http://example.org/</link><description>x</description><item><title>Up</title><link>http://example.org/1</link><guid>1</guid></item></channel></rss>';
let feeds: FixtureServer;
beforeAll(async () => {
  feeds = await startServer({ '/rss': { headers: { 'content-type': 'application/rss+xml' }, body: RSS } });
});
afterAll(() => feeds.close());
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { listAudit } from '../../src/store/bot.js';
import { getNewsletter } from '../../src/store/newsletters.js';
import { getSource, listSources } from '../../src/store/sources.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { type FixtureServer, startServer } from '../support/http-fixture.js';
import { ADMIN, ALICE, type Harness, handled, say, startHarness } from './harness.js';

forEachDialect('bot admin commands', (dialect) => {
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

  const audits = async () => (await listAudit(store.db, { limit: 100 })).reverse();

  it('refuses a stranger and audits the attempt; nothing changes', async () => {
    expect(await say(h, ALICE, '/sources add https://evil.example.org/feed')).toBe('This command is for admins only.');
    expect(await say(h, ALICE, `/sources pause ${h.sourceId}`)).toBe('This command is for admins only.');
    expect(await say(h, ALICE, '/schedule daily "0 3 * * *" UTC')).toBe('This command is for admins only.');
    expect(await say(h, ALICE, '/sendnow daily')).toBe('This command is for admins only.');
    expect((await listSources(store.db)).map((s) => s.url)).toEqual(['https://news.example.org/feed']);
    expect((await getSource(store.db, h.sourceId))!.enabled).toBe(1);
    expect((await getNewsletter(store.db, 'daily'))!.cron).toBe(h.daily.cron);
    expect(await store.db.selectFrom('digests').select('id').execute()).toEqual([]);
    const rows = await audits();
    expect(rows.map((r) => [r.actor, r.action, r.ok])).toEqual([
      [`telegram:${ALICE.id}`, 'admin.refused', 0],
      [`telegram:${ALICE.id}`, 'admin.refused', 0],
      [`telegram:${ALICE.id}`, 'admin.refused', 0],
      [`telegram:${ALICE.id}`, 'admin.refused', 0],
    ]);
    expect(rows[0]!.detail).toContain('/sources refused: not in TELEGRAM_ADMIN_IDS');
    expect(rows[0]!.detail).toContain('evil.example.org');
  });

  it('refuses a channel post (no sender) without answering in the channel', async () => {
    const channel = -100123;
    h.emu.addChat({ id: channel, type: 'channel', title: 'News channel' });
    // One at a time: updates of one batch are handled concurrently, so their audit rows may land in either order.
    await handled(h, (await h.emu.channelPost({ chat: channel, text: `/sources pause ${h.sourceId}` })).update_id);
    const last = await h.emu.channelPost({ chat: channel, text: '/bind daily' });
    await handled(h, last.update_id);
    const rows = await audits();
    expect(rows.map((r) => [r.actor, r.action, r.ok])).toEqual([
      [`telegram:chat:${channel}`, 'admin.refused', 0],
      [`telegram:chat:${channel}`, 'admin.refused', 0],
    ]);
    expect(rows[0]!.detail).toContain('no sender');
    expect((await getSource(store.db, h.sourceId))!.enabled).toBe(1);
    expect(h.emu.sent(channel)).toEqual([]);
    expect(await store.db.selectFrom('subscriptions').select('id').execute()).toEqual([]);
  });

  it('applies an admin’s /sources add, list, pause, resume and remove through the core, which audits them', async () => {
    const url = `${feeds.url}/rss`;
    expect(await say(h, ADMIN, `/sources add ${url}`)).toMatch(/^Added source \d+ \(feed\) Cotton Wire\. It is fetched/);
    expect(await say(h, ADMIN, '/sources')).toMatch(/Sources \(2\)\n\d+ feed Example News — new\n\d+ feed Cotton Wire — new/);
    expect(await say(h, ADMIN, `/sources pause ${h.sourceId}`)).toBe(`Source ${h.sourceId} Example News paused.`);
    expect((await getSource(store.db, h.sourceId))!.paused_reason).toBe(`paused by telegram:${ADMIN.id}`);
    expect(await say(h, ADMIN, `/sources resume ${h.sourceId}`)).toContain('resumed');
    // The core's refusals are the replies.
    expect(await say(h, ADMIN, '/sources add ftp://x')).toBe('"ftp://x" is neither an http(s) URL nor a local path; only http and https sources are fetched.');
    expect(await say(h, ADMIN, '/sources add /etc/passwd')).toContain('is a path on the server; local files and folders are added with `tidings sources add`');
    expect(await say(h, ADMIN, `/sources add ${url}`)).toBe(`A source with the URL ${url} already exists.`);
    expect(await say(h, ADMIN, '/sources pause 999')).toBe('No source "999": check the id or URL against the list of sources.');
    await h.article('Cotton rises', 'Cotton rose.');
    expect(await say(h, ADMIN, `/sources remove ${h.sourceId}`)).toContain('has 1 stored articles');
    expect(await say(h, ADMIN, `/sources remove ${h.sourceId} articles`)).toBe(`Removed source ${h.sourceId} Example News and its 1 articles.`);
    const rows = await audits();
    expect(rows.map((r) => [r.actor, r.action, r.ok])).toEqual([
      [`telegram:${ADMIN.id}`, 'source.add', 1],
      [`telegram:${ADMIN.id}`, 'source.pause', 1],
      [`telegram:${ADMIN.id}`, 'source.resume', 1],
      [`telegram:${ADMIN.id}`, 'source.remove', 1],
    ]);
    expect(rows[0]!.detail).toMatch(/^source \d+ \(feed\) http:\/\/127\.0\.0\.1:\d+\/rss$/);
  });

  it('/sources import reads the OPML file sent with it, or the one it replies to', async () => {
    const opml = `<opml version="2.0"><body><outline type="rss" text="Wire" xmlUrl="${feeds.url}/rss"/><outline type="rss" text="Far" xmlUrl="ftp://far.example.org/x"/></body></opml>`;
    expect(await say(h, ADMIN, '/sources import', { document: { name: 'feeds.opml', content: opml } })).toBe(
      'Added 1 source, 0 already present, 1 rejected.\n• Far: "ftp://far.example.org/x" is neither an http(s) URL nor a local path; only http and https sources are fetched.',
    );
    // Replying to a file someone sent earlier.
    const file = await h.emu.userMessage({ from: ADMIN, text: '', document: { name: 'again.opml', content: opml } });
    await handled(h, file.update_id);
    const before = h.emu.sent(ADMIN.id).length;
    const reply = await h.emu.pushUpdate({
      message: {
        message_id: 900,
        from: { id: ADMIN.id, is_bot: false, first_name: 'Ada' },
        chat: { id: ADMIN.id, type: 'private' },
        date: 0,
        text: '/sources import',
        reply_to_message: file.message,
      },
    });
    await h.emu.waitFor(() => h.emu.sent(ADMIN.id).length > before);
    await handled(h, reply.update_id);
    expect(h.emu.sent(ADMIN.id).at(-1)!.text).toMatch(/^Added 0 sources, 1 already present, 1 rejected\./);
    expect(await say(h, ADMIN, '/sources import')).toBe('Send the OPML file with /sources import as its caption, or reply /sources import to the file.');
    expect((await audits()).map((r) => [r.action, r.ok])).toEqual([
      ['sources.import', 1],
      ['sources.import', 0],
    ]);
  });

  it('/schedule validates the cron and the zone and shows the next three runs in that zone', async () => {
    const reply = await say(h, ADMIN, '/schedule daily "30 7 * * 1-5" Asia/Shanghai');
    expect(reply).toContain('Daily Cotton now goes out at 30 7 * * 1-5 (Asia/Shanghai). Next:');
    const runs = reply.split('\n').filter((l) => l.startsWith('• '));
    expect(runs).toHaveLength(3);
    for (const r of runs) expect(r).toMatch(/^• (Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d 07:30$/);
    expect(await getNewsletter(store.db, 'daily')).toMatchObject({ cron: '30 7 * * 1-5', timezone: 'Asia/Shanghai' });

    // Unquoted, zone left out: the newsletter keeps its zone; a weekday name is not taken for one.
    expect(await say(h, ADMIN, '/schedule daily 0 9 * * MON')).toContain('now goes out at 0 9 * * MON (Asia/Shanghai)');

    expect(await say(h, ADMIN, '/schedule daily "0 25 * * *" UTC')).toContain(
      'Schedule "0 25 * * *" is not a valid cron expression: hour field: 25 is outside 0-23',
    );
    expect(await say(h, ADMIN, '/schedule daily "0 8 * * *" Mars/Olympus')).toContain('Unknown time zone "Mars/Olympus"');
    expect(await say(h, ADMIN, '/schedule weekly "0 8 * * *"')).toContain('No newsletter "weekly"');
    expect(await say(h, ADMIN, '/schedule')).toContain('Usage: /schedule');
    expect(await getNewsletter(store.db, 'daily')).toMatchObject({ cron: '0 9 * * MON', timezone: 'Asia/Shanghai' });
    // The core audits the two changes; refused input changed nothing.
    expect((await audits()).map((r) => [r.action, r.actor, r.ok])).toEqual([
      ['newsletter.update', `telegram:${ADMIN.id}`, 1],
      ['newsletter.update', `telegram:${ADMIN.id}`, 1],
    ]);
  });

  it('/pause and /resume a newsletter through the core, which audits them; /newsletters shows it paused', async () => {
    expect(await say(h, ADMIN, '/pause daily')).toBe('Daily Cotton is paused: no scheduled digests until /resume daily.');
    expect((await getNewsletter(store.db, 'daily'))!.enabled).toBe(0);
    expect(await say(h, ADMIN, '/newsletters')).toMatch(/daily Daily Cotton — 0 8 \* \* \* UTC, 0 active, PAUSED/);
    expect(await say(h, ADMIN, '/resume daily')).toMatch(/^Daily Cotton is running again/);
    expect((await getNewsletter(store.db, 'daily'))!.enabled).toBe(1);
    expect(await say(h, ADMIN, '/pause')).toContain('Usage: /pause NEWSLETTER');
    expect(await say(h, ADMIN, '/resume weekly')).toContain('No newsletter "weekly"');
    expect((await audits()).map((r) => [r.action, r.ok])).toEqual([
      ['newsletter.pause', 1],
      ['newsletter.resume', 1],
    ]);
  });

  it('/sendnow builds and queues the digest; /newsletters and /stats show the result', async () => {
    await say(h, ALICE, '/subscribe daily');
    await h.article('Cotton rises', 'Cotton rose.');
    expect(await say(h, ADMIN, '/sendnow daily')).toMatch(/^Digest \d+ of Daily Cotton is built; 1 deliveries queued\.$/);
    expect(await store.db.selectFrom('deliveries').select(['address', 'state']).execute()).toEqual([{ address: String(ALICE.id), state: 'pending' }]);
    expect(await say(h, ADMIN, '/sendnow daily')).toContain('No new digest of Daily Cotton');
    expect(await say(h, ADMIN, '/newsletters')).toMatch(/\d+ daily Daily Cotton — 0 8 \* \* \* UTC, 1 active/);
    const stats = await say(h, ADMIN, '/stats');
    expect(stats).toContain('Subscriptions\ntelegram active: 1');
    expect(stats).toMatch(/Last digests\ndaily digest \d+ \(.+\): pending 1/);
    expect(stats).toContain('Failing sources\nnone');
    // Admins see the admin commands in /help.
    expect(await say(h, ADMIN, '/help')).toContain('/sendnow NEWSLETTER');
  });

  it('a handler that throws is logged without the token, apologised for, and the bot keeps answering', async () => {
    h.deps.sendNow = async () => {
      throw new Error(`request to ${h.emu.url}/bot${h.emu.token}/sendMessage failed`);
    };
    expect(await say(h, ADMIN, '/sendnow daily')).toBe('Sorry, something went wrong. Please try again later.');
    expect(await say(h, ADMIN, '/help')).toContain('/search words');
    const log = h.logText();
    expect(log).toContain('telegram update failed');
    expect(log).toContain('/bot<redacted>/sendMessage failed');
    expect(log).not.toContain(h.emu.token.split(':')[1]!);
    // Nothing changed, so nothing is audited: the failure is the log's.
    expect(await audits()).toEqual([]);
  });

  it('/bind binds a group, a forum topic and (from a private chat) a channel, after checking the bot may post', async () => {
    const group = -100200;
    const channel = -100300;
    h.emu.addChat({ id: group, type: 'supergroup', title: 'Traders', isForum: true });
    h.emu.addChat({ id: channel, type: 'channel', title: 'Cotton Channel', username: 'cottonnews', canPostMessages: false });
    expect(await say(h, ADMIN, '/bind daily', { chat: group })).toBe('✅ Traders now gets Daily Cotton.');
    expect(await say(h, ADMIN, '/bind china', { chat: group, threadId: 7 })).toBe('✅ Traders (topic 7) now gets 中国棉业.');
    expect(await say(h, ADMIN, '/bind daily', { chat: group })).toBe('Traders already gets Daily Cotton.');
    expect(await say(h, ALICE, '/bind china', { chat: group })).toBe('This command is for admins only.');

    expect(await say(h, ADMIN, '/bind @cottonnews daily')).toBe(
      'Cannot bind Cotton Channel (-100300): in a channel the bot must be an administrator allowed to post messages.',
    );
    h.emu.chat(channel)!.canPostMessages = true;
    expect(await say(h, ADMIN, '/bind @cottonnews daily')).toBe('✅ Cotton Channel now gets Daily Cotton.');
    expect(await say(h, ADMIN, '/bind @nosuchchannel daily')).toContain('Telegram does not know that chat');

    const bound = await store.db
      .selectFrom('subscriptions as s')
      .innerJoin('subscribers as p', 'p.id', 's.subscriber_id')
      .select(['p.telegram_chat_id', 's.newsletter_id', 's.status', 's.consent_source'])
      .orderBy('s.id')
      .execute();
    expect(bound).toEqual([
      { telegram_chat_id: String(group), newsletter_id: h.daily.id, status: 'active', consent_source: 'admin' },
      { telegram_chat_id: `${group}:7`, newsletter_id: h.china.id, status: 'active', consent_source: 'admin' },
      { telegram_chat_id: String(channel), newsletter_id: h.daily.id, status: 'active', consent_source: 'admin' },
    ]);
    expect(await say(h, ADMIN, '/unbind daily', { chat: group })).toBe('Traders no longer gets Daily Cotton.');
    const rows = await audits();
    // The core audits the changes and the refused binding; "already", a stranger and an unknown chat change nothing.
    expect(rows.map((r) => [r.action, r.ok])).toEqual([
      ['telegram.bind', 1],
      ['telegram.bind', 1],
      ['admin.refused', 0],
      ['telegram.bind', 0],
      ['telegram.bind', 1],
      ['telegram.unbind', 1],
    ]);
  });

  it('/subscribers add and remove through the core from a private chat; in a group it says where to use it', async () => {
    expect(await say(h, ADMIN, '/subscribers add Ann@Example.org daily')).toContain('daily: subscribed (active)');
    h.emu.addChat({ id: -100500, type: 'supergroup', title: 'Traders' });
    expect(await say(h, ADMIN, '/subscribers remove ann@example.org', { chat: -100500 })).toContain('Use /subscribers in a private chat');
    expect(await say(h, ADMIN, '/subscribers')).toContain('Usage: /subscribers add EMAIL');
    expect(await say(h, ADMIN, '/subscribers add not-an-address daily')).toContain('"not-an-address" is not a valid email address');
    expect(await say(h, ADMIN, '/subscribers remove bob@example.org')).toContain('There is no subscriber "bob@example.org"');
    expect(await say(h, ADMIN, '/subscribers remove ann@example.org')).toMatch(/^Removed subscriber \d+ <ann@example\.org> and their 1 subscriptions\.$/);
    expect((await audits()).map((r) => [r.action, r.actor, r.ok])).toEqual([
      ['subscriber.add', `telegram:${ADMIN.id}`, 1],
      ['subscriber.remove', `telegram:${ADMIN.id}`, 1],
    ]);
  });
});
