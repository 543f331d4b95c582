// DKIM signing of built messages, for the SMTP channel and the outbox alike (the same bytes go
// to both). Header canonicalization and the signed field list are nodemailer's own signer: its
// default list covers List-Id, List-Unsubscribe and List-Unsubscribe-Post, as RFC 8058 requires
// for one-click unsubscribe. The body hash is taken here directly: buildMessage's body is
// base64 parts in CRLF lines with no trailing or repeated spaces, which is already its relaxed
// canonical form, so no canonicalizing stream is needed.
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import sign from 'nodemailer/lib/dkim/sign';
import type { BuiltMessage } from './mime.js';

export interface DkimSettings {
  domain: string;
  selector: string;
  /** PEM text of the RSA private key. */
  privateKey: string;
}

/** Returns the DKIM-Signature header (folded lines joined by CRLF, without a final CRLF). */
export type DkimSigner = (message: BuiltMessage) => string;

/** Headers the signature must cover; signing fails loudly rather than send mail without them. */
export const REQUIRED_SIGNED = ['from', 'list-unsubscribe', 'list-unsubscribe-post'];

/** A bad key is reported here, once at start, not as a silently unsigned message per recipient. */
export function dkimSigner(settings: DkimSettings): DkimSigner {
  let key: KeyObject;
  try {
    key = createPrivateKey(settings.privateKey);
  } catch {
    throw new Error('DKIM private key: not a PEM private key (check DKIM_PRIVATE_KEY or DKIM_PRIVATE_KEY_FILE)');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`DKIM private key: expected an RSA key, got ${key.asymmetricKeyType}`);
  const options = { domainName: settings.domain, keySelector: settings.selector, privateKey: key };
  return (message) => {
    const bodyHash = createHash('sha256').update(message.body, 'latin1').digest('base64');
    const signature = sign(message.headers, 'sha256', bodyHash, options);
    if (!signature) throw new Error('DKIM signing failed');
    const covered =
      /\bh=([^;]*)/
        .exec(signature.replace(/\r\n\s*/g, ''))?.[1]
        ?.toLowerCase()
        .split(':') ?? [];
    const missing = REQUIRED_SIGNED.filter((h) => !covered.includes(h));
    if (missing.length) throw new Error(`DKIM signature does not cover ${missing.join(', ')}`);
    return signature;
  };
}

/**
 * DMARC's relaxed alignment, approximately: the From domain and the signing domain are the same
 * or one is a subdomain of the other. Without it receivers see a valid but useless signature.
 */
export function dkimAligned(fromAddress: string, domain: string): boolean {
  const from = fromAddress.slice(fromAddress.lastIndexOf('@') + 1).toLowerCase();
  const d = domain.toLowerCase();
  return from === d || from.endsWith(`.${d}`) || d.endsWith(`.${from}`);
}
