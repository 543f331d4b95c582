// CSV in and out through the core (subscribers-csv.ts): the import runs every row through the
// same checks (address, suppression list, duplicates, language) and records the consent given;
// the export streams, so a long list never sits in memory.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { isCoreError } from '../../core/errors.js';
import { exportSubscribersCsv, importSubscribersCsv, importSummary } from '../../core/subscribers-csv.js';
import { formValue } from '../../http/forms.js';
import type { NewsletterRow } from '../../store/schema.js';
import { SUBSCRIPTION_STATUSES } from '../../store/subscriber-lists.js';
import { uploadedFile } from './body.js';
import { coreContext, problemOf, sendPage } from './context.js';
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

export function registerSubscriberCsv(app: FastifyInstance, deps: AdminDeps): void {
  app.post('/admin/subscribers/import', async (request, reply) => {
    const bytes = uploadedFile(request.body, 'csv') ?? Buffer.from(formValue(request.body, 'csv_text') ?? '', 'utf8');
    const back = '<p><a href="/admin/subscribers">Back to subscribers</a></p>';
    if (bytes.toString('utf8').trim() === '')
      return sendPage(request, reply, 'Import', `<h1>Import</h1>${back}`, { problem: 'Choose a CSV file or paste one.', status: 400 });
    const input = {
      newsletter: formValue(request.body, 'newsletter') ?? '',
      status: formValue(request.body, 'status') ?? undefined,
      consentVersion: formValue(request.body, 'consent_version') ?? null,
      dryRun: formValue(request.body, 'dry_run') === 'on',
      bytes: Readable.from([bytes]),
    };
    try {
      const report = await importSubscribersCsv(coreContext(deps, request), input);
      const summary = importSummary(report, report.newsletter.slug);
      const rejected = report.rejected.map((r) => [String(r.row), h(r.email || '(no address)'), h(r.reason)]);
      return sendPage(
        request,
        reply,
        'Import',
        `<h1>Import</h1><p id="import-summary">${h(summary)}</p>${table(['Row', 'Address', 'Why rejected'], rejected, 'No row was rejected.')}${back}`,
      );
    } catch (err) {
      if (!isCoreError(err)) throw err;
      return sendPage(request, reply, 'Import', `<h1>Import</h1>${back}`, problemOf(err));
    }
  });

  app.get('/admin/subscribers.csv', async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    try {
      const { chunks } = await exportSubscribersCsv(coreContext(deps, request), { newsletter: text(q.newsletter), status: text(q.status) });
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="tidings-subscribers.csv"').send(Readable.from(chunks));
    } catch (err) {
      if (!isCoreError(err)) throw err;
      return sendPage(request, reply, 'Export', '<h1>Export</h1><p><a href="/admin/subscribers">Back to subscribers</a></p>', problemOf(err));
    }
  });
}
