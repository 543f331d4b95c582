// The dashboard: when each enabled newsletter runs next (in its own zone), how the last digests
// went out, which sources fail or are paused, and the open alerts with a button to acknowledge.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { deliveryCounts } from '../../deliver/ledger.js';
import { acknowledgeAlert, listAlerts } from '../../store/alerts.js';
import { listNewsletters } from '../../store/newsletters.js';
import type { Database } from '../../store/schema.js';
import { nextSlots, validateSchedule } from '../../schedule/slots.js';
import { auditChange, idParam, notFound, sendPage, seeOther } from './context.js';
import { h, postButton, table, utc, wallTime } from './layout.js';
import { sessionOf } from './session.js';
import type { AdminDeps } from './types.js';

const RECENT_DIGESTS = 10;

function recentDigests(db: Kysely<Database>) {
  return db
    .selectFrom('digests')
    .innerJoin('newsletters', 'newsletters.id', 'digests.newsletter_id')
    .select(['digests.id', 'digests.slot_at', 'digests.status', 'digests.reason', 'digests.subject', 'newsletters.name', 'newsletters.slug'])
    .orderBy('digests.id', 'desc')
    .limit(RECENT_DIGESTS)
    .execute();
}

export function failingSources(db: Kysely<Database>) {
  return db
    .selectFrom('sources')
    .selectAll()
    .where((eb) => eb.or([eb('consecutive_failures', '>', 0), eb('enabled', '=', 0)]))
    .orderBy('id')
    .execute();
}

/** The next `n` runs as wall times in the newsletter's zone, or the reason there are none. */
export function upcoming(cron: string, timeZone: string, now: Date, n: number): { runs: string[]; problem?: string } {
  const problem = validateSchedule(cron, timeZone);
  if (problem) return { runs: [], problem };
  return { runs: nextSlots(cron, timeZone, now, n).map((d) => wallTime(d, timeZone)) };
}

export function registerDashboard(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;

  app.get('/admin', async (request, reply) => {
    const now = deps.now();
    const csrf = sessionOf(request).csrf;
    const newsletters = await listNewsletters(db, { enabled: true });
    const schedule = newsletters.map((n) => {
      const { runs, problem } = upcoming(n.cron, n.timezone, now, 3);
      const when = problem ? `<span class="error">${h(problem)}</span>` : `<ul class="runs">${runs.map((r) => `<li>${h(r)}</li>`).join('')}</ul>`;
      return [`<a href="/admin/newsletters/${n.id}">${h(n.name)}</a>`, `<code>${h(n.cron)}</code>`, when];
    });

    const digests = await recentDigests(db);
    const digestRows = [];
    for (const d of digests) {
      const c = await deliveryCounts(db, { digestId: d.id });
      const subject = d.status === 'ready' ? `<a href="/n/${encodeURIComponent(d.slug)}/${d.id}">${h(d.subject ?? `#${d.id}`)}</a>` : h(d.reason ?? '');
      digestRows.push([h(d.name), h(utc(d.slot_at)), h(d.status), subject, String(c.sent), String(c.failed), String(c.suppressed), String(c.pending + c.sending)]);
    }

    const sources = (await failingSources(db)).map((s) => [
      `<a href="/admin/sources#source-${s.id}">${h(s.name)}</a>`,
      s.enabled ? 'failing' : 'paused',
      String(s.consecutive_failures),
      h(s.enabled ? (s.last_error ?? '') : (s.paused_reason ?? '')),
      h(utc(s.last_fetched_at)),
    ]);

    const alerts = (await listAlerts(db, { limit: 50 })).map((a) => [h(utc(a.created_at)), h(a.kind), h(a.message), postButton(`/admin/alerts/${a.id}/ack`, 'Acknowledge', csrf, { style: 'secondary' })]);

    const body =
      '<h1>Dashboard</h1>' +
      '<h2>Open alerts</h2>' +
      table(['When', 'Kind', 'Message', ''], alerts, 'No open alerts.') +
      '<h2>Next runs</h2>' +
      table(['Newsletter', 'Schedule', 'Next runs (in its time zone)'], schedule, 'No enabled newsletter.') +
      '<h2>Last digests</h2>' +
      `<div id="digests">${table(['Newsletter', 'Slot', 'Status', 'Digest', 'Delivered', 'Failed', 'Suppressed', 'Pending'], digestRows, 'No digest yet.')}</div>` +
      '<h2>Failing sources</h2>' +
      table(['Source', 'State', 'Failures', 'Reason', 'Last fetch'], sources, 'Every source is healthy.');
    return sendPage(request, reply, 'Dashboard', body);
  });

  app.post('/admin/alerts/:id/ack', async (request, reply) => {
    const id = idParam(request);
    if (id === undefined) return notFound(request, reply, 'alert');
    const ok = await acknowledgeAlert(db, id, deps.now());
    await auditChange(deps, request, 'alert.acknowledge', `alert ${id}${ok ? '' : ' (already acknowledged or missing)'}`, ok);
    return seeOther(reply, '/admin');
  });
}
