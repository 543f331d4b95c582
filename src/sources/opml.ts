// OPML: how feed readers exchange subscription lists. Page and text-dump sources round-trip
// through two extra attributes (tidingsKind, tidingsOptions) that other readers ignore.
import { Parser } from 'htmlparser2';
import type { SourceKind, SourceOptions } from './types.js';

export interface OpmlEntry {
  kind: SourceKind;
  url: string;
  name: string;
  category?: string;
  options: SourceOptions;
}

export interface OpmlParse {
  entries: OpmlEntry[];
  /**
   * Outlines that could not become a source, with why (shown to the admin, not dropped silently).
   * Whether a URL or path may be a source is the core's rule (src/core/sources.ts), not the parser's.
   */
  rejected: { line: string; reason: string }[];
}

const KINDS = new Set<SourceKind>(['feed', 'page', 'textdump']);

export function parseOpml(xml: string): OpmlParse {
  const entries: OpmlEntry[] = [];
  const rejected: OpmlParse['rejected'] = [];
  const folders: (string | undefined)[] = [];
  let sawOpml = false;
  const parser = new Parser(
    {
      onopentag(tagName, attrs) {
        const tag = tagName.toLowerCase();
        if (tag === 'opml') sawOpml = true;
        if (tag !== 'outline') return;
        const attr = new Map(Object.entries(attrs).map(([k, v]) => [k.toLowerCase(), v.trim()]));
        const a = (key: string) => attr.get(key) ?? '';
        const url = a('xmlurl') || (a('tidingskind') ? a('htmlurl') || a('url') : '');
        const name = a('title') || a('text') || url;
        if (!url) {
          folders.push(a('text') || a('title') || undefined);
          return;
        }
        folders.push(undefined);
        const kind = (a('tidingskind') || 'feed') as SourceKind;
        if (!KINDS.has(kind)) return void rejected.push({ line: name, reason: `unknown tidingsKind "${a('tidingskind')}"` });
        let options: SourceOptions = {};
        if (a('tidingsoptions')) {
          try {
            options = JSON.parse(a('tidingsoptions')) as SourceOptions;
          } catch {
            return void rejected.push({ line: name, reason: 'tidingsOptions is not valid JSON' });
          }
        }
        const category = [...folders].reverse().find((f) => f) ?? undefined;
        entries.push({ kind, url, name, category, options: category && !options.category ? { ...options, category } : options });
      },
      onclosetag(tagName) {
        if (tagName.toLowerCase() === 'outline') folders.pop();
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
  if (!sawOpml) rejected.push({ line: '(document)', reason: 'not an OPML document (no <opml> element)' });
  return { entries, rejected };
}

function escapeAttr(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\r\n\t]/g, ' ');
}

export function toOpml(sources: { kind: SourceKind; url: string; name: string; options: SourceOptions }[], now: Date): string {
  const lines = sources.map((s) => {
    const extra = s.kind === 'feed' ? '' : ` tidingsKind="${s.kind}"`;
    const opts = Object.keys(s.options).length ? ` tidingsOptions="${escapeAttr(JSON.stringify(s.options))}"` : '';
    const urlAttr = s.kind === 'feed' ? 'xmlUrl' : 'htmlUrl';
    return `    <outline type="${s.kind === 'feed' ? 'rss' : 'link'}" text="${escapeAttr(s.name)}" title="${escapeAttr(s.name)}" ${urlAttr}="${escapeAttr(s.url)}"${extra}${opts}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    `  <head><title>Tidings sources</title><dateCreated>${now.toUTCString()}</dateCreated></head>`,
    '  <body>',
    ...lines,
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}
