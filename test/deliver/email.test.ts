import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError, type EmailChannel } from '../../src/deliver/channel.js';
import { dkimSigner } from '../../src/deliver/dkim.js';
import { clientOptions, smtpChannel } from '../../src/deliver/email.js';
import { capturingLogger } from '../support/log.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';
import { DKIM_DOMAIN, DKIM_SELECTOR, delivery, digestContent, dkimKeys, headerValues, rawHeaders } from './fixtures.js';

let sink: SmtpSink;
let channel: EmailChannel | undefined;

beforeEach(async () => {
  sink = await startSmtpSink();
});
afterEach(async () => {
  await channel?.close();
  channel = undefined;
  await sink.close();
});

const open = (over: Partial<Parameters<typeof smtpChannel>[0]> = {}) => {
  channel = smtpChannel({ url: sink.url, connections: 3, ratePerSecond: 0, ...over });
  return channel;
};

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('smtpChannel at a local SMTP server', () => {
  it('delivers one digest to N subscribers: N messages, each with its own headers and envelope (acceptance 1)', async () => {
    const c = await digestContent();
    const ch = open();
    const n = 25;
    const outcomes = await Promise.all(
      Array.from({ length: n }, (_, i) => ch.send(c, delivery(i, { unsubscribeMailto: `mailto:u@news.example.org?subject=u-${i}` }))),
    );
    expect(outcomes.every((o) => o.response.startsWith('250'))).toBe(true);
    expect(sink.messages).toHaveLength(n);
    expect(sink.connections()).toBeLessThanOrEqual(3);
    for (let i = 0; i < n; i++) {
      const [m] = sink.to(`reader${i}@example.com`);
      expect(m, `reader${i}`).toBeDefined();
      expect(m!.to).toEqual([`reader${i}@example.com`]);
      expect(m!.from).toBe('news@news.example.org');
      const names = rawHeaders(m!.raw).map(([name]) => name);
      for (const h of ['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'List-Id', 'List-Unsubscribe', 'List-Unsubscribe-Post']) {
        expect(
          names.filter((x) => x === h),
          h,
        ).toHaveLength(1);
      }
      expect(headerValues(m!.raw, 'List-Unsubscribe')).toEqual([`<https://news.example.org/unsubscribe/tok-${i}>, <mailto:u@news.example.org?subject=u-${i}>`]);
      expect(headerValues(m!.raw, 'List-Unsubscribe-Post')).toEqual(['List-Unsubscribe=One-Click']);
      expect(m!.parsed!.messageId).toBe(`<42.${i}@news.example.org>`);
      expect(m!.parsed!.html).toContain(`https://news.example.org/unsubscribe/tok-${i}`);
      expect(m!.parsed!.text).toContain(`Reader ${i}`);
    }
  });

  it('signs with DKIM so that the signature verifies and covers both unsubscribe headers', async () => {
    const keys = dkimKeys();
    const ch = open({ dkim: dkimSigner({ domain: DKIM_DOMAIN, selector: DKIM_SELECTOR, privateKey: keys.privateKeyPem }) });
    await ch.send(await digestContent(), delivery(1));
    const [m] = sink.messages;
    const result = await dkimVerify(m!.raw, { resolver: keys.resolver });
    expect(result.results).toHaveLength(1);
    expect(result.results[0]!.status.result).toBe('pass');
    expect(result.results[0]!.signingDomain).toBe(DKIM_DOMAIN);
    const signature = headerValues(m!.raw, 'DKIM-Signature')[0]!.replace(/\s+/g, '');
    const h = /(?:^|;)h=([^;]+)/.exec(signature)![1]!.toLowerCase().split(':');
    expect(h).toEqual(expect.arrayContaining(['from', 'subject', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post']));
    // The verifier really checks: a changed unsubscribe header no longer passes.
    const tampered = Buffer.from(m!.raw.toString('latin1').replace('/unsubscribe/tok-1', '/unsubscribe/tok-2'), 'latin1');
    const bad = await dkimVerify(tampered, { resolver: keys.resolver });
    expect(bad.results[0]!.status.result).toBe('fail');
  });

  it('sends to the subscriber alone when the subject or name carries a Bcc line (acceptance 6)', async () => {
    const c = await digestContent({ from: { name: 'News\r\nBcc: x@example.com', address: 'news@news.example.org' } });
    const content = { ...c, rendered: { ...c.rendered, subject: 'Digest\r\nBcc: x@example.com' } };
    const r = delivery(1).recipient;
    await open().send(content, delivery(1, { recipient: { ...r, name: 'Eve\r\nBcc: x@example.com' } }));
    expect(sink.messages).toHaveLength(1);
    const [m] = sink.messages;
    expect(m!.to).toEqual(['reader1@example.com']);
    const names = rawHeaders(m!.raw).map(([n]) => n.toLowerCase());
    expect(names.filter((n) => n === 'subject')).toHaveLength(1);
    expect(names).not.toContain('bcc');
    expect(m!.parsed!.bcc).toBeUndefined();
    expect(m!.parsed!.subject).toBe('Digest Bcc: x@example.com');
  });

  it('maps refusals: 4xx transient, 5xx permanent, no-such-user suppresses', async () => {
    const c = await digestContent();
    const ch = open();
    sink.rejectRecipient('reader1@example.com', { code: 450, message: '4.2.1 Mailbox busy, try again in 30 seconds' });
    sink.rejectRecipient('reader2@example.com', { code: 550, message: '5.1.1 No such user' });
    sink.rejectRecipient('reader3@example.com', { code: 550, message: 'Recipient unknown' });
    sink.rejectData('reader4@example.com', { code: 550, message: '5.7.1 Message refused as spam' });
    sink.rejectData('reader5@example.com', { code: 451, message: '4.3.0 Local error' });

    const busy = await failure(ch.send(c, delivery(1)));
    expect(busy).toMatchObject({ permanent: false, code: 450, suppress: false, uncertain: false, retryAfterMs: 30_000 });
    const gone = await failure(ch.send(c, delivery(2)));
    expect(gone).toMatchObject({ permanent: true, code: 550, suppress: true });
    const unknown = await failure(ch.send(c, delivery(3)));
    expect(unknown).toMatchObject({ permanent: true, code: 550, suppress: true });
    const spam = await failure(ch.send(c, delivery(4)));
    expect(spam).toMatchObject({ permanent: true, code: 550, suppress: false });
    const local = await failure(ch.send(c, delivery(5)));
    expect(local).toMatchObject({ permanent: false, code: 451, suppress: false });
    // The connection survives refusals: a good recipient still goes through.
    await expect(ch.send(c, delivery(6))).resolves.toMatchObject({ response: expect.stringContaining('250') });
    expect(sink.messages.map((m) => m.to[0])).toEqual(['reader6@example.com']);
  });

  it('calls a connection lost after the data but before the reply uncertain, then sends again (acceptance 5)', async () => {
    const c = await digestContent();
    const ch = open({ connections: 1 });
    sink.dropAfterData('reader1@example.com');
    const lost = await failure(ch.send(c, delivery(1)));
    expect(lost).toMatchObject({ permanent: false, uncertain: true, suppress: false });
    expect(sink.to('reader1@example.com').map((m) => m.acknowledged)).toEqual([false]);
    await ch.send(c, delivery(1));
    const copies = sink.to('reader1@example.com');
    expect(copies.map((m) => m.acknowledged)).toEqual([false, true]);
    expect(copies.map((m) => m.parsed!.messageId)).toEqual(['<42.1@news.example.org>', '<42.1@news.example.org>']);
  });

  it('calls a refused connection transient and certain (nothing was sent)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    channel = smtpChannel({ url: `smtp://127.0.0.1:${port}`, connections: 1, ratePerSecond: 0 });
    const err = await failure(channel.send(await digestContent(), delivery(1)));
    expect(err).toMatchObject({ permanent: false, uncertain: false });
  });

  it('fails a message it cannot build permanently, before talking to the server', async () => {
    const err = await failure(open().send(await digestContent(), delivery(1, { to: 'victim@example.com\r\nRCPT TO:<x@example.com>' })));
    expect(err.permanent).toBe(true);
    expect(sink.connections()).toBe(0);
  });

  it('authenticates with the credentials in SMTP_URL and never logs them', async () => {
    const { log, text } = capturingLogger('trace');
    const url = sink.url.replace('smtp://', 'smtp://mailer:s3cr3t-pa55@');
    channel = smtpChannel({ url, connections: 1, ratePerSecond: 0, log });
    await channel.send(await digestContent(), delivery(1));
    sink.rejectRecipient('reader2@example.com', { code: 550, message: '5.1.1 No such user' });
    await failure(channel.send(await digestContent(), delivery(2)));
    expect(sink.auths).toEqual([{ username: 'mailer', password: 's3cr3t-pa55' }]);
    expect(text()).not.toContain('s3cr3t');
  });
});

describe('clientOptions', () => {
  it('passes connections and the rate limit to the client; 0 means unlimited; certificates checked by default', () => {
    const base = { url: 'smtp://127.0.0.1:2525', connections: 4, ratePerSecond: 0 };
    expect(clientOptions(base)).toMatchObject({
      url: base.url,
      connections: 4,
      ratePerSecond: 0,
      messagesPerConnection: 100,
      timeoutMs: 60_000,
      rejectUnauthorized: true,
    });
    expect(clientOptions({ ...base, connections: 2, ratePerSecond: 14, messagesPerConnection: 7, rejectUnauthorized: false })).toMatchObject({
      connections: 2,
      ratePerSecond: 14,
      messagesPerConnection: 7,
      rejectUnauthorized: false,
    });
  });
});
