// Acceptance 3 of issue 3 end to end: a hostile feed served over loopback goes through the real
// ingest, extractive summaries, selection, the bundled MJML templates, MIME assembly and the web
// archive. Whatever the stages in between do, what reaches a reader (the email as a mail client
// parses it, every Telegram message, the archive page) must carry no active markup, and template
// syntax in titles and bodies must come out as the very text the source wrote.
import type { FastifyInstance } from 'fastify';
import { parseHTML } from 'linkedom';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { emailContentLoader } from '../../src/deliver/email-content.js';
import { buildMessage, messageBytes } from '../../src/deliver/mime.js';
import { buildReaders, buildRenderer, senderInfo } from '../../src/deps.js';
import { type BuildResult, buildDigest } from '../../src/digest/build.js';
import { digestItems, type Recipient } from '../../src/digest/model.js';
import type { TelegramPart } from '../../src/digest/render-telegram.js';
import { parseTelegramHtml, telegramLength, validateTelegramHtml } from '../../src/digest/telegram-html.js';
import { buildServer } from '../../src/http/server.js';
import { ingestAll } from '../../src/ingest/ingest.js';
import { createStories } from '../../src/ingest/story-sync.js';
import { silentLogger } from '../../src/log.js';
import { listArticles } from '../../src/store/articles.js';
import { getDigest } from '../../src/store/digests.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { addSource } from '../../src/store/sources.js';
import { extractiveSummarizer } from '../../src/summarize/extractive.js';
import { summarizePending } from '../../src/summarize/stage.js';
import { forEachDialect, type TestStore } from '../support/databases.js';
import { testFetcher } from '../support/fetcher.js';
import { type FixtureServer, startServer } from '../support/http-fixture.js';
import { HEADER_TITLE, HOSTILE_BODY, hostileRss, INJECTIONS, ITEMS, MARKER_SECRET, PARAGRAPH, SAFE_IMAGE, SAFE_LINK } from './hostile-feed.js';

const INGESTED = new Date('2026-11-23T12:00:00.000Z');
const SLOT = new Date('2026-11-23T13:00:00.000Z');
const PUBLIC_URL = 'https://news.example.org';
const RECIPIENT: Recipient = {
  name: 'Alice',
  unsubscribeUrl: `${PUBLIC_URL}/unsubscribe?t=tok-alice`,
  preferencesUrl: `${PUBLIC_URL}/preferences?t=tok-alice`,
};
const ARTICLE_LINKS = ITEMS.map((i) => i.link);

const dom = (html: string) => parseHTML(html).document;

/**
 * Every active construct a reader could meet, as "what: where" lines. The email's own markup is
 * allowed what MJML itself writes: <style> in the head and meta http-equiv other than refresh.
 */
function activeMarkup(html: string): string[] {
  const doc = dom(html);
  const found: string[] = [];
  for (const tag of ['script', 'iframe', 'frame', 'object', 'embed', 'form', 'input', 'button', 'svg', 'math', 'base', 'link[rel="import"]']) {
    for (const el of doc.querySelectorAll(tag)) found.push(`<${tag}>: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const el of doc.querySelectorAll('style')) {
    if (el.closest('body') || /evil\.example|display:\s*none\s*\}/.test(el.textContent ?? ''))
      found.push(`<style> not the template's: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const el of doc.querySelectorAll('meta')) {
    if (/refresh/i.test(el.getAttribute('http-equiv') ?? '') || /url\s*=/i.test(el.getAttribute('content') ?? '')) found.push(`meta refresh: ${el.outerHTML}`);
  }
  for (const el of doc.querySelectorAll('*')) {
    for (const name of el.getAttributeNames()) {
      const value = el.getAttribute(name) ?? '';
      if (name.startsWith('on')) found.push(`${name}= on <${el.tagName.toLowerCase()}>`);
      if (/^(href|src|action|formaction|xlink:href|background|poster)$/.test(name) && !/^(https?:|mailto:|#|cid:|\/(?!\/))/i.test(value.trim())) {
        found.push(`${name}="${value.slice(0, 40)}" on <${el.tagName.toLowerCase()}>`);
      }
      if (/evil\.example|tracker\.example|position\s*:\s*fixed/i.test(value)) found.push(`${name}="${value.slice(0, 60)}" on <${el.tagName.toLowerCase()}>`);
    }
  }
  for (const img of doc.querySelectorAll('img')) {
    const [w, h] = [img.getAttribute('width'), img.getAttribute('height')];
    if (w === '1' || h === '1' || w === '0' || h === '0') found.push(`tracking pixel: ${img.outerHTML}`);
  }
  for (const el of doc.querySelectorAll('*')) if (el.tagName.toLowerCase().startsWith('mj-')) found.push(`MJML tag left: <${el.tagName.toLowerCase()}>`);
  return found;
}

/** What a reader sees: the injections verbatim, and nothing any engine would have produced from them. */
function expectInertText(where: string, shown: string): void {
  for (const inj of INJECTIONS) expect(shown, `${where} shows ${inj} literally`).toContain(inj);
  expect(shown, `${where}: no evaluated 7*7`).not.toMatch(/(?<![\d.])49(?![\d.])/);
  expect(shown, `${where}: no /etc/passwd`).not.toMatch(/root:|\/bin\/(ba)?sh|nologin/);
  expect(shown, `${where}: no environment`).not.toContain(MARKER_SECRET);
  for (const ran of ['SCRIPT-RAN', 'ONERROR-RAN', 'SVG-RAN']) expect(shown, where).not.toContain(ran);
}

const telegramHtml = (p: TelegramPart) => (p.kind === 'text' ? p.html : p.captionHtml);

// The checks above must be able to fail: on the feed's raw body they find every construct.
it('the checker flags every hostile construct of the raw feed body, and evaluated injections', () => {
  const found = activeMarkup(`<!doctype html><html><head></head><body>${HOSTILE_BODY}</body></html>`).join('\n');
  for (const construct of [
    '<script>',
    'onerror=',
    'href="javascript:',
    'href=" JaVaScRiPt:',
    'href="vbscript:',
    'href="data:',
    'src="data:',
    '<iframe>',
    '<style>',
    'position:fixed',
    '<form>',
    '<svg>',
    'onload=',
    'meta refresh',
    'tracking pixel',
  ]) {
    expect(found, construct).toContain(construct);
  }
  expect(() => expectInertText('evaluated', `${INJECTIONS.join(' ')} 49`)).toThrow(/7\*7/);
  expect(() => expectInertText('leaked', `${INJECTIONS.join(' ')} ${MARKER_SECRET}`)).toThrow(/environment/);
  expect(() => expectInertText('included', `${INJECTIONS.join(' ')} root:x:0:0:root:/root:/bin/bash`)).toThrow(/passwd/);
  expect(() => expectInertText('stripped', INJECTIONS.slice(1).join(' '))).toThrow(/literally/);
});

let server: FixtureServer;
const savedX = process.env.X;
beforeAll(async () => {
  process.env.X = MARKER_SECRET;
  server = await startServer({ '/hostile.xml': { headers: { 'content-type': 'application/rss+xml; charset=utf-8' }, body: hostileRss() } });
});
afterAll(async () => {
  if (savedX === undefined) delete process.env.X;
  else process.env.X = savedX;
  await server.close();
});

forEachDialect('hostile feed through the whole pipeline', (dialect) => {
  let store: TestStore;
  let app: FastifyInstance;
  let built: BuildResult;
  const config = loadConfig({
    TIDINGS_PUBLIC_URL: PUBLIC_URL,
    TIDINGS_ORGANIZATION: 'Hostile Watch Ltd',
    TIDINGS_POSTAL_ADDRESS: '12 Mill Street, Manchester M1 2AB',
  });
  const log = silentLogger();

  beforeAll(async () => {
    store = await dialect.open();
    const fetcher = testFetcher();
    try {
      await addSource(store.db, { kind: 'feed', url: `${server.url}/hostile.xml`, name: 'Hostile wire', intervalMinutes: 60, options: {} }, INGESTED);
      const stories = createStories({ dialect: store.dialect });
      const ingest = await ingestAll({ db: store.db, readers: buildReaders(), fetcher, log, now: () => INGESTED, concurrency: 2, pauseAfter: 5, stories });
      expect(ingest).toMatchObject({ sources: 1, new: ITEMS.length, failed: 0 });
    } finally {
      await fetcher.close();
    }
    const summaries = await summarizePending({ db: store.db, summarizer: extractiveSummarizer(), log, now: () => INGESTED }, { budget: { sentences: 3 } });
    expect(summaries).toMatchObject({ summarized: ITEMS.length, failed: 0, byMethod: { extractive: ITEMS.length } });
    const newsletter = await addNewsletter(store.db, { slug: 'hostile-watch', name: 'Hostile Watch', lookbackHours: 48 }, INGESTED);
    built = await buildDigest({ db: store.db, now: () => SLOT, log, ...buildRenderer(config) }, newsletter, SLOT);
    expect(built).toMatchObject({ status: 'ready' });
    app = buildServer({ db: store.db, log, now: () => SLOT, sender: senderInfo(config) });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('stores the article with reading markup kept and active markup gone; every item reaches the digest', async () => {
    const rows = await listArticles(store.db, { limit: 20 });
    const markup = rows.find((r) => r.guid === 'hostile-markup')!;
    const doc = dom(markup.html!);
    expect(doc.querySelectorAll('p').length).toBeGreaterThanOrEqual(3);
    expect(doc.querySelector('p')!.textContent).toBe(PARAGRAPH);
    expect([...doc.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual([SAFE_LINK]);
    // `<img src=x onerror=…>` stays an image of a relative name, resolved, without its handler.
    expect([...doc.querySelectorAll('img')].map((i) => i.getAttribute('src'))).toEqual([SAFE_IMAGE, `${server.url}/x`]);
    expect(activeMarkup(markup.html!)).toEqual([]);
    // The pixel came first in the body; the lead image is the real one.
    expect(markup.image_url).toBe(SAFE_IMAGE);
    expect(
      digestItems(built.model!)
        .map((i) => i.url)
        .sort(),
    ).toEqual([...ARTICLE_LINKS].sort());
  });

  it('email: the MIME message a client parses has no active markup, the safe parts, and inert injections', async () => {
    const load = emailContentLoader(store.db, { from: { name: 'Hostile Watch', address: 'digest@news.example.org' }, domain: 'news.example.org' });
    const content = await load(built.digestId!);
    const message = buildMessage(content, { deliveryId: 1, to: 'alice@example.com', messageId: '<d1.alice@news.example.org>', recipient: RECIPIENT }, SLOT);
    const raw = messageBytes(message);
    const head = raw.toString('latin1').split('\r\n\r\n')[0]!;
    expect(head).not.toMatch(/^bcc\s*:/im);
    const mail = await simpleParser(raw);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.bcc).toBeUndefined();
    expect(mail.to && 'value' in mail.to ? mail.to.value.map((a) => a.address) : []).toEqual(['alice@example.com']);

    // The subject comes from the lead title, whose CR LF tried to start a Bcc header.
    for (const subject of [built.parts!.subject, mail.subject ?? '']) {
      expect(subject).not.toMatch(/[\r\n]/);
      expect(subject).not.toMatch(/^\s*bcc\s*:/im);
    }
    expect(mail.subject).toContain(HEADER_TITLE.replace(/\r\n/, ' '));

    const html = String(mail.html);
    expect(activeMarkup(html)).toEqual([]);
    const doc = dom(html);
    const hrefs = [...doc.querySelectorAll('a')].map((a) => a.getAttribute('href')!);
    // Exactly the template's links: article titles (and their images), the archive, the footer.
    const allowed = new Set([...ARTICLE_LINKS, RECIPIENT.unsubscribeUrl, RECIPIENT.preferencesUrl, `${PUBLIC_URL}/n/hostile-watch/${built.digestId}`]);
    expect(hrefs.filter((h) => !allowed.has(h))).toEqual([]);
    for (const link of allowed) expect(hrefs, `${link} is linked`).toContain(link);
    expect(hrefs.filter((h) => h.includes('evil.example'))).toEqual([]);
    expect([...doc.querySelectorAll('img')].map((i) => i.getAttribute('src'))).toEqual([SAFE_IMAGE]);
    expect(doc.body.textContent).toContain(PARAGRAPH);
    expect(html).not.toContain(MARKER_SECRET);
    expectInertText('email html', doc.body.textContent ?? '');

    const text = String(mail.text);
    expectInertText('email text', text);
    expect(text).toContain(PARAGRAPH);
    expect(text).toContain(RECIPIENT.unsubscribeUrl);
    expect(text.toLowerCase()).not.toMatch(/javascript:|vbscript:|data:/);
  });

  it('telegram: every part passes the strict HTML check, links only http(s) articles, and shows injections as text', async () => {
    const parts = built.parts!.telegram as TelegramPart[];
    expect(parts.length).toBeGreaterThan(0);
    const stored = await getDigest(store.db, built.digestId!);
    expect(JSON.parse(stored!.telegram!)).toEqual(parts);
    let shown = '';
    for (const [n, part] of parts.entries()) {
      const html = telegramHtml(part);
      expect(validateTelegramHtml(html), `part ${n}`).toEqual({ ok: true });
      expect(telegramLength(html)).toBeLessThanOrEqual(part.kind === 'text' ? 4096 : 1024);
      expect(html).not.toMatch(/<(?!\/?(b|i|a)[\s>])/);
      const { text, entities } = parseTelegramHtml(html);
      for (const e of entities.filter((x) => x.type === 'text_link')) {
        expect(e.url!.startsWith('https://'), e.url).toBe(true);
        expect(e.url).not.toContain('evil.example');
      }
      if (part.kind === 'photo') expect(part.photoUrl).toBe(SAFE_IMAGE);
      expect(html).not.toContain(MARKER_SECRET);
      shown += `${text}\n`;
    }
    expectInertText('telegram', shown);
    expect(shown).toContain(PARAGRAPH);
    expect(shown).not.toMatch(/javascript:|vbscript:|data:text/i);
  });

  it('archive: the digest page carries no active markup, under a script-free CSP, with the injections inert', async () => {
    const page = await app.inject({ method: 'GET', url: `/n/hostile-watch/${built.digestId}` });
    expect(page.statusCode).toBe(200);
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(String(page.headers['content-security-policy'])).not.toMatch(/script-src/);
    expect(activeMarkup(page.body)).toEqual([]);
    const doc = dom(page.body);
    expect([...doc.querySelectorAll('img')].map((i) => i.getAttribute('src'))).toEqual([SAFE_IMAGE]);
    expect([...doc.querySelectorAll('a')].filter((a) => a.getAttribute('href')!.includes('evil.example'))).toEqual([]);
    expect(doc.body.textContent).toContain(PARAGRAPH);
    expect(page.body).not.toContain(MARKER_SECRET);
    expectInertText('archive page', doc.body.textContent ?? '');

    const listing = await app.inject({ method: 'GET', url: '/n/hostile-watch' });
    expect(activeMarkup(listing.body)).toEqual([]);
    expect(listing.body).not.toMatch(/[\r\n]Bcc:/);
    const feed = await app.inject({ method: 'GET', url: '/n/hostile-watch/feed.atom' });
    expect(feed.body).not.toMatch(/<script|<iframe|<svg/i);
    expect(feed.body).not.toContain(MARKER_SECRET);
  });
});
