// Importing subscribers from a CSV file: the header decides the columns, each row is checked
// (address, duplicates within the file, language, keywords), and valid rows are written in
// batches, one transaction each. Rows stream through: memory holds one batch, the addresses seen
// so far (to spot duplicates) and the report of rejected rows.
import type { Kysely } from 'kysely';
import type { Database, NewsletterLanguage } from '../store/schema.js';
import { type ImportCandidate, importBatch } from '../store/subscriber-import.js';
import { parseEmailAddress } from './address.js';
import { CsvError, type CsvRecord, uncell } from './csv.js';

export const IMPORT_COLUMNS = ['email', 'name', 'language', 'keywords'] as const;
type Column = (typeof IMPORT_COLUMNS)[number];

export const BATCH_ROWS = 500;
const MAX_NAME = 200;
const MAX_KEYWORDS = 50;
const MAX_KEYWORD_CHARS = 100;

/** The file as a whole cannot be imported (no header, no email column); nothing was written. */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';
}

export interface RejectedRow {
  row: number;
  /** The address as written in the file (cut to 100 characters). */
  email: string;
  reason: string;
}

export interface ImportReport {
  /** Data rows read (blank lines not counted). */
  rows: number;
  imported: number;
  alreadySubscribed: number;
  rejected: RejectedRow[];
  dryRun: boolean;
}

export interface ImportOptions {
  newsletterId: number;
  status: 'active' | 'pending';
  consentVersion: string | null;
  /** For rows without a language: the newsletter's. */
  defaultLanguage: NewsletterLanguage;
  dryRun: boolean;
  /** Called after each batch, for a progress line. */
  onBatch?: (report: ImportReport) => void;
}

/** Header names → column positions; the email column is required, unknown columns are ignored. */
export function headerColumns(header: CsvRecord): Partial<Record<Column, number>> {
  const out: Partial<Record<Column, number>> = {};
  header.fields.forEach((raw, i) => {
    const name = raw.trim().toLowerCase() as Column;
    if (!IMPORT_COLUMNS.includes(name)) return;
    if (out[name] !== undefined) throw new ImportFileError(`the header row names the column "${name}" twice`);
    out[name] = i;
  });
  if (out.email === undefined) {
    const found =
      header.fields
        .map((f) => f.trim())
        .filter(Boolean)
        .slice(0, 8)
        .join(', ') || 'nothing';
    throw new ImportFileError(`the header row has no "email" column (found: ${found}); the first row must name the columns, e.g. email,name,language,keywords`);
  }
  return out;
}

export function parseLanguage(raw: string): NewsletterLanguage | undefined {
  // "zh-CN", "zh_Hans", "EN-us": the primary subtag is what a digest can be written in.
  const primary = raw.trim().toLowerCase().split(/[-_]/)[0];
  return primary === 'en' || primary === 'zh' ? primary : undefined;
}

/** A name as stored: control characters (line breaks that could bend a header) become spaces. */
export function cleanName(raw: string): string | null {
  const s = uncell(raw)
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return s === '' ? null : s;
}

type Checked = { ok: true; candidate: ImportCandidate } | { ok: false; reason: string };

function checkRow(fields: string[], cols: Partial<Record<Column, number>>, opts: ImportOptions): Checked {
  const cell = (c: Column) => (cols[c] === undefined ? '' : (fields[cols[c]!] ?? ''));
  const rawEmail = uncell(cell('email').trim());
  if (rawEmail === '') return { ok: false, reason: 'no email address' };
  const address = parseEmailAddress(rawEmail);
  if (!address.ok) return { ok: false, reason: `invalid address: ${address.reason}` };
  const name = cleanName(cell('name'));
  if (name && name.length > MAX_NAME) return { ok: false, reason: `the name is longer than ${MAX_NAME} characters` };
  const rawLang = cell('language').trim();
  const language = rawLang === '' ? opts.defaultLanguage : parseLanguage(rawLang);
  if (!language) return { ok: false, reason: `language "${rawLang.slice(0, 20)}" is not supported: use en or zh` };
  const keywords = [
    ...new Set(
      uncell(cell('keywords'))
        .split(/[;；]/)
        .map((k) => k.trim())
        .filter(Boolean),
    ),
  ];
  if (keywords.length > MAX_KEYWORDS) return { ok: false, reason: `${keywords.length} keywords; at most ${MAX_KEYWORDS} are allowed` };
  if (keywords.some((k) => k.length > MAX_KEYWORD_CHARS)) return { ok: false, reason: `a keyword is longer than ${MAX_KEYWORD_CHARS} characters` };
  return { ok: true, candidate: { email: address.address, name, language, keywords } };
}

/** Reads every record (the first is the header), checks and writes the rows; returns the report. */
export async function importSubscribers(
  deps: { db: Kysely<Database>; now: () => Date },
  records: AsyncIterable<CsvRecord>,
  opts: ImportOptions,
): Promise<ImportReport> {
  const report: ImportReport = { rows: 0, imported: 0, alreadySubscribed: 0, rejected: [], dryRun: opts.dryRun };
  const firstRowOf = new Map<string, number>();
  let cols: Partial<Record<Column, number>> | undefined;
  let batch: { row: number; raw: string; candidate: ImportCandidate }[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const outcomes = await importBatch(
      deps.db,
      batch.map((b) => b.candidate),
      { newsletterId: opts.newsletterId, status: opts.status, consent: { source: 'import', version: opts.consentVersion }, dryRun: opts.dryRun },
      deps.now(),
    );
    outcomes.forEach((o, i) => {
      if (o.kind === 'imported') report.imported++;
      else if (o.kind === 'already') report.alreadySubscribed++;
      else report.rejected.push({ row: batch[i]!.row, email: batch[i]!.raw, reason: o.reason });
    });
    batch = [];
    opts.onBatch?.(report);
  };

  try {
    for await (const record of records) {
      if (!cols) {
        cols = headerColumns(record);
        continue;
      }
      report.rows++;
      const raw = (record.fields[cols.email!] ?? '').trim().slice(0, 100);
      const checked = checkRow(record.fields, cols, opts);
      if (!checked.ok) {
        report.rejected.push({ row: record.row, email: raw, reason: checked.reason });
        continue;
      }
      const first = firstRowOf.get(checked.candidate.email);
      if (first !== undefined) {
        report.rejected.push({ row: record.row, email: raw, reason: `duplicate of row ${first}` });
        continue;
      }
      firstRowOf.set(checked.candidate.email, record.row);
      batch.push({ row: record.row, raw, candidate: checked.candidate });
      if (batch.length >= BATCH_ROWS) await flush();
    }
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    // Rows before the damage are good: keep them, so fixing the file and importing it again
    // finishes the job (the rows already in count as already subscribed).
    await flush();
    const done = opts.dryRun ? 'checked' : `handled (${report.imported} imported)`;
    throw new ImportFileError(`${err.message}; the ${report.rows} rows before it were ${done}. Fix the file and import it again`);
  }
  if (!cols) throw new ImportFileError('the file is empty; its first row must be a header naming the columns, e.g. email,name,language,keywords');
  await flush();
  report.rejected.sort((a, b) => a.row - b.row);
  return report;
}
