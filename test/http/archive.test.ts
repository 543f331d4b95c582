import type { FastifyInstance } from 'fastify';
import { parseHTML } from 'linkedom';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildDigest, type RenderedParts } from '../../src/digest/build.js';
import type { DigestModel, SenderInfo } from '../../src/digest/model.js';
import { renderEmail } from '../../src/digest/render-email.js';
import { renderTelegram } from '../../src/digest/render-telegram.js';
import { archiveDigestUrl } from '../../src/http/archive.js';
import { claimDigest, completeDigest, digestModel, getDigest, skipDigest } from '../../src/store/digests.js';
import { buildServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/log.js';
import { parseFeed } from '../../src/sources/feed/parse.js';
import { insertArticles } from '../../src/store/articles.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { NewArticle, NewsletterRow } from '../../src/store/schema.js';
import { addSource } from '../../src/store/sources.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const SENDER: SenderInfo = { organization: 'Cotton Growers Association', postalAddress: '12 Mill Street\nManchester', publicUrl: 'https://news.example.org/' };
const SLOT1 = new Date('2026-11-23T22:00:00.000Z'); // 24 November in Shanghai
const SLOT2 = new Date('2026-11-25T00:00:00.000Z');
const HOSTILE_SCRIPT = '<script>alert(1)</script> Cotton & "mills"';
const HOSTILE_IMG = '<img src=x onerror=alert(2)> Yarn prices';

async function render(model: DigestModel): Promise<RenderedParts> {
  const email = await renderEmail(model, SENDER);
  return { ...email, telegram: renderTelegram(model) };
}

const dom = (html: string) => parseHTML(html).document;

forEachDialect('http archive', (dialect) => {
  let store: TestStore;
  let app: FastifyInstance;
  let nl: NewsletterRow;
  let src: number;
  let n = 0;
  let clock = SLOT1;

  beforeEach(async () => {
    store = await dialect.open();
    clock = SLOT1;
    nl = await addNewsletter(store.db, { slug: 'cotton', name: 'Cotton <b>Daily</b>', language: 'zh', timezone: 'Asia/Shanghai', lookbackHours: 48 }, SLOT1);
    src = (await addSource(store.db, { kind: 'feed', url: 'http://127.0.0.1/a', name: 'Wire <i>' }, SLOT1)).id;
    app = buildServer({ db: store.db, log: silentLogger(), now: () => clock, sender: SENDER });
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  async function addArticle(title: string, fetchedAt: Date): Promise<number> {
    n++;
    const article: NewArticle = {
      source_id: src,
      guid: `g${n}`,
      guid_key: `${src}:g${n}`,
      url: `https://wire.example.com/${n}`,
      title,
      published_at: fetchedAt.toISOString(),
      fetched_at: fetchedAt.toISOString(),
      lang: 'en',
      text: `Body of ${title}. Mills restocked on Monday.`,
      fingerprint: `fp${n}`,
      search_text: title.toLowerCase(),
    };
    return (await insertArticles(store.db, [article])).inserted[0]!.id;
  }

  async function digest(slot: Date, titles: string[]): Promise<number> {
    // Newest first, so the first title leads the digest and makes its subject.
    for (const [i, t] of titles.entries()) await addArticle(t, new Date(slot.getTime() - (i + 1) * 3_600_000));
    clock = slot;
    const archiveUrl = ({ digestId }: { digestId: number }) => archiveDigestUrl(SENDER.publicUrl, nl.slug, digestId);
    const built = await buildDigest({ db: store.db, now: () => clock, log: silentLogger(), render, archiveUrl }, nl, slot);
    expect(built.status).toBe('ready');
    return built.digestId!;
  }

  const get = (url: string) => app.inject({ method: 'GET', url });

  it('lists enabled newsletters and a newsletter archive, newest first, escaped', async () => {
    await addNewsletter(store.db, { slug: 'hidden', name: 'Hidden one', enabled: false }, SLOT1);
    const first = await digest(SLOT1, [HOSTILE_SCRIPT]);
    const second = await digest(SLOT2, [HOSTILE_IMG, 'Plain story']);

    const index = await get('/');
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body).toContain('href="/n/cotton"');
    expect(index.body).toContain('Cotton &lt;b&gt;Daily&lt;/b&gt;');
    expect(index.body).not.toContain('Hidden one');
    expect(index.body).toContain('name="viewport"');

    const archive = await get('/n/cotton');
    expect(archive.statusCode).toBe(200);
    const doc = dom(archive.body);
    expect(doc.documentElement.getAttribute('lang')).toBe('zh');
    const alt = doc.querySelector('link[rel="alternate"]')!;
    expect([alt.getAttribute('type'), alt.getAttribute('href')]).toEqual(['application/atom+xml', '/n/cotton/feed.atom']);
    const links = [...doc.querySelectorAll('li a')].map((a) => a.getAttribute('href'));
    expect(links).toEqual([`/n/cotton/${second}`, `/n/cotton/${first}`]);
    expect(archive.body).toContain('2026年11月24日');
    expect(archive.body).toContain('共 2 条');
    expect(archive.body).toContain('共 1 条');
    expect(archive.body).not.toMatch(/<script|<img/i);
    expect(archive.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Cotton &amp; &quot;mills&quot;');
    expect(archive.body).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt; Yarn prices');
    for (const res of [index, archive]) {
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+/);
    }
  });

  it('serves a digest as its email with a script-free CSP, the archive recipient, and a text part', async () => {
    const id = await digest(SLOT1, [HOSTILE_SCRIPT, HOSTILE_IMG]);
    const page = await get(`/n/cotton/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toMatch(/^public, max-age=[1-9]/);
    expect(page.body).not.toMatch(/<script/i);
    expect(page.body).not.toMatch(/%%tidings\./);
    const doc = dom(page.body);
    expect(doc.documentElement.getAttribute('lang')).toMatch(/^zh\b/);
    expect(doc.querySelector('meta[name="viewport"]')).not.toBeNull();
    expect(doc.querySelectorAll('img[onerror]')).toHaveLength(0);
    const hrefs = [...doc.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs).toContain('https://news.example.org/unsubscribe');
    expect(hrefs).toContain('https://news.example.org/preferences');
    expect(hrefs).toContain(`https://news.example.org/n/cotton/${id}`);
    expect(doc.body.textContent).toContain('<script>alert(1)</script>');

    const text = await get(`/n/cotton/${id}.txt`);
    expect(text.statusCode).toBe(200);
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.body).toContain(HOSTILE_IMG);
    expect(text.body).toContain('https://news.example.org/unsubscribe');
  });

  it('publishes an Atom feed our own parser reads cleanly', async () => {
    const first = await digest(SLOT1, [HOSTILE_SCRIPT]);
    const second = await digest(SLOT2, [HOSTILE_IMG, 'Plain story']);
    const res = await get('/n/cotton/feed.atom');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(res.body).not.toMatch(/<script|<img/i);
    const feed = parseFeed(res.body, { contentType: String(res.headers['content-type']) });
    expect(feed).toMatchObject({ bozo: false, format: 'atom10' });
    expect(feed.feed.title).toBe('Cotton <b>Daily</b>');
    expect(feed.items.map((i) => i.link)).toEqual([`https://news.example.org/n/cotton/${second}`, `https://news.example.org/n/cotton/${first}`]);
    expect(feed.items.map((i) => i.id)).toEqual(feed.items.map((i) => i.link));
    expect(feed.items.map((i) => i.title)).toEqual([
      'Cotton <b>Daily</b> — 2026年11月25日：<img src=x onerror=alert(2)> Yarn prices',
      'Cotton <b>Daily</b> — 2026年11月24日：<script>alert(1)</script> Cotton & "mills"',
    ]);
    expect(feed.items[1]!.updated ?? feed.items[1]!.published).toBeInstanceOf(Date);
    // The entry's HTML is the email: hostile titles stay escaped text inside it.
    const html = feed.items[1]!.contentHtml ?? '';
    expect(html).toContain('https://news.example.org/unsubscribe');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(feed.items[0]!.contentHtml).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
  });

  it('answers 404 pages, never a stack, for unknown slugs, ids, garbage ids and routes', async () => {
    const id = await digest(SLOT1, ['A story']);
    const other = await addNewsletter(store.db, { slug: 'other', name: 'Other' }, SLOT1);
    for (const url of [
      '/n/nope',
      '/n/nope/feed.atom',
      `/n/nope/${id}`,
      `/n/${other.slug}/${id}`,
      `/n/cotton/${id + 1}`,
      '/n/cotton/abc',
      `/n/cotton/${id}abc`,
      '/n/cotton/-1',
      '/n/cotton/0',
      '/n/cotton/99999999999999999999',
      '/n/cotton/1.5',
      `/n/cotton/${id}.html`,
      '/n/cotton?page=0',
      '/n/cotton?page=x',
      '/n/cotton?page=2',
      '/nothing/here',
      '/n/%E0%A4%A',
    ]) {
      const res = await get(url);
      expect([url, res.statusCode]).toEqual([url, url.includes('%E0') ? 400 : 404]);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toMatch(/^<!doctype html>/);
      expect(res.body).not.toMatch(/at .*\.(ts|js):\d+|Error:|stack/i);
      expect([url, res.headers['content-security-policy']]).toEqual([url, expect.stringContaining("default-src 'none'")]);
      expect([url, res.headers['cache-control']]).toEqual([url, 'no-store']);
    }
    expect((await get('/n/cotton/0')).body).toContain('页面不存在');
  });

  it('pages the archive by 50, newest first, shows only ready digests, and feeds the latest 50', async () => {
    const realId = await digest(SLOT1, ['The oldest story']);
    const real = (await getDigest(store.db, realId))!;
    const model = digestModel(real)!;
    const day = 86_400_000;
    for (let i = 1; i <= 52; i++) {
      const slot = new Date(SLOT1.getTime() + i * day);
      const { id } = (await claimDigest(store.db, nl.id, slot, slot))!;
      const parts = { subject: `Issue ${i}`, preheader: '', html: real.html!, text: real.text!, telegram: [] };
      await completeDigest(store.db, id, { ...parts, articleIds: [], model, windowStart: slot, windowEnd: slot }, slot);
    }
    const skipped = (await claimDigest(store.db, nl.id, new Date(SLOT1.getTime() + 60 * day), SLOT1))!;
    await skipDigest(store.db, skipped.id, 'no new articles', SLOT1);

    const titles = (html: string) => [...dom(html).querySelectorAll('li a')].map((a) => a.textContent);
    const page1 = await get('/n/cotton');
    expect(titles(page1.body)).toEqual(Array.from({ length: 50 }, (_, i) => `Issue ${52 - i}`));
    const nav1 = dom(page1.body).querySelector('a[rel="next"]')!;
    expect(nav1.getAttribute('href')).toBe('/n/cotton?page=2');
    expect(dom(page1.body).querySelector('a[rel="prev"]')).toBeNull();
    const page2 = await get('/n/cotton?page=2');
    expect(titles(page2.body)).toEqual(['Issue 2', 'Issue 1', real.subject]);
    expect(dom(page2.body).querySelector('a[rel="prev"]')!.getAttribute('href')).toBe('/n/cotton');
    expect(dom(page2.body).querySelector('a[rel="next"]')).toBeNull();
    expect((await get('/n/cotton?page=3')).statusCode).toBe(404);
    expect((await get(`/n/cotton/${skipped.id}`)).statusCode).toBe(404);

    const feed = parseFeed((await get('/n/cotton/feed.atom')).body);
    expect(feed.bozo).toBe(false);
    expect(feed.items.map((i) => i.title)).toEqual(Array.from({ length: 50 }, (_, i) => `Issue ${52 - i}`));
  });

  it('a failing store gives the generic error page, without the error', async () => {
    const dead = await dialect.open();
    await dead.close();
    const broken = buildServer({ db: dead.db, log: silentLogger(), now: () => clock, sender: SENDER });
    try {
      for (const url of ['/', '/n/cotton', '/n/cotton/1', '/n/cotton/feed.atom']) {
        const res = await broken.inject({ method: 'GET', url });
        expect([url, res.statusCode]).toEqual([url, 500]);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.body).toContain('Something went wrong');
        expect(res.body).not.toMatch(/pool|connection|database|Error|\.ts:/i);
        expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      }
    } finally {
      await broken.close();
    }
  });

  it('healthz answers ok', async () => {
    const res = await get('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  });
});
