// What the CLI prints about a source read: the documented JSON shape of `tidings sources test
// --json` (see README; dates as ISO-8601 UTC, absent values omitted, snake_case keys) and the text.
import type { Probe } from '../sources/probe.js';
import type { ParsedItem } from '../sources/types.js';
import { htmlToText } from '../ingest/text.js';
import { table, truncate } from './output.js';

type Json = Record<string, unknown>;

function compact(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

const iso = (d: Date | undefined) => (d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined);

export function itemJson(item: ParsedItem): Json {
  return compact({
    id: item.id,
    title: item.title,
    link: item.link,
    published: iso(item.published),
    updated: iso(item.updated),
    author: item.author,
    summary: item.summary,
    content_html: item.contentHtml,
    content_text: item.contentText ?? (item.contentHtml ? htmlToText(item.contentHtml) : undefined),
    categories: item.categories,
    enclosures: item.enclosures,
    image: item.image,
    lang: item.lang,
    navigation: item.navigation,
  });
}

export function probeJson(probe: Probe): Json {
  const f = probe.feed.feed;
  return {
    kind: probe.kind,
    encoding: probe.feed.encoding,
    bozo: probe.feed.bozo,
    ...(probe.feed.bozoReason ? { bozo_reason: probe.feed.bozoReason } : {}),
    feed: compact({
      title: f.title,
      link: f.link,
      id: f.id,
      language: f.language,
      subtitle: f.subtitle,
      rights: f.rights,
      published: iso(f.published),
      updated: iso(f.updated),
      author: f.author,
      image: f.image,
    }),
    items: probe.feed.items.map(itemJson),
  };
}

/** What `tidings sources test` prints for a person: the kind, the feed and a table of its items. */
export function probeText(probe: Probe): string {
  const f = probe.feed;
  const head = `${probe.kind} · ${f.format ?? ''} · ${f.encoding}${f.bozo ? ` · malformed but recovered (${f.bozoReason ?? ''})` : ''}\n`;
  const title = f.feed.title ? `${f.feed.title}${f.feed.link ? ` <${f.feed.link}>` : ''}\n` : '';
  const rows = f.items.map((i) => [
    i.published?.toISOString().slice(0, 16).replace('T', ' ') ?? '-',
    truncate(i.title ?? '(untitled)', 50),
    truncate(i.link ?? '', 60),
  ]);
  return `${head}${title}\n${table(['published', 'title', 'link'], rows)}\n\n${f.items.length} items.\n`;
}
