// The dashboard: when each enabled newsletter runs next (in its own zone), how the last digests
// went out, which sources fail or are paused, and the open alerts with a button to acknowledge.
import type { FastifyInstance } from 'fastify';
import { acknowledgeAlert, listAlerts } from '../../core/alerts.js';
import { isCoreError } from '../../core/errors.js';
import { adminStats, recentDigestStats } from '../../core/stats.js';
import { listNewsletters } from '../../store/newsletters.js';
import { nextSlots, validateSchedule } from '../../schedule/slots.js';
import { coreContext, idParam, notFound, sendPage, seeOther } from './context.js';
import { h, postButton, table, utc, wallTime } from './layout.js';
import { sessionOf } from './session.js';
import type { AdminDeps } from './types.js';

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

    const [digests, stats] = await Promise.all([recentDigestStats(deps), adminStats(deps)]);
    const digestRows = [];
    for (const d of digests) {
      const c = d.deliveries;
      const subject = d.status === 'ready' ? `<a href="/n/${encodeURIComponent(d.slug)}/${d.id}">${h(d.subject ?? `#${d.id}`)}</a>` : h(d.reason ?? '');
      digestRows.push([
        h(d.name),
        h(utc(d.slot_at)),
        h(d.status),
        subject,
        String(c.sent),
        String(c.failed),
        String(c.suppressed),
        String(c.pending + c.sending),
      ]);
    }

    const sources = stats.failingSources.map((s) => [
      `<a href="/admin/sources#source-${s.id}">${h(s.name)}</a>`,
      s.enabled ? 'failing' : 'paused',
      String(s.consecutive_failures),
      h(s.enabled ? (s.last_error ?? '') : (s.paused_reason ?? '')),
      h(utc(s.last_fetched_at)),
    ]);

    const alerts = (await listAlerts(deps, { limit: 50 })).map((a) => [
      h(utc(a.created_at)),
      h(a.kind),
      h(a.message),
      postButton(`/admin/alerts/${a.id}/ack`, 'Acknowledge', csrf, { style: 'secondary' }),
    ]);

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
    try {
      await acknowledgeAlert(coreContext(deps, request), id);
    } catch (err) {
      if (!isCoreError(err)) throw err;
      if (err.code === 'not_found') return notFound(request, reply, 'alert');
      // Already acknowledged (by another admin, or a second click): the dashboard shows it gone either way.
      if (err.code !== 'conflict') throw err;
    }
    return seeOther(reply, '/admin');
  });
}
