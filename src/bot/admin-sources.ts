// /sources (list, add, pause, resume, remove, import) and /stats for Telegram admins: parse the
// command, call the core, present the answer. The rules and the audit row are the core's; a
// CoreError reaches the dispatcher, which replies with its message.
import type { Context } from 'telegraf';
import * as core from '../core/sources.js';
import { importOpml, importSummary, type OpmlImportResult } from '../core/sources-opml.js';
import { adminStats } from '../core/stats.js';
import { invalid } from '../core/errors.js';
import { escapeHtml as e } from '../digest/telegram-html.js';
import type { SourceRow } from '../store/schema.js';
import { fitLines } from './admin-commands.js';
import { type Turn, actorOf, clip } from './turn.js';

const USAGE =
  'Usage: /sources, /sources add URL, /sources pause ID, /sources resume ID, /sources remove ID [articles], or /sources import with an OPML file attached (or in reply to one)';
/** An OPML reading list is kilobytes; Telegram lets bots download up to 20 MB. */
const MAX_OPML_BYTES = 2 * 1024 * 1024;

function health(r: SourceRow): string {
  if (!r.enabled) return `PAUSED${r.paused_reason ? `: ${clip(r.paused_reason, 60)}` : ''}`;
  return r.consecutive_failures > 0 ? `FAILING ×${r.consecutive_failures}` : (r.last_status ?? 'new');
}

export async function sources(turn: Turn, args: string): Promise<void> {
  const ctx = { db: turn.deps.db, now: turn.deps.now, log: turn.deps.log, actor: actorOf(turn), ...turn.deps.sources };
  const [sub = '', arg = '', extra = ''] = args.trim().split(/\s+/);
  switch (sub.toLowerCase()) {
    case '':
    case 'list': {
      const rows = await core.listSources(ctx);
      const lines = rows.map((r) => `<code>${r.id}</code> ${e(r.kind)} <b>${e(clip(r.name, 40))}</b> — ${e(health(r))}`);
      return void (await turn.reply(rows.length ? fitLines(`<b>Sources</b> (${rows.length})`, lines) : 'No sources yet. /sources add URL'));
    }
    case 'add': {
      if (!arg) return void (await turn.reply('Usage: /sources add https://example.org/feed.xml'));
      const { source } = await core.addSource(ctx, { url: arg });
      return void (await turn.reply(
        `Added source <code>${source.id}</code> (${e(source.kind)}) <b>${e(clip(source.name, 80))}</b>. It is fetched at the next ingest.`,
      ));
    }
    case 'pause':
    case 'resume': {
      if (!arg) return void (await turn.reply(`Usage: /sources ${sub} ID (see /sources for ids).`));
      const row = sub === 'pause' ? await core.pauseSource(ctx, arg) : await core.resumeSource(ctx, arg);
      return void (await turn.reply(`Source <code>${row.id}</code> <b>${e(clip(row.name, 80))}</b> ${sub === 'pause' ? 'paused' : 'resumed'}.`));
    }
    case 'remove': {
      if (!arg) return void (await turn.reply('Usage: /sources remove ID, or /sources remove ID articles to delete its stored articles too.'));
      const r = await core.removeSource(ctx, arg, { withArticles: extra.toLowerCase() === 'articles' });
      return void (await turn.reply(
        `Removed source <code>${r.source.id}</code> <b>${e(clip(r.source.name, 80))}</b>${r.articles ? ` and its ${r.articles} articles` : ''}.`,
      ));
    }
    case 'import': {
      const xml = await attachedDocument(turn);
      return void (await turn.reply(importReply(await importOpml(ctx, { xml }))));
    }
    default:
      return void (await turn.reply(USAGE));
  }
}

interface TelegramDocument {
  file_id: string;
  file_name?: string;
  file_size?: number;
}

/** The OPML file sent with the command as its caption, or the one the command replies to. */
async function attachedDocument(turn: Turn): Promise<string> {
  const message = turn.ctx.message as { document?: TelegramDocument; reply_to_message?: { document?: TelegramDocument } } | undefined;
  const doc = message?.document ?? message?.reply_to_message?.document;
  if (!doc) throw invalid('Send the OPML file with /sources import as its caption, or reply /sources import to the file.');
  if ((doc.file_size ?? 0) > MAX_OPML_BYTES)
    throw invalid(`That file is over ${MAX_OPML_BYTES / 1024 / 1024} MB; an OPML reading list is much smaller. Export it again, or split it.`);
  return download(turn.ctx, doc.file_id, turn.deps.redact);
}

/** Through the Bot API's file route; its URL carries the bot token, so no error may quote it. */
async function download(ctx: Context, fileId: string, redact: (s: string) => string): Promise<string> {
  try {
    const link = await ctx.telegram.getFileLink(fileId);
    const res = await fetch(link, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`the file download answered ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > MAX_OPML_BYTES) throw new Error('the file is too large');
    return body.toString('utf8');
  } catch (err) {
    throw invalid(`Could not download the file from Telegram (${redact(err instanceof Error ? err.message : String(err))}); send it again.`);
  }
}

function importReply(r: OpmlImportResult): string {
  const rejected = r.outcomes.filter((o) => o.outcome === 'rejected').map((o) => `• ${e(clip(o.name, 60))}: ${e(clip(o.reason ?? '', 160))}`);
  return fitLines(e(importSummary(r)), rejected);
}

export async function stats(turn: Turn): Promise<void> {
  const s = await adminStats({ db: turn.deps.db });
  const subLines = s.subscriptions.map((x) => `${e(x.channel)} ${e(x.status)}: ${x.count}`);
  const digestLines = s.lastDigests.map(
    (d) =>
      `<code>${e(d.slug)}</code> digest ${d.digestId} (${e(d.slotAt.slice(0, 16).replace('T', ' '))}): ${
        Object.entries(d.states)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'no deliveries'
      }`,
  );
  const sourceLines = s.failingSources.map(
    (x) =>
      `<code>${x.id}</code> ${e(clip(x.name, 40))}: ${x.enabled ? `failing ×${x.consecutive_failures}${x.last_error ? ` (${e(clip(x.last_error, 80))})` : ''}` : 'paused'}`,
  );
  const lines = [
    ...(subLines.length ? subLines : ['none']),
    '',
    '<b>Last digests</b>',
    ...(digestLines.length ? digestLines : ['none yet']),
    '',
    '<b>Failing sources</b>',
    ...(sourceLines.length ? sourceLines : ['none']),
  ];
  await turn.reply(fitLines('<b>Subscriptions</b>', lines));
}
