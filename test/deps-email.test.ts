import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { buildEmailChannel } from '../src/deps.js';
import { outboxPath } from '../src/deliver/outbox.js';
import { DKIM_DOMAIN, DKIM_SELECTOR, delivery, digestContent, dkimKeys } from './deliver/fixtures.js';
import { capturingLogger } from './support/log.js';
import { startSmtpSink } from './support/smtp-sink.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tidings-deps-email-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('buildEmailChannel', () => {
  it('writes to <TIDINGS_DATA_DIR>/outbox when SMTP_URL is unset', async () => {
    const { log, text } = capturingLogger();
    const channel = buildEmailChannel(loadConfig({ TIDINGS_DATA_DIR: dir }), log);
    const outcome = await channel.send(await digestContent(), delivery(1));
    await channel.close();
    const file = outboxPath(path.join(dir, 'outbox'), 42, delivery(1));
    expect(outcome.response).toBe(`written ${file}`);
    expect(existsSync(file)).toBe(true);
    expect(text()).toContain('SMTP_URL is not set');
  });

  it('sends through SMTP_URL, DKIM-signed, logging neither the password nor the key', async () => {
    const sink = await startSmtpSink();
    const keys = dkimKeys();
    const { log, text } = capturingLogger('trace');
    const config = loadConfig({
      TIDINGS_DATA_DIR: dir,
      SMTP_URL: sink.url.replace('smtp://', 'smtp://mailer:hunter2@'),
      MAIL_FROM: 'news@elsewhere.example.net',
      DKIM_DOMAIN,
      DKIM_SELECTOR,
      DKIM_PRIVATE_KEY: keys.privateKeyPem,
    });
    const channel = buildEmailChannel(config, log);
    try {
      sink.rejectRecipient('reader2@example.com', { code: 550, message: '5.1.1 No such user' });
      await channel.send(await digestContent(), delivery(1));
      await expect(channel.send(await digestContent(), delivery(2))).rejects.toMatchObject({ suppress: true });
    } finally {
      await channel.close();
      await sink.close();
    }
    expect(sink.messages).toHaveLength(1);
    expect(sink.auths).toEqual([{ username: 'mailer', password: 'hunter2' }]);
    const verified = await dkimVerify(sink.messages[0]!.raw, { resolver: keys.resolver });
    expect(verified.results[0]!.status.result).toBe('pass');
    // MAIL_FROM's domain is not the signing domain: start-up says so.
    expect(text()).toContain('DKIM_DOMAIN does not match the MAIL_FROM domain');
    expect(text()).not.toContain('hunter2');
    expect(text()).not.toContain(keys.privateKeyPem.split('\n')[1]!);
  });

  it('accepts a self-signed relay only with SMTP_TLS_REJECT_UNAUTHORIZED=false, and says so at start', async () => {
    const tls = {
      key: readFileSync(new URL('./fixtures/tls/key.pem', import.meta.url)),
      cert: readFileSync(new URL('./fixtures/tls/cert.pem', import.meta.url)),
    };
    const sink = await startSmtpSink({ tls });
    const env = { TIDINGS_DATA_DIR: dir, SMTP_URL: sink.url, MAIL_FROM: 'news@news.example.org' };
    const checked = buildEmailChannel(loadConfig(env), capturingLogger().log);
    const { log, text } = capturingLogger();
    const unchecked = buildEmailChannel(loadConfig({ ...env, SMTP_TLS_REJECT_UNAUTHORIZED: 'false' }), log);
    try {
      await expect(checked.send(await digestContent(), delivery(1))).rejects.toMatchObject({
        permanent: false,
        message: expect.stringContaining('certificate'),
      });
      await unchecked.send(await digestContent(), delivery(2));
    } finally {
      await checked.close();
      await unchecked.close();
      await sink.close();
    }
    expect(sink.messages.map((m) => [m.to[0], m.secure])).toEqual([['reader2@example.com', true]]);
    expect(text()).toContain('SMTP_TLS_REJECT_UNAUTHORIZED=false');
  });
});
