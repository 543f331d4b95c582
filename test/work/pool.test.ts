// The worker pool: results equal the in-process ones, a task past its deadline or over its heap
// is stopped with a message naming the limit, and the pool goes on serving with a fresh thread.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { normalizeItem } from '../../src/ingest/normalize.js';
import { parseFeed } from '../../src/sources/feed/parse.js';
import { createWorkPool, type WorkPool, workerEntry } from '../../src/work/pool.js';
import { capturingLogger } from '../support/log.js';

const small = `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https://ex.test/</link>
<item><title>Cotton &amp; yarn</title><link>https://ex.test/a/1</link><pubDate>Mon, 06 May 2024 08:00:00 +0800</pubDate></item></channel></rss>`;
const feedInput = (text: string) => ({ body: Buffer.from(text), url: 'https://ex.test/feed.xml' });

// Each pool boots its threads (about a second from source): tests share one where they can.
let shared: WorkPool;
beforeAll(() => {
  shared = createWorkPool({ size: 2, taskTimeoutMs: 10_000, maxHeapMb: 256, log: capturingLogger('warn').log });
});
afterAll(() => shared.close());

let own: WorkPool | undefined;
afterEach(async () => {
  await own?.close();
  own = undefined;
});

function start(over: { taskTimeoutMs?: number; maxHeapMb?: number }) {
  const captured = capturingLogger('warn');
  own = createWorkPool({ size: 1, taskTimeoutMs: over.taskTimeoutMs ?? 10_000, maxHeapMb: over.maxHeapMb ?? 256, log: captured.log });
  return { pool: own, logged: captured.text };
}

describe('the work pool', () => {
  it('gives what the parser gives in-process, Dates included', async () => {
    const pool = shared;
    const [a, b] = await Promise.all([pool.run('parseFeed', feedInput(small)), pool.run('parseFeed', feedInput(small))]);
    expect(a).toEqual(parseFeed(Buffer.from(small), { url: 'https://ex.test/feed.xml' }));
    expect(b.items[0]!.published).toBeInstanceOf(Date);
    expect(b.items[0]!.published!.toISOString()).toBe('2024-05-06T00:00:00.000Z');
  });

  it('normalizes items as ingest does in-process', async () => {
    const feed = parseFeed(
      Buffer.from(small.replace('<item>', '<item><description>&lt;p&gt;Mills bought &lt;b&gt;more&lt;/b&gt; yarn.&lt;/p&gt;</description>')),
      { url: 'https://ex.test/feed.xml' },
    );
    const ctx = {
      source: { id: 1, kind: 'feed' as const, url: 'https://ex.test/feed.xml', name: 'News', etag: null, lastModified: null, options: {} },
      documentUrl: 'https://ex.test/feed.xml',
      fetchedAt: new Date('2024-05-06T01:00:00Z'),
    };
    const drafts = await shared.run('normalizeItems', { items: feed.items, ctx });
    expect(drafts).toEqual(feed.items.map((item) => normalizeItem(item, ctx)));
    expect(drafts[0]).toMatchObject({ title: 'Cotton & yarn', text: 'Mills bought more yarn.' });
  });

  it('stops a task past its deadline with a message naming the limit, and serves the next one', async () => {
    const { pool, logged } = start({ taskTimeoutMs: 300 });
    await pool.run('parseFeed', feedInput(small));
    // Readability takes seconds on an 850 KB article of 10,000 paragraphs.
    const html = `<html><body><article>${'<p>Cotton prices rose again as mills <a href="/x">bought</a> more yarn.</p>'.repeat(10_000)}</article></body></html>`;
    const slow = pool.run('pageArticle', { body: Buffer.from(html), url: 'https://ex.test/a/1' });
    await expect(slow).rejects.toMatchObject({ name: 'WorkError', code: 'deadline' });
    await expect(slow).rejects.toThrow(/^extracting the article took longer than 0\.3 s and was stopped \(WORK_TASK_TIMEOUT_MS\)/);
    expect((await pool.run('parseFeed', feedInput(small))).items).toHaveLength(1);
    expect(logged()).toMatch(/a task passed its deadline/);
  });

  it('stops a task over the heap limit with a message naming it, and serves the next one', async () => {
    const { pool } = start({ maxHeapMb: 64 });
    const item = '<item><title>x</title><link>https://ex.test/a</link><description>cotton and yarn</description></item>';
    const huge = `<rss version="2.0"><channel><title>T</title>${item.repeat(200_000)}</channel></rss>`;
    const run = pool.run('parseFeed', feedInput(huge));
    await expect(run).rejects.toMatchObject({ name: 'WorkError', code: 'memory' });
    await expect(run).rejects.toThrow(/^parsing the feed needed more than 64 MB of memory and was stopped \(WORK_MAX_HEAP_MB\)/);
    expect((await pool.run('parseFeed', feedInput(small))).items).toHaveLength(1);
  });

  it('reads a tag with 100,000 attributes as its first 256', async () => {
    const pool = shared;
    const attrs = Array.from({ length: 100_000 }, (_, i) => ` a${i}="v"`).join('');
    const feed = await pool.run('parseFeed', feedInput(small.replace('<title>News</title>', `<title${attrs}>News</title>`)));
    expect(feed.bozoReason).toMatch(/more than 256 attributes in <title>/);
    expect(feed.feed.title).toBe('News');
  });

  it('passes a task’s own error back as an Error with its message', async () => {
    const pool = shared;
    const run = pool.run('pageListing', {
      body: Buffer.from('<html><body><a href="/a">a</a></body></html>'),
      url: 'https://ex.test/',
      linkSelector: 'a[',
      maxItems: 5,
    });
    await expect(run).rejects.toThrow(/linkSelector "a\[" is not a valid CSS selector/);
    expect((await pool.run('parseFeed', feedInput(small))).items).toHaveLength(1);
  });

  it('refuses an input that cannot cross to a thread, and serves the next task', async () => {
    const input = { title: 'x', text: 'Cotton rose.', lang: 'en', onDone: () => {} };
    await expect(shared.run('summarize', { input })).rejects.toThrow(/^summarizing the article: its input cannot be passed to a thread/);
    expect((await shared.run('summarize', { input: { title: 'x', text: 'Cotton rose.', lang: 'en' } })).text).toBe('Cotton rose.');
  });

  it('refuses tasks once closed', async () => {
    const { pool } = start({});
    await pool.close();
    await expect(pool.run('parseFeed', feedInput(small))).rejects.toMatchObject({ code: 'closed' });
  });
});

describe('workerEntry', () => {
  it('is worker.ts through tsx beside the source, worker.js beside a bundle', () => {
    expect(workerEntry('file:///app/src/work/pool.ts')).toEqual({ url: new URL('file:///app/src/work/worker.ts'), fromSource: true });
    expect(workerEntry('file:///app/dist/node/chunk-AB12.js')).toEqual({ url: new URL('file:///app/dist/node/worker.js'), fromSource: false });
  });
});
