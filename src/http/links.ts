// The public addresses of the subscriber pages, as mails carry them. The token is the only
// thing in the URL: it names one subscription (unsubscribe, confirm) or one subscriber
// (preferences), and its MAC covers the purpose, so one link cannot be used as another.
import type { TokenSigner } from '../subscribers/tokens.js';

const base = (publicUrl: string) => publicUrl.replace(/\/+$/, '');
const withToken = (publicUrl: string, path: string, token: string) => `${base(publicUrl)}${path}?token=${encodeURIComponent(token)}`;

/** The List-Unsubscribe URL and footer link; POST to it is the RFC 8058 one-click. */
export const unsubscribeUrl = (publicUrl: string, token: string): string => withToken(publicUrl, '/unsubscribe', token);
export const preferencesUrl = (publicUrl: string, token: string): string => withToken(publicUrl, '/preferences', token);
export const confirmUrl = (publicUrl: string, token: string): string => withToken(publicUrl, '/confirm', token);
export const subscribeUrl = (publicUrl: string, slug?: string): string =>
  slug ? `${base(publicUrl)}/n/${encodeURIComponent(slug)}/subscribe` : `${base(publicUrl)}/subscribe`;

/**
 * The unsubscribe and preferences links of one recipient: unsubscribe tokens carry the
 * subscription id, preferences tokens the subscriber id. Neither expires: a link in a digest
 * from years ago must still work.
 */
export function recipientLinks(
  tokens: TokenSigner,
  publicUrl: string,
  ids: { subscriptionId: number; subscriberId: number },
): { unsubscribeUrl: string; preferencesUrl: string } {
  return {
    unsubscribeUrl: unsubscribeUrl(publicUrl, tokens.sign('unsubscribe', ids.subscriptionId)),
    preferencesUrl: preferencesUrl(publicUrl, tokens.sign('preferences', ids.subscriberId)),
  };
}

/** A confirm link for one pending subscription, valid until now + ttlMs. */
export function confirmLink(tokens: TokenSigner, publicUrl: string, subscriptionId: number, now: Date, ttlMs: number): string {
  return confirmUrl(publicUrl, tokens.sign('confirm', subscriptionId, new Date(now.getTime() + ttlMs)));
}
