import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { simpleParser } from 'mailparser';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/deliver/channel.js';
import { dkimSigner } from '../../src/deliver/dkim.js';
import { smtpChannel } from '../../src/deliver/email.js';
import { outboxChannel, outboxPath } from '../../src/deliver/outbox.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';
import { DKIM_DOMAIN, DKIM_SELECTOR, delivery, digestContent, dkimKeys, rawHeaders } from './fixtures.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tidings-outbox-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const NOW = () => new Date('2026-11-24T07:00:00Z');

describe('outboxChannel', () => {
  it('writes one .eml per delivery under the digest folder, nothing else left behind', async () => {
    const c = await digestContent();
    const ch = outboxChannel({ dir, now: NOW });
    const outcome = await ch.send(c, delivery(1, { to: "o'brien+news@example.com" }));
    await ch.send(c, delivery(2));
    const file = outboxPath(dir, 42, { deliveryId: 1001, to: "o'brien+news@example.com" });
    expect(file).toBe(path.join(dir, '42', '1001-o_brien_news.eml'));
    expect(outcome.response).toBe(`written ${file}`);
    expect(readdirSync(path.join(dir, '42')).sort()).toEqual(['1001-o_brien_news.eml', '1002-reader2.eml']);
    const parsed = await simpleParser(readFileSync(file));
    expect(parsed.messageId).toBe('<42.1@news.example.org>');
    expect(parsed.html).toContain('https://news.example.org/unsubscribe/tok-1');
  });

  it('holds the same bytes and headers the SMTP server receives, DKIM signature included', async () => {
    const keys = dkimKeys();
    const dkim = dkimSigner({ domain: DKIM_DOMAIN, selector: DKIM_SELECTOR, privateKey: keys.privateKeyPem });
    const c = await digestContent();
    const sink: SmtpSink = await startSmtpSink();
    const smtp = smtpChannel({ url: sink.url, connections: 1, ratePerSecond: 0, dkim, now: NOW });
    try {
      await smtp.send(c, delivery(1));
      await outboxChannel({ dir, dkim, now: NOW }).send(c, delivery(1));
    } finally {
      await smtp.close();
      await sink.close();
    }
    const file = readFileSync(outboxPath(dir, 42, delivery(1)));
    // RSA PKCS#1 v1.5 signatures are deterministic: same headers, same body, same bytes.
    expect(file.equals(sink.messages[0]!.raw)).toBe(true);
    expect(rawHeaders(file).map(([n]) => n)).toEqual(rawHeaders(sink.messages[0]!.raw).map(([n]) => n));
    const verified = await dkimVerify(file, { resolver: keys.resolver });
    expect(verified.results[0]!.status.result).toBe('pass');
  });

  it('replaces the file on a resend and reports an unwritable folder as transient', async () => {
    const c = await digestContent();
    const ch = outboxChannel({ dir, now: NOW });
    await ch.send(c, delivery(1));
    await ch.send(c, delivery(1));
    expect(readdirSync(path.join(dir, '42'))).toEqual(['1001-reader1.eml']);
    // A file where the digest's folder should be: the write fails whoever runs the test.
    writeFileSync(path.join(dir, '43'), 'in the way');
    const err = await ch.send({ ...c, digestId: 43 }, delivery(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ permanent: false, suppress: false });
    expect((err as Error).message).toMatch(/^outbox: cannot write .*43.*1001-reader1\.eml: EEXIST$/);
  });

  it('fails a message that cannot be built permanently and writes nothing', async () => {
    const ch = outboxChannel({ dir, now: NOW });
    const err = await ch.send(await digestContent(), delivery(1, { to: 'bad address@example.com' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).permanent).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });
});
