import { describe, expect, it } from 'vitest';
import { parseBounceReport } from '../../src/subscribers/bounce-formats.js';

// Shapes as the providers document them, trimmed to what matters here.
const SES_PERMANENT = {
  notificationType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [{ emailAddress: 'Ann@Example.org', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
    timestamp: '2026-11-24T07:00:00.000Z',
    feedbackId: '0102015fd91a6479',
  },
  mail: { timestamp: '2026-11-24T06:59:58.000Z', source: 'news@example.org', messageId: '0102015fd91a5ca3', destination: ['ann@example.org'] },
};

const snsEnvelope = (message: unknown) => ({
  Type: 'Notification',
  MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
  TopicArn: 'arn:aws:sns:eu-west-1:123456789012:ses-bounces',
  Message: JSON.stringify(message),
  Timestamp: '2026-11-24T07:00:01.000Z',
  SignatureVersion: '1',
  Signature: 'EXAMPLE',
});

describe('parseBounceReport', () => {
  it('reads the generic format, one event or an array', () => {
    expect(parseBounceReport({ type: 'hard-bounce', email: 'A@Example.ORG', reason: '550\r\nBcc: x', at: '2026-11-24T07:00:00Z' })).toEqual({
      ok: true,
      ignored: 0,
      events: [{ type: 'hard-bounce', email: 'a@example.org', reason: '550 Bcc: x', at: new Date('2026-11-24T07:00:00Z') }],
    });
    const many = parseBounceReport([
      { type: 'soft-bounce', email: 'b@example.org' },
      { type: 'complaint', email: 'c@example.org' },
    ]);
    expect(many.ok && many.events.map((e) => [e.type, e.email, e.at])).toEqual([
      ['soft-bounce', 'b@example.org', null],
      ['complaint', 'c@example.org', null],
    ]);
  });

  it('reads Amazon SES bounces and complaints, bare or in an SNS envelope', () => {
    const hard = parseBounceReport(snsEnvelope(SES_PERMANENT));
    expect(hard).toMatchObject({ ok: true, events: [{ type: 'hard-bounce', email: 'ann@example.org', reason: 'smtp; 550 5.1.1 user unknown' }] });
    const transient = parseBounceReport({ ...SES_PERMANENT, bounce: { ...SES_PERMANENT.bounce, bounceType: 'Transient', bounceSubType: 'MailboxFull' } });
    expect(transient).toMatchObject({ ok: true, events: [{ type: 'soft-bounce' }] });
    const complaint = parseBounceReport(
      snsEnvelope({
        notificationType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: 'bo@example.org' }], timestamp: '2026-11-24T07:05:00.000Z', complaintFeedbackType: 'abuse' },
        mail: { messageId: 'x' },
      }),
    );
    expect(complaint).toMatchObject({ ok: true, events: [{ type: 'complaint', email: 'bo@example.org', reason: 'abuse' }] });
    expect(parseBounceReport({ notificationType: 'Delivery', delivery: {}, mail: {} })).toEqual({ ok: true, events: [], ignored: 1 });
    const confirm = parseBounceReport({
      Type: 'SubscriptionConfirmation',
      SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc',
    });
    expect(confirm).toMatchObject({ ok: true, events: [], snsSubscribeUrl: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc' });
  });

  it('reads Mailgun and Postmark webhooks', () => {
    const signature = { timestamp: '1795849200', token: 'abc', signature: 'def' };
    const failed = (severity: string) => ({
      signature,
      'event-data': {
        event: 'failed',
        severity,
        recipient: 'cy@example.org',
        timestamp: 1795849200.5,
        'delivery-status': { code: 550, description: 'No such mailbox' },
      },
    });
    expect(parseBounceReport(failed('permanent'))).toMatchObject({
      ok: true,
      events: [{ type: 'hard-bounce', email: 'cy@example.org', reason: 'No such mailbox', at: new Date(1795849200500) }],
    });
    expect(parseBounceReport(failed('temporary'))).toMatchObject({ ok: true, events: [{ type: 'soft-bounce' }] });
    expect(parseBounceReport({ signature, 'event-data': { event: 'complained', recipient: 'cy@example.org' } })).toMatchObject({
      ok: true,
      events: [{ type: 'complaint' }],
    });
    expect(parseBounceReport({ signature, 'event-data': { event: 'delivered', recipient: 'cy@example.org' } })).toEqual({ ok: true, events: [], ignored: 1 });

    const postmark = (Type: string, RecordType = 'Bounce') => ({
      RecordType,
      Type,
      TypeCode: 1,
      Email: 'di@example.org',
      BouncedAt: '2026-11-24T07:00:00Z',
      Description: 'The server was unable to deliver',
    });
    expect(parseBounceReport(postmark('HardBounce'))).toMatchObject({ ok: true, events: [{ type: 'hard-bounce', email: 'di@example.org' }] });
    expect(parseBounceReport(postmark('Transient'))).toMatchObject({ ok: true, events: [{ type: 'soft-bounce' }] });
    expect(parseBounceReport(postmark('SpamComplaint', 'SpamComplaint'))).toMatchObject({ ok: true, events: [{ type: 'complaint' }] });
    expect(parseBounceReport(postmark('AutoResponder'))).toEqual({ ok: true, events: [], ignored: 1 });
  });

  it('explains in one line what is wrong with a malformed report', () => {
    const errors = [
      parseBounceReport('text'),
      parseBounceReport([]),
      parseBounceReport({ type: 'bounce', email: 'a@example.org' }),
      parseBounceReport({ type: 'hard-bounce' }),
      parseBounceReport({ type: 'hard-bounce', email: 'not-an-address' }),
      parseBounceReport({ type: 'hard-bounce', email: 'a@example.org', at: 'yesterday' }),
      parseBounceReport([{ type: 'complaint', email: 'a@example.org' }, { hello: 1 }]),
      parseBounceReport({ Type: 'Notification', Message: '{oops' }),
      parseBounceReport({ ...SES_PERMANENT, bounce: { bounceType: 'Permanent' } }),
    ];
    for (const e of errors) {
      expect(e.ok).toBe(false);
      if (!e.ok) expect(e.error).not.toContain('\n');
    }
    expect(errors[6]).toEqual({ ok: false, error: 'event 2: not a bounce report (expected {type, email} or an SES, Mailgun or Postmark payload)' });
    expect(errors[3]).toEqual({ ok: false, error: 'event: the email address is missing' });
  });
});
