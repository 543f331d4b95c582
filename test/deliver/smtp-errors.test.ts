import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/deliver/channel.js';
import { deliveryError } from '../../src/deliver/smtp-errors.js';

const reply = (responseCode: number, response: string, command = 'RCPT TO') => ({
  code: 'EENVELOPE',
  responseCode,
  response,
  command,
  message: `x: ${response}`,
});

describe('deliveryError', () => {
  it('suppresses only when the reply says the mailbox itself is bad', () => {
    expect(deliveryError(reply(550, '550 5.1.1 <a@b.c>: Recipient address rejected: User unknown'), false).suppress).toBe(true);
    expect(deliveryError(reply(553, '553 5.1.3 Bad recipient address syntax'), false).suppress).toBe(true);
    expect(deliveryError(reply(550, '550 5.2.1 Mailbox disabled'), false).suppress).toBe(true);
    expect(deliveryError(reply(551, '551 User not local'), false).suppress).toBe(true);
    expect(deliveryError(reply(550, '550 5.7.1 Service unavailable; client host blocked'), false).suppress).toBe(false);
    expect(deliveryError(reply(550, '550 Blocked by policy'), false).suppress).toBe(false);
    expect(deliveryError(reply(550, '550 Message rejected', 'DATA'), false).suppress).toBe(false);
    expect(deliveryError(reply(552, '552 5.2.2 Mailbox full'), false)).toMatchObject({ permanent: true, suppress: false });
  });

  it('treats 4xx and 503 as transient and reads a retry hint', () => {
    expect(deliveryError(reply(421, '421 4.7.0 Try again in 5 minutes'), false)).toMatchObject({ permanent: false, code: 421, retryAfterMs: 300_000 });
    expect(deliveryError(reply(451, '451 Greylisted'), false)).toMatchObject({ permanent: false, retryAfterMs: undefined });
    expect(deliveryError(reply(503, '503 Bad sequence of commands'), false)).toMatchObject({ permanent: false });
  });

  it('calls a broken connection uncertain only once the whole message had gone out', () => {
    const lost = { code: 'ECONNECTION', message: 'Connection closed unexpectedly', command: 'CONN' };
    expect(deliveryError(lost, true)).toMatchObject({ permanent: false, uncertain: true });
    expect(deliveryError(lost, false)).toMatchObject({ permanent: false, uncertain: false });
    expect(deliveryError({ code: 'ETIMEDOUT', message: 'Timeout' }, true)).toMatchObject({ permanent: false, uncertain: true });
    // Refusals that hit every message alike are the operator's to fix, not the subscriber's fault.
    expect(deliveryError({ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Authentication failed', command: 'AUTH PLAIN' }, false)).toMatchObject({
      permanent: false,
      suppress: false,
    });
    expect(deliveryError(reply(553, '553 5.7.1 Sender address rejected', 'MAIL FROM'), false)).toMatchObject({ permanent: false, suppress: false });
    const same = new DeliveryError('x', { permanent: true });
    expect(deliveryError(same, false)).toBe(same);
  });
});
