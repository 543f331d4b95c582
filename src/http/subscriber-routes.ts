// Registers the subscriber pages (subscribe, confirm, unsubscribe, preferences) in their own
// encapsulated context: form body parsers and a CSP that lets forms post back to this site
// apply to these routes only, the archive keeps `form-action 'none'`.
import type { FastifyInstance } from 'fastify';
import { registerFormParsers } from './forms.js';
import type { PageDeps } from './page-kit.js';
import { registerPreferences } from './preferences.js';
import { FORM_CONTENT_SECURITY_POLICY } from './security.js';
import { registerSubscribe } from './subscribe.js';
import { registerUnsubscribe } from './unsubscribe.js';

export function registerSubscriberPages(app: FastifyInstance, deps: PageDeps): void {
  // Confirmation mails still being handed over; closing the server waits for them.
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  app.addHook('onClose', async () => {
    await Promise.allSettled([...inFlight]);
  });

  void app.register(async (pages) => {
    registerFormParsers(pages);
    pages.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', FORM_CONTENT_SECURITY_POLICY);
      return payload;
    });
    registerSubscribe(pages, deps, track);
    registerUnsubscribe(pages, deps);
    registerPreferences(pages, deps);
  });
}
