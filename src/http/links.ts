// The public links mails carry. Built in one place so the pages that answer them and the mails
// that carry them cannot drift apart. Tokens are base64url, safe in a query string as-is.
import type { TokenSigner } from '../subscribers/tokens.js';

const link = (publicUrl: string, path: string, token: string) => `${publicUrl.replace(/\/+$/, '')}${path}?token=${encodeURIComponent(token)}`;

export const unsubscribeUrl = (publicUrl: string, token: string) => link(publicUrl, '/unsubscribe', token);
export const preferencesUrl = (publicUrl: string, token: string) => link(publicUrl, '/preferences', token);
export const confirmUrl = (publicUrl: string, token: string) => link(publicUrl, '/confirm', token);

/** The per-recipient links of one subscription's mails. */
export function recipientLinks(tokens: TokenSigner, publicUrl: string, ids: { subscriptionId: number; subscriberId: number }): { unsubscribeUrl: string; preferencesUrl: string } {
  return {
    unsubscribeUrl: unsubscribeUrl(publicUrl, tokens.sign('unsubscribe', ids.subscriptionId)),
    preferencesUrl: preferencesUrl(publicUrl, tokens.sign('preferences', ids.subscriberId)),
  };
}
