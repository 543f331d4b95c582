// The digest as plain data: what selection produces and every renderer (email, Telegram, web
// archive) consumes. Renderers never read the store; everything they show is in here, and every
// string in here is untrusted text (titles and summaries come from the sources or an LLM) that
// the renderer must escape for its own output format.

import type { Lang } from '../i18n/index.js';

export interface DigestSource {
  id: number;
  name: string;
}

export interface DigestItem {
  articleId: number;
  title: string;
  /** The article's link (canonical when known); null for text dumps without one. */
  url: string | null;
  source: DigestSource;
  publishedAt: Date;
  lang: string;
  category: string | null;
  /** Plain text, sentences joined by spaces (or nothing, for Chinese). */
  summary: string;
  /** http(s) only; null when none. */
  imageUrl: string | null;
  /** Other outlets that carried the same story (same cluster), shown as "also reported by …". */
  alsoReportedBy: { name: string; url: string | null }[];
  /** Why selection included it, e.g. ["matches keyword \"cotton\"", "3 sources"]; shown in previews. */
  reasons: string[];
}

export interface DigestSection {
  /** null: the digest has no sections (one flat list). */
  title: string | null;
  items: DigestItem[];
}

export interface DigestModel {
  newsletter: {
    id: number;
    slug: string;
    name: string;
    language: Lang;
  };
  /** The schedule slot this digest belongs to. */
  slotAt: Date;
  /** The time zone dates are shown in (the newsletter's). */
  timeZone: string;
  sections: DigestSection[];
  /** Public web address of this digest in the archive, when a public URL is configured. */
  archiveUrl: string | null;
}

/** Per-recipient values, filled into an already rendered digest (never a re-render). */
export interface Recipient {
  name: string | null;
  unsubscribeUrl: string;
  preferencesUrl: string;
}

/** Sender details every email footer carries (CAN-SPAM / bulk-sender rules). */
export interface SenderInfo {
  organization: string;
  postalAddress: string;
  /** Base URL of the public web pages, e.g. https://news.example.org */
  publicUrl: string;
}

export function digestItems(model: DigestModel): DigestItem[] {
  return model.sections.flatMap((s) => s.items);
}
