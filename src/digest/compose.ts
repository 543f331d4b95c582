// Selected articles → the DigestModel every renderer consumes. Pure: no store, no clock. Values
// stay untrusted text (renderers escape them); only links and images are narrowed to http(s),
// because an escaped `javascript:` URL is still a working link.
import type { NewsletterRow } from '../store/schema.js';
import { cutAtWord, segmenter } from '../ingest/text.js';
import { t } from '../i18n/index.js';
import type { DigestItem, DigestModel, DigestSection } from './model.js';
import type { SelectedItem } from './select.js';

export const SUMMARY_FALLBACK_CHARS = 300;

// A line break between two Chinese sentences becomes nothing, not a space.
const CJK_GAP = /([\p{Script=Han}\u3000-\u303f\uff00-\uffef])\s+(?=[\p{Script=Han}\u3000-\u303f\uff00-\uffef])/gu;

export type NewsletterForCompose = Pick<NewsletterRow, 'id' | 'slug' | 'name' | 'language' | 'timezone' | 'sections'>;

export interface ComposeOptions {
  slotAt: Date;
  archiveUrl: string | null;
}

/** The URL when it is an absolute http(s) URL, else null. */
export function httpUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/**
 * The opening of a text, whole sentences up to about `max` characters. A first sentence longer
 * than that is cut at a word boundary (any character for Chinese) and ends with "…".
 */
export function excerpt(text: string, lang: string, max = SUMMARY_FALLBACK_CHARS): string {
  const flat = text.replace(CJK_GAP, '$1').replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  // Segmenting only the head keeps a 100 KB article from costing more than a short one.
  const head = flat.slice(0, max * 2);
  let out = '';
  for (const { segment: sentence } of segmenter(lang, 'sentence').segment(head)) {
    if ((out + sentence).trimEnd().length > max) break;
    out += sentence;
  }
  out = out.trim();
  return out || cutAtWord(flat, max);
}

function toItem(s: SelectedItem): DigestItem {
  const a = s.article;
  return {
    articleId: a.id,
    title: a.title,
    url: httpUrl(a.url),
    source: { id: a.sourceId, name: a.sourceName },
    publishedAt: a.publishedAt,
    lang: a.lang,
    category: a.category,
    summary: a.summary?.trim() || excerpt(a.text, a.lang),
    imageUrl: httpUrl(a.imageUrl),
    alsoReportedBy: s.alsoReportedBy.map((r) => ({ name: r.name, url: httpUrl(r.url) })),
    reasons: [...s.reasons],
  };
}

/**
 * Sections by category when the newsletter asks for them, ordered by their best-ranked item,
 * with uncategorized items under "Other" last; otherwise one untitled section.
 */
export function composeDigest(newsletter: NewsletterForCompose, selected: readonly SelectedItem[], opts: ComposeOptions): DigestModel {
  const items = selected.map(toItem);
  const language = newsletter.language;
  let sections: DigestSection[];
  if (newsletter.sections !== 1) {
    sections = items.length ? [{ title: null, items }] : [];
  } else {
    // Case-insensitive grouping: "Markets" and "markets" are one section, titled as first seen.
    const groups = new Map<string, DigestSection>();
    const other: DigestItem[] = [];
    const otherTitle = t(language, 'digest.otherSection');
    for (const item of items) {
      const title = item.category?.trim();
      if (!title) {
        other.push(item);
        continue;
      }
      const key = title.normalize('NFKC').toLowerCase();
      if (key === otherTitle.toLowerCase()) {
        other.push(item);
        continue;
      }
      const group = groups.get(key);
      if (group) group.items.push(item);
      else groups.set(key, { title, items: [item] });
    }
    sections = [...groups.values()];
    if (other.length) sections.push({ title: otherTitle, items: other });
  }
  return {
    newsletter: { id: newsletter.id, slug: newsletter.slug, name: newsletter.name, language },
    slotAt: opts.slotAt,
    timeZone: newsletter.timezone,
    sections,
    archiveUrl: opts.archiveUrl,
  };
}
