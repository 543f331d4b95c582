import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { TelegramPart } from '../digest/render-telegram.js';
import { action, coreContext, withDeps } from './context.js';

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
          const [{ previewNewsletter }, { buildRenderer, senderInfo }] = await Promise.all([import('../core/newsletter-preview.js'), import('../deps.js')]);
          const preview = await previewNewsletter({ ...coreContext(deps), render: buildRenderer(deps.config).render, sender: senderInfo(deps.config) }, key);
          const { newsletter } = preview;
          if (preview.status === 'empty') {
            const since = preview.window ? ` since ${preview.window.start.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
            process.stdout.write(
              `Nothing new for ${newsletter.slug}: no article fetched${since} matches it, so there is no digest to preview. ` +
                'Run `tidings ingest` for fresh articles, or widen its filters with `tidings newsletters update`.\n',
            );
            return;
          }
          // With content on stdout, the summary goes to stderr so the content can be piped.
          const contentOnStdout = !o.out || o.text || o.telegram;
          const info = (s: string) => (contentOnStdout ? process.stderr : process.stdout).write(`${s}\n`);
          info(`Preview of ${newsletter.name} (${newsletter.slug}): ${preview.items.length} stories. Nothing was recorded.`);
          for (const [i, item] of preview.items.entries()) info(`  ${i + 1}. ${item.title} — ${item.reasons.join('; ')}`);
          if (o.out) {
            const file = path.resolve(o.out);
            await mkdir(path.dirname(file), { recursive: true });
            await writeFile(file, preview.html);
            info(`Wrote the email HTML to ${file}`);
          }
          const blocks: string[] = [];
          if (o.text) blocks.push(`Subject: ${preview.subject}\n\n${preview.text}`);
          if (o.telegram) blocks.push(formatTelegram(preview.telegram));
          if (!o.out && blocks.length === 0) blocks.push(preview.html);
          if (blocks.length) process.stdout.write(`${blocks.join('\n\n').trimEnd()}\n`);
        });
      }),
    );
}
