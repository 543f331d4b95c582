// The admin web UI under /admin: server-rendered pages and plain forms, no script. Registered in
// its own encapsulated context, so its body parsers (uploads up to 10 MB), its guard and its
// form-posting CSP apply to these routes only.
import type { FastifyInstance } from 'fastify';
import { FORM_CONTENT_SECURITY_POLICY } from '../../http/security.js';
import { registerAuth } from './auth.js';
import { registerAdminParsers } from './body.js';
import { registerDashboard } from './dashboard.js';
import { registerGuard } from './guard.js';
import { registerNewsletterActions } from './newsletter-actions.js';
import { registerNewsletters } from './newsletters.js';
import { registerSources } from './sources.js';
import { registerSourcesOpml } from './sources-opml.js';
import { registerSubscriberCsv } from './subscribers-csv.js';
import { registerSubscribers } from './subscribers.js';
import type { AdminDeps } from './types.js';

export type { AdminDeps, AdminWebOptions } from './types.js';

// The digest preview keeps the archive's policy (set for every response in http/security.ts).
const PREVIEW_ROUTE = '/admin/newsletters/:id/preview';

export function registerAdminWeb(app: FastifyInstance, deps: AdminDeps): void {
  void app.register(async (admin) => {
    registerAdminParsers(admin);
    admin.addHook('onSend', async (request, reply, payload) => {
      if (request.routeOptions.url !== PREVIEW_ROUTE) reply.header('content-security-policy', FORM_CONTENT_SECURITY_POLICY);
      return payload;
    });
    registerGuard(admin, deps);
    registerAuth(admin, deps);
    registerDashboard(admin, deps);
    registerNewsletters(admin, deps);
    registerNewsletterActions(admin, deps);
    registerSources(admin, deps);
    registerSourcesOpml(admin, deps);
    registerSubscribers(admin, deps);
    registerSubscriberCsv(admin, deps);
  });
}
