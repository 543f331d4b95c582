import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { buildRenderer, POSTAL_ADDRESS_PLACEHOLDER, senderInfo } from '../src/deps.js';
import type { DigestModel } from '../src/digest/model.js';
import type { NewsletterRow } from '../src/store/schema.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const model: DigestModel = {
  newsletter: { id: 1, slug: 'cotton', name: 'Cotton Daily', language: 'en' },
  slotAt: new Date('2026-11-24T08:00:00.000Z'),
  timeZone: 'UTC',
  archiveUrl: 'https://news.example.org/n/cotton/7',
  sections: [
    {
      title: null,
      items: [
        {
          articleId: 1,
          title: 'Mills stock up on cotton',
          url: 'https://wire.example.com/1',
          source: { id: 1, name: 'Wire' },
          publishedAt: new Date('2026-11-24T06:00:00.000Z'),
          lang: 'en',
          category: null,
          summary: 'Spinning mills rebuilt inventories.',
          imageUrl: null,
          alsoReportedBy: [],
          reasons: ['ranked 1 of 1'],
        },
      ],
    },
  ],
};

describe('the digest renderer wired from config', () => {
  it('renders email with the configured sender and Telegram parts, and links the archive under the public URL', async () => {
    const config = loadConfig({
      TIDINGS_PUBLIC_URL: 'https://news.example.org/',
      TIDINGS_ORGANIZATION: 'Cotton Growers',
      TIDINGS_POSTAL_ADDRESS: '12 Mill Street',
    });
    const { render, archiveUrl } = buildRenderer(config);
    const parts = await render(model);
    expect(parts.subject).toBe('Cotton Daily — 24 November 2026: Mills stock up on cotton');
    expect(parts.html).toContain('12 Mill Street');
    expect(parts.html).toContain('Cotton Growers');
    expect(parts.html).toContain('%%tidings.unsubscribe_url%%');
    expect(parts.text).toContain('Spinning mills rebuilt inventories.');
    expect(parts.telegram).toEqual([expect.objectContaining({ kind: 'text', html: expect.stringContaining('<b>Cotton Daily</b>') })]);
    const newsletter = { slug: 'cotton' } as NewsletterRow;
    expect(archiveUrl?.({ newsletter, digestId: 7, slotAt: model.slotAt })).toBe('https://news.example.org/n/cotton/7');
  });

  it('shows a placeholder postal address until one is configured, and links the local server by default', () => {
    const sender = senderInfo(loadConfig({ HTTP_PORT: '9090' }));
    expect(sender).toEqual({ organization: 'Tidings', postalAddress: POSTAL_ADDRESS_PLACEHOLDER, publicUrl: 'http://127.0.0.1:9090' });
    const { archiveUrl } = buildRenderer(loadConfig({ HTTP_PORT: '9090' }));
    expect(archiveUrl?.({ newsletter: { slug: 'cotton' } as NewsletterRow, digestId: 3, slotAt: model.slotAt })).toBe('http://127.0.0.1:9090/n/cotton/3');
  });

  it("uses the user's templates directory, falling back to the bundled files", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-templates-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'subject.hbs'), 'Today in {{newsletter.name}}');
    const { render } = buildRenderer(loadConfig({ TIDINGS_TEMPLATES_DIR: dir }));
    const parts = await render(model);
    expect(parts.subject).toBe('Today in Cotton Daily');
    expect(parts.html).toContain('Mills stock up on cotton');
  });
});
