// Response headers every archive response carries. The archive shows text from strangers (feed
// titles, summaries, LLM output) inside a stored email document, so the browser is told to run
// nothing, load nothing but images, and never sniff a type; escaping stays the first line of
// defence and the CSP the second.
import type { FastifyInstance } from 'fastify';

/** Scripts, frames, fonts, connections and plugins fall to default-src 'none'; emails need inline styles and remote images. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The subscriber pages post their own forms back to this site, and nowhere else. */
export const FORM_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("form-action 'none'", "form-action 'self'");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // Article links carry no trace of which digest or reader they came from.
  'referrer-policy': 'no-referrer',
  // For browsers that predate frame-ancestors.
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** Digests never change once ready; a day keeps caches useful while a retention delete still takes effect. */
export const CACHE_IMMUTABLE = 'public, max-age=86400';
/** Index pages and feeds gain an entry with each digest. */
export const CACHE_LISTING = 'public, max-age=300';
export const CACHE_NONE = 'no-store';

/** Adds the security headers to every response, errors and 404s included. */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', CACHE_NONE);
    return payload;
  });
}
