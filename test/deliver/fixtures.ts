// Shared pieces for the email channel tests: one rendered digest, deliveries for N subscribers,
// a DKIM key pair with its DNS record served by a resolver stub (no DNS), and header helpers.
import { generateKeyPairSync } from 'node:crypto';
import { renderEmail } from '../../src/digest/render-email.js';
import type { EmailContent, EmailDelivery } from '../../src/deliver/channel.js';
import { model, SENDER } from '../digest/email-fixtures.js';

export const FROM = { name: 'Cotton Growers Association', address: 'news@news.example.org' };
export const LIST_ID = 'Cotton Daily <cotton-daily.news.example.org>';

export async function digestContent(over: Partial<EmailContent> = {}): Promise<EmailContent> {
  return { digestId: 42, rendered: await renderEmail(model(), SENDER), from: FROM, listId: LIST_ID, ...over };
}

export function delivery(i: number, over: Partial<EmailDelivery> = {}): EmailDelivery {
  return {
    deliveryId: 1000 + i,
    to: `reader${i}@example.com`,
    messageId: `<42.${i}@news.example.org>`,
    recipient: {
      name: `Reader ${i}`,
      unsubscribeUrl: `https://news.example.org/unsubscribe/tok-${i}`,
      preferencesUrl: `https://news.example.org/preferences/tok-${i}`,
    },
    ...over,
  };
}

export const DKIM_DOMAIN = 'news.example.org';
export const DKIM_SELECTOR = 'tidings2026';

/** A fresh RSA key: the PEM for DKIM_PRIVATE_KEY and a resolver answering its TXT record. */
export function dkimKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const name = `${DKIM_SELECTOR}._domainkey.${DKIM_DOMAIN}`;
  const resolver = async (query: string, type: string) => {
    if (query === name && type === 'TXT') return [[`v=DKIM1; k=rsa; p=${p}`]];
    throw Object.assign(new Error(`no record for ${query}`), { code: 'ENOTFOUND' });
  };
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), resolver };
}

/** The header block of a raw message, unfolded, as [name, value] pairs in order. */
export function rawHeaders(raw: Buffer | string): [string, string][] {
  const text = raw.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  return head
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')
    .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]);
}

export function headerValues(raw: Buffer | string, name: string): string[] {
  return rawHeaders(raw)
    .filter(([n]) => n.toLowerCase() === name.toLowerCase())
    .map(([, v]) => v);
}
