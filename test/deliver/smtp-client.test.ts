// The SMTP client's connection setup and pool against smtp-server: STARTTLS and smtps with a
// self-signed certificate (test/fixtures/tls), certificate checks on by default, AUTH PLAIN and
// LOGIN, TLS required for a login, connections replaced after N messages, and the rate limit
// counted on an injected clock.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError, type EmailChannel } from '../../src/deliver/channel.js';
import { type SmtpChannelOptions, smtpChannel } from '../../src/deliver/email.js';
import { sessionOptions } from '../../src/deliver/smtp-client.js';
import { type RateClock, TokenBucket } from '../../src/deliver/smtp-pool.js';
import { ROOT } from '../support/cli.js';
import { capturingLogger } from '../support/log.js';
import { type SmtpSink, type SmtpSinkOptions, startSmtpSink } from '../support/smtp-sink.js';
import { delivery, digestContent } from './fixtures.js';

const TLS = {
  key: readFileSync(new URL('../fixtures/tls/key.pem', import.meta.url)),
  cert: readFileSync(new URL('../fixtures/tls/cert.pem', import.meta.url)),
};

const CHILD = fileURLToPath(new URL('./fixtures/idle-child.ts', import.meta.url));

let sink: SmtpSink | undefined;
let channel: EmailChannel | undefined;
afterEach(async () => {
  await channel?.close();
  await sink?.close();
  channel = sink = undefined;
});

async function open(sinkOpts: SmtpSinkOptions, over: Partial<SmtpChannelOptions> & { login?: string } = {}): Promise<EmailChannel> {
  sink = await startSmtpSink(sinkOpts);
  const url = over.login ? sink.url.replace('://', `://${over.login}@`) : sink.url;
  channel = smtpChannel({ connections: 1, ratePerSecond: 0, ...over, url: over.url ?? url });
  return channel;
}

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

/** A clock that moves only when the rate limit sleeps. */
function fakeClock(): RateClock & { t: number; sleeps: number } {
  const clock = {
    t: 0,
    sleeps: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps++;
      clock.t += ms;
    },
  };
  return clock;
}

describe('SMTP_URL', () => {
  it('decides TLS, port and login from the URL; a login needs TLS unless the server is on loopback', () => {
    expect(sessionOptions({ url: 'smtp://smtp.example.org', timeoutMs: 1 })).toMatchObject({
      host: 'smtp.example.org',
      port: 587,
      secure: false,
      requireTls: false,
      auth: undefined,
      rejectUnauthorized: true,
    });
    expect(sessionOptions({ url: 'smtps://smtp.example.org', timeoutMs: 1 })).toMatchObject({ port: 465, secure: true });
    expect(sessionOptions({ url: 'smtp://smtp.example.org:2525?tls=required', timeoutMs: 1 })).toMatchObject({ port: 2525, requireTls: true });
    expect(sessionOptions({ url: 'smtp://u%40x:p%3Aw%2F@smtp.example.org', timeoutMs: 1 })).toMatchObject({
      requireTls: true,
      auth: { user: 'u@x', pass: 'p:w/' },
    });
    expect(sessionOptions({ url: 'smtp://u:p@127.0.0.1:25', timeoutMs: 1 }).requireTls).toBe(false);
    expect(sessionOptions({ url: 'smtp://u:p@[::1]:25', timeoutMs: 1 })).toMatchObject({ host: '::1', requireTls: false });
    expect(sessionOptions({ url: 'smtp://smtp.example.org', timeoutMs: 1, rejectUnauthorized: false }).rejectUnauthorized).toBe(false);
    expect(sessionOptions({ url: 'smtp://smtp.example.org?tls.rejectUnauthorized=false', timeoutMs: 1 }).rejectUnauthorized).toBe(false);
  });
});

describe('TLS', () => {
  it('upgrades with STARTTLS and checks the certificate by default: a self-signed one is refused, nothing sent', async () => {
    const err = await failure((await open({ tls: TLS })).send(await digestContent(), delivery(1)));
    expect(err).toMatchObject({ permanent: false, uncertain: false, suppress: false });
    expect(err.message).toMatch(/self-signed certificate.*SMTP_TLS_REJECT_UNAUTHORIZED=false/);
    expect(sink!.messages).toEqual([]);
  });

  it('sends over STARTTLS when the certificate is trusted (private CA) or checks are off', async () => {
    await (await open({ tls: TLS }, { ca: TLS.cert })).send(await digestContent(), delivery(1));
    expect(sink!.messages.map((m) => m.secure)).toEqual([true]);
    await channel!.close();
    await sink!.close();
    await (await open({ tls: TLS }, { rejectUnauthorized: false })).send(await digestContent(), delivery(2));
    expect(sink!.messages.map((m) => m.secure)).toEqual([true]);
  });

  it('speaks TLS from the first byte with smtps://', async () => {
    await (await open({ tls: { ...TLS, secure: true } }, { ca: TLS.cert })).send(await digestContent(), delivery(1));
    expect(sink!.url).toMatch(/^smtps:/);
    expect(sink!.messages.map((m) => m.secure)).toEqual([true]);
  });

  it('refuses to go on in plain text when the URL says tls=required', async () => {
    sink = await startSmtpSink();
    channel = smtpChannel({ url: `${sink.url}?tls=required`, connections: 1, ratePerSecond: 0 });
    const err = await failure(channel.send(await digestContent(), delivery(1)));
    expect(err).toMatchObject({ permanent: false, uncertain: false });
    expect(err.message).toContain('does not offer STARTTLS');
    expect(sink.messages).toEqual([]);
  });

  it('logs in after STARTTLS', async () => {
    await (await open({ tls: TLS }, { rejectUnauthorized: false, login: 'mailer:s3cret' })).send(await digestContent(), delivery(1));
    expect(sink!.auths).toEqual([{ username: 'mailer', password: 's3cret' }]);
    expect(sink!.messages.map((m) => m.secure)).toEqual([true]);
  });
});

describe('AUTH', () => {
  const password = 'p@ss:w0rd/%';
  const login = `mailer:${encodeURIComponent(password)}`;

  it('uses PLAIN when offered, LOGIN otherwise, with the decoded credentials', async () => {
    await (await open({}, { login })).send(await digestContent(), delivery(1));
    expect(sink!.authMethods).toEqual(['PLAIN']);
    await channel!.close();
    await sink!.close();
    await (await open({ authMethods: ['LOGIN'] }, { login })).send(await digestContent(), delivery(1));
    expect(sink!.authMethods).toEqual(['LOGIN']);
    expect(sink!.auths).toEqual([{ username: 'mailer', password }]);
  });

  it('reports refused credentials as the operator’s problem, without the password', async () => {
    const { log, text } = capturingLogger('trace');
    const ch = await open({ password: 'the-right-one' }, { login: 'mailer:wr0ng-pa55', log });
    const err = await failure(ch.send(await digestContent(), delivery(1)));
    expect(err).toMatchObject({ permanent: false, code: 535, suppress: false });
    expect(err.message).toBe('SMTP AUTH PLAIN refused (check SMTP_URL and MAIL_FROM): 535 5.7.8 Authentication credentials invalid');
    expect(`${err.message} ${text()}`).not.toContain('wr0ng');
    expect(sink!.messages).toEqual([]);
  });
});

describe('pool', () => {
  it('replaces a connection after messagesPerConnection messages', async () => {
    const ch = await open({ parse: false }, { messagesPerConnection: 3 });
    const c = await digestContent();
    for (let i = 0; i < 7; i++) await ch.send(c, delivery(i));
    expect(sink!.messages.map((m) => m.connection)).toEqual([1, 1, 1, 2, 2, 2, 3]);
    expect(sink!.connections()).toBe(3);
  });

  it('spaces messages to the rate: 5 per second, counted on the clock the limiter waits on', async () => {
    const clock = fakeClock();
    const ch = await open({ parse: false }, { connections: 2, ratePerSecond: 5, rateClock: clock });
    const c = await digestContent();
    const at: number[] = [];
    for (let i = 0; i < 12; i++) {
      await ch.send(c, delivery(i));
      at.push(clock.t);
    }
    const perSecond = [0, 1, 2].map((s) => at.filter((t) => t >= s * 1000 && t < (s + 1) * 1000).length);
    expect(perSecond).toEqual([5, 5, 2]);
    expect(clock.sleeps).toBe(11);
    expect(sink!.messages).toHaveLength(12);
  });

  it('lets a high rate through in small bursts, never faster than the rate after the first', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(1000, clock);
    const at: number[] = [];
    for (let i = 0; i < 3000; i++) {
      await bucket.take();
      at.push(clock.t);
    }
    // 50 tokens (1/20 s worth) at the start, then one per millisecond.
    expect(at.filter((t) => t === 0)).toHaveLength(50);
    for (let i = 50; i < at.length; i++) expect(at[i]!).toBeGreaterThanOrEqual(i - 50 + 1 - 1e-6);
    expect(at[2999]!).toBeCloseTo(2950, 3);
    expect(clock.sleeps).toBeLessThan(3000);
  });

  it('does not keep the process alive with idle connections (plain and after STARTTLS)', async () => {
    for (const tls of [undefined, TLS]) {
      sink = await startSmtpSink({ parse: false, ...(tls ? { tls } : {}) });
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, SMTP_URL: sink.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const [code] = (await once(child, 'close')) as [number];
      expect(code).toBe(0);
      expect(out).toMatch(/^250 /);
      expect(sink.messages.map((m) => m.secure)).toEqual([tls !== undefined]);
      await sink.close();
      sink = undefined;
    }
  });

  it('fails sends still waiting for a connection when closed; the one in flight finishes', async () => {
    const ch = await open({ parse: false });
    const c = await digestContent();
    const sends = [1, 2, 3].map((i) => ch.send(c, delivery(i)));
    await ch.close();
    const results = await Promise.allSettled(sends);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ permanent: false, uncertain: false });
    expect(sink!.messages).toHaveLength(1);
  });
});
