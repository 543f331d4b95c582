// Signed tokens in the links we mail: unsubscribe (never expires: a link in a years-old digest
// must still work), preferences (never expires either), confirm (expires). A token is
// `<payload>.<mac>`, base64url; the MAC covers the purpose, so a token made for one purpose is
// worthless for another, and any change to the payload breaks it.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'unsubscribe' | 'preferences' | 'confirm' | 'telegram-link';

/** 128 bits of MAC: forging one is out of reach, and links stay short. */
const MAC_BYTES = 16;
export const MIN_SECRET_BYTES = 32;

export interface TokenSigner {
  sign(purpose: TokenPurpose, id: number, expiresAt?: Date): string;
  /** The id, or null for anything forged, swapped, expired, malformed or of another purpose. */
  verify(purpose: TokenPurpose, token: unknown, now: Date): number | null;
}

const b64 = (b: Buffer) => b.toString('base64url');

export function tokenSigner(secret: Buffer): TokenSigner {
  if (secret.length < MIN_SECRET_BYTES) throw new Error(`the token secret must be at least ${MIN_SECRET_BYTES} bytes`);
  const mac = (purpose: TokenPurpose, payload: string) => createHmac('sha256', secret).update(`tidings:${purpose}\0${payload}`).digest().subarray(0, MAC_BYTES);
  return {
    sign(purpose, id, expiresAt) {
      if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`cannot sign a token for id ${id}`);
      const payload = expiresAt ? `${id}.${Math.floor(expiresAt.getTime() / 1000)}` : `${id}`;
      return `${b64(Buffer.from(payload))}.${b64(mac(purpose, payload))}`;
    },
    verify(purpose, token, now) {
      if (typeof token !== 'string' || token.length > 200) return null;
      const m = /^([A-Za-z0-9_-]{1,60})\.([A-Za-z0-9_-]{22})$/.exec(token);
      if (!m) return null;
      const payload = Buffer.from(m[1]!, 'base64url').toString('latin1');
      const given = Buffer.from(m[2]!, 'base64url');
      if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(purpose, payload))) return null;
      const p = /^([1-9][0-9]{0,15})(?:\.([0-9]{1,12}))?$/.exec(payload);
      if (!p) return null;
      // Confirm and Telegram-link tokens must carry an expiry; the others must not (so one can't pose as another).
      if ((purpose === 'confirm' || purpose === 'telegram-link') !== (p[2] !== undefined)) return null;
      if (p[2] !== undefined && Number(p[2]) * 1000 < now.getTime()) return null;
      const id = Number(p[1]);
      return Number.isSafeInteger(id) ? id : null;
    },
  };
}
