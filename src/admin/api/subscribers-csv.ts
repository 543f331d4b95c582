// CSV in and out, with the CLI's rules and report: POST /subscribers/import takes the file as a
// text/csv body (UTF-8, UTF-16 or GBK, sniffed as the CLI does); GET /subscribers/export streams
// email subscriptions a page at a time, so a large list never sits in memory.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { exportSubscriptions, SUBSCRIPTION_STATUSES } from '../../store/subscriber-lists.js';
import type { SubscriptionStatus } from '../../store/schema.js';
import { readCsv } from '../../subscribers/csv.js';
import { exportHeader, exportLine } from '../../subscribers/export.js';
import { importSubscribers } from '../../subscribers/import.js';
import { decodeText, type TextEncodingName } from '../../subscribers/text-stream.js';
import { type ApiDeps, changed, queryOf, textBody } from './context.js';
import { newsletterByKey } from './subscribers.js';

export const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'] as const;
const status = z.enum(SUBSCRIPTION_STATUSES as [string, ...string[]]);
const bool = z.enum(['true', 'false']).optional();
const importQuery = z.strictObject({
  newsletter: z.string({ error: 'give ?newsletter=<id or slug>: the newsletter to subscribe them to' }),
  status: z.enum(['active', 'pending']).default('active'),
  consentVersion: z.string().trim().max(100).optional(),
  dryRun: bool,
});
const exportQuery = z.strictObject({ newsletter: z.string().optional(), status: status.optional(), bom: bool });

async function* exportText(deps: ApiDeps, filter: { newsletterId?: number; status?: SubscriptionStatus }, bom: boolean): AsyncGenerator<string> {
  let buffered = (bom ? '\ufeff' : '') + exportHeader();
  for await (const s of exportSubscriptions(deps.db, filter)) {
    buffered += exportLine(s);
    if (buffered.length > 64 * 1024) {
      yield buffered;
      buffered = '';
    }
  }
  yield buffered;
}

export function registerSubscriberCsvRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.post('/subscribers/import', async (request) => {
    const q = queryOf(request, importQuery);
    const body = textBody(request, CSV_TYPES);
    const newsletter = await newsletterByKey(deps, q.newsletter, 'newsletter');
    let encoding: TextEncodingName = 'utf-8';
    const records = readCsv(decodeText(Readable.from([body]), (e) => (encoding = e)));
    const report = await importSubscribers({ db: deps.db, now: deps.now }, records, {
      newsletterId: newsletter.id,
      status: q.status,
      consentVersion: q.consentVersion || null,
      defaultLanguage: newsletter.language,
      dryRun: q.dryRun === 'true',
    });
    if (!report.dryRun && report.imported > 0) {
      await changed(deps, 'subscriber.import', `CSV import to ${newsletter.slug}: ${report.imported} imported (${q.status}), ${report.alreadySubscribed} already subscribed, ${report.rejected.length} rejected of ${report.rows} rows`);
    }
    return { ...report, encoding, newsletter: newsletter.slug };
  });

  api.get('/subscribers/export', async (request, reply) => {
    const q = queryOf(request, exportQuery);
    const newsletterId = q.newsletter === undefined ? undefined : (await newsletterByKey(deps, q.newsletter, 'newsletter')).id;
    const stream = Readable.from(exportText(deps, { newsletterId, status: q.status as SubscriptionStatus | undefined }, q.bom === 'true'));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="tidings-subscribers.csv"').send(stream);
  });
}
