// Subscriptions → CSV lines. The first four columns are the ones `subscribers import` reads, so
// an export imports again as it is; the rest (newsletter, status, consent record) are for the
// admin and are ignored by an import.
import type { ExportedSubscription } from '../store/subscriber-lists.js';
import { csvLine } from './csv.js';

export const EXPORT_COLUMNS = [
  'email',
  'name',
  'language',
  'keywords',
  'newsletter',
  'status',
  'consent_source',
  'consent_version',
  'subscribed_at',
  'confirmed_at',
] as const;

export function exportHeader(): string {
  return csvLine(EXPORT_COLUMNS);
}

/** Keywords as the import reads them: separated by semicolons. */
export function keywordCell(json: string): string {
  try {
    const list: unknown = JSON.parse(json);
    return Array.isArray(list) ? list.filter((k): k is string => typeof k === 'string').join('; ') : '';
  } catch {
    return '';
  }
}

export function exportLine(s: ExportedSubscription): string {
  return csvLine([
    s.email,
    s.name,
    s.language,
    keywordCell(s.keywords),
    s.newsletter_slug,
    s.status,
    s.consent_source,
    s.consent_version,
    s.subscribed_at,
    s.confirmed_at,
  ]);
}
