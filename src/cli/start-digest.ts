// `tidings start`'s digest step: the next digest of every enabled newsletter (slot = now), written
// as files a person can open, since nothing is mailed yet. On a database without newsletters an
// example one is added first, so the first `npm start` ends with a digest to look at.
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildDigest } from '../digest/build.js';
import { type Deps, senderInfo } from '../deps.js';
import type { Root } from '../main.js';
import { archiveDigestUrl, publicCopy } from '../http/archive.js';
import { getDigest, listDigests } from '../store/digests.js';
import { addNewsletter, listNewsletters } from '../store/newsletters.js';
import type { DigestRow, NewsletterRow } from '../store/schema.js';

export const EXAMPLE_NEWSLETTER = { slug: 'industry-news', name: 'Industry News', language: 'en' as const };

export function digestFile(dataDir: string, slug: string, digestId: number, ext: 'html' | 'txt'): string {
  return path.join(dataDir, 'digests', `${slug}-${digestId}.${ext}`);
}

/** Writes the digest's public copy (real links instead of placeholders); the HTML file's path. */
async function writeDigestFiles(deps: Deps, newsletter: NewsletterRow, row: DigestRow): Promise<string | null> {
  const copy = publicCopy(row, senderInfo(deps.config));
  if (!copy) return null;
  const html = digestFile(deps.config.dataDir, newsletter.slug, row.id, 'html');
  await mkdir(path.dirname(html), { recursive: true });
  await writeFile(html, copy.html);
  await writeFile(digestFile(deps.config.dataDir, newsletter.slug, row.id, 'txt'), copy.text);
  return html;
}

/** The HTML file of the newsletter's latest ready digest, written again if it was deleted. */
async function lastDigestFile(deps: Deps, newsletter: NewsletterRow): Promise<{ file: string; row: DigestRow } | null> {
  const [row] = await listDigests(deps.store.db, newsletter.id, { limit: 1, status: 'ready' });
  if (!row) return null;
  const file = digestFile(deps.config.dataDir, newsletter.slug, row.id, 'html');
  if (existsSync(file)) return { file, row };
  const written = await writeDigestFiles(deps, newsletter, row);
  return written ? { file: written, row } : null;
}

/** Builds and reports each enabled newsletter's digest; false when one of them failed. */
export async function startDigests(deps: Root, out: (line: string) => void): Promise<boolean> {
  const db = deps.store.db;
  if ((await listNewsletters(db)).length === 0) {
    const row = await addNewsletter(db, EXAMPLE_NEWSLETTER, deps.now());
    out(`No newsletters yet: added the example "${row.name}" (${row.slug}). Change it with \`tidings newsletters update ${row.slug} …\`.\n`);
  }
  let ok = true;
  const archive = (n: NewsletterRow, id: number) => `Archive: ${archiveDigestUrl(deps.config.sender.publicUrl, n.slug, id)} (served by \`npx tidings serve\`)`;
  for (const newsletter of await listNewsletters(db, { enabled: true })) {
    const result = await buildDigest(deps.build(), newsletter, deps.now());
    const row = result.status === 'ready' && result.digestId !== undefined ? await getDigest(db, result.digestId) : undefined;
    const file = row ? await writeDigestFiles(deps, newsletter, row) : null;
    if (row && file) {
      const count = (JSON.parse(row.article_ids) as unknown[]).length;
      out(`Digest ${row.id} of ${newsletter.name}: ${count} ${count === 1 ? 'story' : 'stories'}, "${row.subject}".`);
      out(`Open the digest: ${file}`);
      out(archive(newsletter, row.id));
    } else if (result.status === 'failed') {
      ok = false;
      out(`Digest of ${newsletter.name} FAILED: ${result.reason ?? 'unknown error'}`);
    } else {
      const why = result.status === 'not-owner' ? 'another run is building it right now' : 'nothing new since the last digest';
      const last = await lastDigestFile(deps, newsletter);
      out(`No new digest of ${newsletter.name}: ${why}.`);
      if (last) out(`Open the last digest (${last.row.id}): ${last.file}\n${archive(newsletter, last.row.id)}`);
    }
    out('');
  }
  return ok;
}
