// CSV in and out, as `subscribers import|export` do it: the import runs every row through the
// same checks (address, suppression list, duplicates, language) and records the consent given;
// the export streams, so a long list never sits in memory.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { formValue } from '../../http/forms.js';
import { getNewsletter } from '../../store/newsletters.js';
import type { NewsletterRow, SubscriptionStatus } from '../../store/schema.js';
import { exportSubscriptions, SUBSCRIPTION_STATUSES } from '../../store/subscriber-lists.js';
import { CsvError, readCsv } from '../../subscribers/csv.js';
import { exportHeader, exportLine } from '../../subscribers/export.js';
import { ImportFileError, type ImportReport, importSubscribers } from '../../subscribers/import.js';
import { decodeText } from '../../subscribers/text-stream.js';
import { uploadedFile } from './body.js';
import { auditChange, sendPage } from './context.js';
import { csrfField, h, table } from './layout.js';
import type { AdminDeps } from './types.js';

export const newsletterOptions = (newsletters: readonly NewsletterRow[]): string =>
  newsletters.map((n) => `<option value="${n.id}">${h(n.name)} (${h(n.slug)})</option>`).join('');

export function transferForms(csrf: string, newsletters: readonly NewsletterRow[]): string {
  const statuses = SUBSCRIPTION_STATUSES.map((s) => `<option value="${s}">${s}</option>`).join('');
  return (
    '<h2>Import CSV</h2><p class="meta">Columns: email (required), name, language, keywords. Suppressed addresses and bad rows are reported, not imported.</p>' +
    `<form method="post" action="/admin/subscribers/import" enctype="multipart/form-data">${csrfField(csrf)}` +
    `<label for="import-newsletter">Newsletter</label><select id="import-newsletter" name="newsletter">${newsletterOptions(newsletters)}</select>` +
    '<label for="import-status">Status</label><select id="import-status" name="status"><option value="active">active: they consented elsewhere</option><option value="pending">pending: they must confirm</option></select>' +
    '<label for="consent_version">Consent text version they agreed to (optional)</label><input type="text" id="consent_version" name="consent_version" maxlength="100">' +
    '<label for="csv">CSV file</label><input type="file" id="csv" name="csv" accept=".csv,text/csv">' +
    '<label for="csv_text">…or paste it</label><textarea id="csv_text" name="csv_text"></textarea>' +
    '<p class="checks"><label><input type="checkbox" name="dry_run"> Dry run: check and report, write nothing</label></p>' +
    '<p><button type="submit">Import</button></p></form>' +
    '<h2>Export CSV</h2><form method="get" action="/admin/subscribers.csv">' +
    `<label for="export-newsletter">Newsletter</label><select id="export-newsletter" name="newsletter"><option value="">all</option>${newsletterOptions(newsletters)}</select>` +
    `<label for="export-status">Status</label><select id="export-status" name="status"><option value="">any</option>${statuses}</select>` +
    '<p><button type="submit">Download CSV</button></p></form>'
  );
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

export function registerSubscriberCsv(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;

  app.post('/admin/subscribers/import', async (request, reply) => {
    const bytes = uploadedFile(request.body, 'csv') ?? Buffer.from(formValue(request.body, 'csv_text') ?? '', 'utf8');
    const newsletter = await getNewsletter(db, Number(formValue(request.body, 'newsletter')) || 0);
    const status = formValue(request.body, 'status') === 'pending' ? 'pending' : 'active';
    const consentVersion = (formValue(request.body, 'consent_version') ?? '').trim().slice(0, 100) || null;
    const dryRun = formValue(request.body, 'dry_run') === 'on';
    const back = '<p><a href="/admin/subscribers">Back to subscribers</a></p>';
    const problem = (text: string) => sendPage(request, reply, 'Import', `<h1>Import</h1>${back}`, { problem: text, status: 400 });
    if (!newsletter) return problem('Choose a newsletter to import into.');
    if (bytes.toString('utf8').trim() === '') return problem('Choose a CSV file or paste one.');
    let report: ImportReport;
    try {
      report = await importSubscribers({ db, now: deps.now }, readCsv(decodeText(once(bytes))), { newsletterId: newsletter.id, status, consentVersion, defaultLanguage: newsletter.language, dryRun });
    } catch (err) {
      if (!(err instanceof ImportFileError || err instanceof CsvError)) throw err;
      await auditChange(deps, request, 'subscribers.import', `${newsletter.slug}: refused, ${err.message}`, false);
      return problem(`The file cannot be imported: ${err.message}`);
    }
    const summary = `${dryRun ? 'Dry run, nothing written: would import' : 'Imported'} ${report.imported} to ${newsletter.slug}; ${report.alreadySubscribed} already subscribed, ${report.rejected.length} rejected (${report.rows} rows).`;
    if (!dryRun) await auditChange(deps, request, 'subscribers.import', `${summary} status ${status}`, report.imported > 0 || report.rejected.length === 0);
    const rejected = report.rejected.map((r) => [String(r.row), h(r.email || '(no address)'), h(r.reason)]);
    return sendPage(request, reply, 'Import', `<h1>Import</h1><p id="import-summary">${h(summary)}</p>${table(['Row', 'Address', 'Why rejected'], rejected, 'No row was rejected.')}${back}`);
  });

  app.get('/admin/subscribers.csv', async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const newsletter = q.newsletter ? await getNewsletter(db, Number(q.newsletter) || 0) : undefined;
    const status = SUBSCRIPTION_STATUSES.includes(q.status as SubscriptionStatus) ? (q.status as SubscriptionStatus) : undefined;
    if (q.newsletter && !newsletter) return sendPage(request, reply, 'Export', '<h1>Export</h1><p>There is no such newsletter.</p>', { status: 404 });
    await auditChange(deps, request, 'subscribers.export', `CSV${newsletter ? ` of ${newsletter.slug}` : ''}${status ? ` (${status})` : ''}`);
    async function* lines() {
      yield exportHeader();
      for await (const s of exportSubscriptions(db, { newsletterId: newsletter?.id, status })) yield exportLine(s);
    }
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="tidings-subscribers.csv"').send(Readable.from(lines()));
  });
}
