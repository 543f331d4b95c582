import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tokenSigner } from '../../src/subscribers/tokens.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const signer = tokenSigner(Buffer.alloc(32, 7));

describe('tokens', () => {
  it('round-trips, and an unsubscribe token from 400 days ago still works', () => {
    const t = signer.sign('unsubscribe', 42);
    expect(signer.verify('unsubscribe', t, NOW)).toBe(42);
    expect(signer.verify('unsubscribe', t, new Date(NOW.getTime() + 400 * 86_400_000))).toBe(42);
    expect(signer.verify('preferences', signer.sign('preferences', 9), NOW)).toBe(9);
  });

  it('refuses forged, swapped, cross-purpose, other-key, expired and garbage tokens alike', () => {
    const t = signer.sign('unsubscribe', 42);
    const [payload, mac] = t.split('.') as [string, string];
    const other = signer.sign('unsubscribe', 43);
    const confirm = signer.sign('confirm', 42, new Date(NOW.getTime() + 3_600_000));
    const bad = [
      `${Buffer.from('43').toString('base64url')}.${mac}`, // forged id
      `${payload}.${other.split('.')[1]}`, // swapped MACs
      `${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      tokenSigner(randomBytes(32)).sign('unsubscribe', 42),
      '',
      'garbage',
      '.',
      `${payload}.`,
      `${t}.x`,
      'x'.repeat(5000),
      undefined,
      42,
      { token: t },
    ];
    for (const b of bad) expect(signer.verify('unsubscribe', b, NOW)).toBeNull();
    // Cross-purpose both ways.
    expect(signer.verify('confirm', t, NOW)).toBeNull();
    expect(signer.verify('unsubscribe', confirm, NOW)).toBeNull();
    expect(signer.verify('preferences', t, NOW)).toBeNull();
    // Confirm tokens expire.
    expect(signer.verify('confirm', confirm, NOW)).toBe(42);
    expect(signer.verify('confirm', confirm, new Date(NOW.getTime() + 3_600_001 + 1000))).toBeNull();
  });

  it('needs a secret of at least 32 bytes', () => {
    expect(() => tokenSigner(Buffer.alloc(31))).toThrow(/at least 32 bytes/);
  });
});
