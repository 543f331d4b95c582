// `tidings start --once` (and the first `tidings start` on an empty database): one pass of the
// whole pipeline — ingest, summarize, build each enabled newsletter's digest now, send what is
// owed — then the lines saying where to look at the result.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Deps, ingestDeps } from '../deps.js';
import type { Root } from '../main.js';
import { ingestAll } from '../ingest/ingest.js';
import { countArticles, listArticles } from '../store/articles.js';
import { addSource, listSources } from '../store/sources.js';
import { formatArticles } from './articles.js';
import { formatSummary } from './ingest.js';
import { startSending } from './start-send.js';
import { startDigests } from './start-digest.js';
import { formatSummarized, summarizeStored } from './summaries.js';

/** The bundled examples live beside src/, wherever the command is run from. */
const EXAMPLES = [
  { kind: 'feed' as const, file: '../../examples/feeds/industry-news.xml', name: 'Example: industry news feed' },
  { kind: 'textdump' as const, file: '../../examples/textdump', name: 'Example: crawler text dumps' },
];

async function addExamples(deps: Deps): Promise<string[]> {
  const added: string[] = [];
  for (const e of EXAMPLES) {
    const path = fileURLToPath(new URL(e.file, import.meta.url));
    if (!existsSync(path)) continue;
    const row = await addSource(
      deps.store.db,
      { kind: e.kind, url: path, name: e.name, intervalMinutes: deps.config.ingest.intervalMinutes, options: {} },
      deps.now(),
    );
    added.push(`${row.id} ${row.name}`);
  }
  return added;
}

/** No sources yet: the first run adds the bundled examples (and an example newsletter) so it shows something. */
export async function isFirstRun(deps: Deps): Promise<boolean> {
  return (await listSources(deps.store.db)).length === 0;
}

export async function runOnce(deps: Root, out: (line: string) => void, where: { webUrl?: string } = {}): Promise<void> {
  if (await isFirstRun(deps)) {
    const added = await addExamples(deps);
    if (added.length) out(`No sources yet: added the bundled examples (remove them with \`tidings sources remove <id> --yes\`):\n  ${added.join('\n  ')}\n`);
  }
  const summary = await ingestAll(ingestDeps(deps));
  out(formatSummary(summary));
  out(formatSummarized(await summarizeStored(deps)));
  const total = await countArticles(deps.store.db);
  out(`\nLatest articles (${total} stored in all):`);
  out(await formatArticles(deps.store.db, await listArticles(deps.store.db, { limit: 15 })));
  if (!(await startDigests(deps, out))) process.exitCode = 1;
  await startSending(deps, out);
  out(`Where to look:`);
  out(`  database   ${deps.config.databaseUrl.startsWith('postgres') ? '(PostgreSQL from DATABASE_URL)' : deps.config.databaseUrl}`);
  out('  articles   npx tidings articles [--search words] [--json]');
  out('  sources    npx tidings sources list');
  out('  digests    npx tidings newsletters list; npx tidings preview <slug> --out preview.html');
  out(`  archive    ${where.webUrl ? `${where.webUrl}/` : `npx tidings serve, then open ${deps.config.sender.publicUrl}/`}`);
  if (where.webUrl)
    out(
      `  admin      ${where.webUrl}/admin${deps.config.admin.passwordHash || deps.config.admin.token ? '' : ' (set a password first: npx tidings admin password)'}`,
    );
  if (!deps.config.email.smtpUrl) out(`  outbox     ${deps.config.email.outboxDir} (mails as .eml files; set SMTP_URL to send for real)`);
}
