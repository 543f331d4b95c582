// CSV in and out for every front-end. The import checks each row (address, duplicates,
// language, keywords, suppression list) and records the consent given; the export streams in
// chunks, so a list of a million never sits in memory. Both are audited: an import changes the
// list, an export hands personal data out.
import type { NewsletterRow, SubscriptionStatus } from '../store/schema.js';
import { exportSubscriptions } from '../store/subscriber-lists.js';
import { CsvError, readCsv } from '../subscribers/csv.js';
import { exportHeader, exportLine } from '../subscribers/export.js';
import { ImportFileError, type ImportReport, importSubscribers as importRows } from '../subscribers/import.js';
import { decodeText, type TextEncodingName } from '../subscribers/text-stream.js';
import { recordAudit } from './audit.js';
import type { CoreContext } from './context.js';
import { invalid } from './errors.js';
import { findNewsletter } from './newsletters.js';
import { subscriptionStatus } from './subscribers.js';

const MAX_CONSENT_VERSION = 100;
const CHUNK_CHARS = 64 * 1024;

export interface ImportCsvInput {
  newsletter: string | number;
  /** The file's bytes as they come (UTF-8, UTF-16 with a BOM, or GBK: sniffed). */
  bytes: AsyncIterable<Buffer | string>;
  /** active (they consented elsewhere; the default) | pending (they must confirm). */
  status?: string;
  consentVersion?: string | null;
  dryRun?: boolean;
  /** After each batch, for a progress line. */
  onBatch?: (report: ImportReport) => void;
}

export interface ImportCsvResult extends ImportReport {
  newsletter: NewsletterRow;
  status: 'active' | 'pending';
  encoding: TextEncodingName;
}

/** "Imported 3 to weekly, 1 already subscribed, 0 rejected (4 rows)." — every front-end's summary. */
export function importSummary(r: ImportReport, slug: string): string {
  const counts = `${r.alreadySubscribed} already subscribed, ${r.rejected.length} rejected (${r.rows} rows)`;
  return r.dryRun ? `Dry run, nothing written: would import ${r.imported} to ${slug}, ${counts}.` : `Imported ${r.imported} to ${slug}, ${counts}.`;
}

/**
 * Subscribes every address of a CSV file to a newsletter. A file that cannot be read as a whole
 * (no header, no email column, broken quoting) is CoreError 'invalid'; rows before a break in the
 * file are kept, so importing the fixed file again finishes the job.
 */
export async function importSubscribersCsv(ctx: CoreContext, input: ImportCsvInput): Promise<ImportCsvResult> {
  const status = input.status ?? 'active';
  if (status !== 'active' && status !== 'pending')
    throw invalid(`The status of imported subscriptions must be active or pending, got "${status.slice(0, 40)}".`, 'status');
  const consentVersion = input.consentVersion?.trim() || null;
  if (consentVersion && consentVersion.length > MAX_CONSENT_VERSION)
    throw invalid(`The consent version is longer than ${MAX_CONSENT_VERSION} characters.`, 'consentVersion');
  const newsletter = await findNewsletter(ctx, input.newsletter);
  const dryRun = Boolean(input.dryRun);
  let encoding: TextEncodingName = 'utf-8';
  let report: ImportReport;
  try {
    report = await importRows(ctx, readCsv(decodeText(input.bytes, (e) => (encoding = e))), {
      newsletterId: newsletter.id,
      status,
      consentVersion,
      defaultLanguage: newsletter.language,
      dryRun,
      onBatch: input.onBatch,
    });
  } catch (err) {
    if (!(err instanceof ImportFileError || err instanceof CsvError)) throw err;
    if (!dryRun) await recordAudit(ctx, 'subscribers.import', `${newsletter.slug}: refused, ${err.message}`, false);
    throw invalid(`The file cannot be imported: ${err.message}`, 'file');
  }
  // A dry run changes nothing, so it leaves no audit row; a run that only rejected rows is a failure.
  if (!dryRun)
    await recordAudit(
      ctx,
      'subscribers.import',
      `${importSummary(report, newsletter.slug)} Status ${status}.`,
      report.imported > 0 || report.rejected.length === 0,
    );
  return { ...report, newsletter, status, encoding };
}

export interface ExportCsvInput {
  newsletter?: string | number;
  status?: string;
  /** Start with a UTF-8 byte order mark, so Excel shows Chinese names correctly. */
  bom?: boolean;
}

/**
 * The email subscriptions matching the filter as CSV text, in chunks of about 64 KB. Checked and
 * audited before the first chunk, so a bad filter fails before anything is sent. `written()`:
 * the subscriptions in the chunks taken so far.
 */
export async function exportSubscribersCsv(
  ctx: CoreContext,
  input: ExportCsvInput = {},
): Promise<{ newsletter?: NewsletterRow; chunks: AsyncGenerator<string>; written: () => number }> {
  const status: SubscriptionStatus | undefined = input.status === undefined || input.status === '' ? undefined : subscriptionStatus(input.status);
  const newsletter = input.newsletter === undefined || input.newsletter === '' ? undefined : await findNewsletter(ctx, input.newsletter);
  await recordAudit(ctx, 'subscribers.export', `CSV${newsletter ? ` of ${newsletter.slug}` : ''}${status ? ` (${status})` : ''}`);
  const { db } = ctx;
  let written = 0;
  async function* chunks(): AsyncGenerator<string> {
    let buffered = (input.bom ? '\ufeff' : '') + exportHeader();
    for await (const s of exportSubscriptions(db, { newsletterId: newsletter?.id, status })) {
      buffered += exportLine(s);
      written++;
      if (buffered.length > CHUNK_CHARS) {
        yield buffered;
        buffered = '';
      }
    }
    yield buffered;
  }
  return { newsletter, chunks: chunks(), written: () => written };
}
