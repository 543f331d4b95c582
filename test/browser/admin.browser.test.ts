// Acceptance: an admin runs a newsletter from a phone-sized browser. Log in, create a newsletter
// scheduled in Asia/Shanghai and see its next runs in that zone, test-fetch and add a feed (then
// ingest it), add a subscriber, send now, deliver through the real send loop (to the outbox),
// and see "1 delivered" on the dashboard. At 375 px the dashboard and the digest's archive page
// must not scroll sideways; full-page screenshots go to test-artifacts/screenshots/.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../src/admin/password.js';
import { loadConfig } from '../../src/config/index.js';
import { sendPending } from '../../src/deliver/email-send.js';
import { adminWebDeps, httpDeps, ingestDeps, sendDeps } from '../../src/deps.js';
import { createRoot, type Root } from '../../src/main.js';
import { buildServer } from '../../src/http/server.js';
import { ingestAll } from '../../src/ingest/ingest.js';
import { silentLogger } from '../../src/log.js';
import { launchChromium, SCREENSHOTS } from '../support/browser.js';
import { type FixtureServer, startServer } from '../support/http-fixture.js';
import { rssFeed } from '../admin/web-harness.js';

const PASSWORD = 'phone admin password 2026';
let dir: string;
let deps: Root;
let app: FastifyInstance;
let feed: FixtureServer;
let browser: Browser;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tidings-browser-'));
  const now = Date.now();
  feed = await startServer({
    '/cotton.xml': {
      headers: { 'content-type': 'application/rss+xml' },
      body: rssFeed([
        { title: 'Cotton futures rise on lower Texas yields', link: 'http://127.0.0.1/cotton-futures', date: new Date(now - 3_600_000) },
        { title: 'Spinning mills in Jiangsu add night shifts', link: 'http://127.0.0.1/jiangsu-mills', date: new Date(now - 7_200_000) },
      ]),
    },
  });
  const config = loadConfig({
    TIDINGS_DATA_DIR: dir,
    TIDINGS_PUBLIC_URL: 'http://127.0.0.1',
    FETCH_ALLOW: '127.0.0.1',
    ADMIN_PASSWORD_HASH: await hashPassword(PASSWORD),
  });
  deps = await createRoot(config, silentLogger());
  app = buildServer({ ...httpDeps(deps), admin: adminWebDeps(deps) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await deps?.close();
  await feed?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function noSidewaysScroll(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect({ name, fits: scrollWidth <= innerWidth, scrollWidth, innerWidth }).toEqual({ name, fits: true, scrollWidth, innerWidth });
}

it('runs a newsletter end to end from the admin pages, usable at 375 px', async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 800 } });

  await page.goto(`${base}/admin`);
  expect(page.url()).toBe(`${base}/admin/login`);
  await page.fill('#password', PASSWORD);
  await page.click('button:has-text("Log in")');
  await page.waitForSelector('h1:has-text("Dashboard")');

  await page.goto(`${base}/admin/newsletters/new`);
  await page.fill('#slug', 'cotton');
  await page.fill('#name', 'Cotton Daily');
  await page.fill('#cron', '0 8 * * *');
  await page.fill('#timezone', 'Asia/Shanghai');
  await page.click('button:has-text("Preview schedule")');
  const runs = await page.locator('#next-runs li').allTextContents();
  expect(runs).toHaveLength(5);
  for (const run of runs) expect(run).toMatch(/ 08:00 \+08:00 Asia\/Shanghai$/);
  await page.click('button:has-text("Create newsletter")');
  await page.waitForSelector('text=Saved.');
  expect(await page.locator('#next-runs li').first().textContent()).toContain('+08:00 Asia/Shanghai');

  await page.goto(`${base}/admin/sources`);
  await page.fill('#url', `${feed.url}/cotton.xml`);
  await page.click('button:has-text("Test fetch")');
  expect(await page.locator('#item-count').textContent()).toBe('2');
  expect(await page.locator('text=Spinning mills in Jiangsu add night shifts').count()).toBe(1);
  await page.click('button:has-text("Add this source")');
  await page.waitForSelector('text=Added source');
  const ingested = await ingestAll(ingestDeps(deps));
  expect(ingested.outcomes.map((o) => o.status)).toEqual(['ok']);

  await page.goto(`${base}/admin/subscribers`);
  await page.fill('#email', 'ann@example.org');
  await page.fill('#name', 'Ann');
  await page.click('button:has-text("Add subscriber")');
  await page.waitForSelector('text=cotton');
  expect(await page.locator('td:has-text("active")').count()).toBe(1);

  await page.goto(`${base}/admin/newsletters`);
  await page.click('a:has-text("Cotton Daily")');
  await page.click('button:has-text("Send now")');
  await page.waitForSelector('h1:has-text("Digest built")');
  const archiveHref = await page.locator('a:has-text("digest")').first().getAttribute('href');
  expect(archiveHref).toMatch(/^\/n\/cotton\/\d+$/);

  const progress = await sendPending(sendDeps(deps, deps.email()), { concurrency: 1, leaseMs: 60_000, maxAttempts: 3 });
  expect(progress.sent).toBe(1);

  await page.goto(`${base}/admin`);
  const row = page.locator('#digests tbody tr').first();
  const cells = await row.locator('td').allTextContents();
  expect(cells.slice(4)).toEqual(['1', '0', '0', '0']);
  await noSidewaysScroll(page, 'admin-dashboard-375.png');

  await page.goto(`${base}${archiveHref}`);
  await page.locator('a', { hasText: 'Cotton futures rise on lower Texas yields' }).first().waitFor();
  await noSidewaysScroll(page, 'digest-archive-375.png');
  await page.close();
}, 120_000);
