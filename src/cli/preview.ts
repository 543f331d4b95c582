import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { TelegramPart } from '../digest/render-telegram.js';
import { action, withDeps } from './context.js';
import { findNewsletter } from './newsletters.js';

interface PreviewOptions {
  out?: string;
  text?: boolean;
  telegram?: boolean;
}

export function formatTelegram(parts: readonly TelegramPart[]): string {
  return parts
    .map((p, i) => {
      const head = `--- Telegram message ${i + 1} of ${parts.length}`;
      return p.kind === 'photo' ? `${head} (photo ${p.photoUrl}) ---\n${p.captionHtml}` : `${head} ---\n${p.html}`;
    })
    .join('\n\n');
}

export function registerPreview(program: Command): void {
  program
    .command('preview <newsletter>')
    .description('Render the next digest of a newsletter (id or slug) as it would go out now, without recording it: no article is used up.')
    .option('-o, --out <file>', 'write the email HTML to this file (open it in a browser)')
    .option('--text', 'print the plain-text email')
    .option('--telegram', 'print the Telegram messages (HTML parse mode)')
    .action(
      action(async (key: string, o: PreviewOptions) => {
        await withDeps(async (deps) => {
          // Loaded here: building the command tree must not load the renderers.
          const [{ buildDigest }, { digestItems }, { personalize }, { digestDeps, senderInfo }, { archiveRecipient }] = await Promise.all([
            import('../digest/build.js'),
            import('../digest/model.js'),
            import('../digest/personalize.js'),
            import('../deps.js'),
            import('../http/archive.js'),
          ]);
          const newsletter = await findNewsletter(deps, key);
          const result = await buildDigest(digestDeps(deps), newsletter, deps.now(), { preview: true });
          if (result.status !== 'ready' || !result.model || !result.parts) {
            const since = result.window ? ` since ${result.window.start.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
            process.stdout.write(
              `Nothing new for ${newsletter.slug}: no article fetched${since} matches it, so there is no digest to preview. ` +
                'Run `tidings ingest` for fresh articles, or widen its filters with `tidings newsletters update`.\n',
            );
            return;
          }
          // The reader of the public copy: real links in place of the per-recipient placeholders.
          const copy = personalize(result.parts, archiveRecipient(senderInfo(deps.config)));
          const items = digestItems(result.model);
          // With content on stdout, the summary goes to stderr so the content can be piped.
          const contentOnStdout = !o.out || o.text || o.telegram;
          const info = (s: string) => (contentOnStdout ? process.stderr : process.stdout).write(`${s}\n`);
          info(`Preview of ${newsletter.name} (${newsletter.slug}): ${items.length} stories. Nothing was recorded.`);
          for (const [i, item] of items.entries()) info(`  ${i + 1}. ${item.title} — ${item.reasons.join('; ')}`);
          if (o.out) {
            const file = path.resolve(o.out);
            await mkdir(path.dirname(file), { recursive: true });
            await writeFile(file, copy.html);
            info(`Wrote the email HTML to ${file}`);
          }
          const blocks: string[] = [];
          if (o.text) blocks.push(`Subject: ${copy.subject}\n\n${copy.text}`);
          if (o.telegram) blocks.push(formatTelegram(result.parts.telegram as TelegramPart[]));
          if (!o.out && blocks.length === 0) blocks.push(copy.html);
          if (blocks.length) process.stdout.write(`${blocks.join('\n\n').trimEnd()}\n`);
        });
      }),
    );
}
