// The documented JSON shape of `tidings sources test --json` (see README): dates as ISO-8601
// UTC, absent values omitted, snake_case keys.
import type { Probe } from '../sources/probe.js';
import type { ParsedItem } from '../sources/types.js';
import { htmlToText } from '../ingest/text.js';

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
