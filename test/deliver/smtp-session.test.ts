// The SMTP client's protocol corners against a scripted server: pipelining only when offered,
// HELO for old servers, multi-line replies, RSET after a refused recipient, a 421 mid-session,
// deadlines, the end of the data, and envelopes that could inject a command.
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError, type EmailChannel } from '../../src/deliver/channel.js';
import { smtpChannel } from '../../src/deliver/email.js';
import { type SmtpClient, smtpClient } from '../../src/deliver/smtp-client.js';
import { type ScriptedOptions, type ScriptedSmtp, startScriptedSmtp } from '../support/scripted-smtp.js';
import { delivery, digestContent } from './fixtures.js';

const ENVELOPE = { from: 'news@example.org', to: 'reader@example.com' };
const BODY = Buffer.from('Subject: hi\r\n\r\nHello\r\n');

let server: ScriptedSmtp | undefined;
let client: SmtpClient | undefined;
let channel: EmailChannel | undefined;
afterEach(async () => {
  await client?.close();
  await channel?.close();
  await server?.close();
  client = channel = server = undefined;
});

async function clientAt(opts: ScriptedOptions, timeoutMs = 10_000): Promise<SmtpClient> {
  server = await startScriptedSmtp(opts);
  client = smtpClient({ url: server.url, connections: 1, ratePerSecond: 0, messagesPerConnection: 100, timeoutMs, name: 'client.test' });
  return client;
}

async function channelAt(opts: ScriptedOptions, timeoutMs = 10_000): Promise<EmailChannel> {
  server = await startScriptedSmtp(opts);
  channel = smtpChannel({ url: server.url, connections: 1, ratePerSecond: 0, timeoutMs });
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

const verbs = (s: ScriptedSmtp) => s.commands.map((c) => c.line.split(/[ :]/)[0]!.toUpperCase());
const readsOf = (s: ScriptedSmtp, verb: string) => s.commands.filter((c) => c.line.toUpperCase().startsWith(verb)).map((c) => c.read);

describe('SMTP session', () => {
  it('sends MAIL FROM, RCPT TO and DATA in one write when PIPELINING is offered', async () => {
    const c = await clientAt({});
    await expect(c.send(ENVELOPE, BODY)).resolves.toBe('250 2.0.0 queued as scripted');
    const [mail, rcpt, data] = [readsOf(server!, 'MAIL')[0], readsOf(server!, 'RCPT')[0], readsOf(server!, 'DATA')[0]];
    expect(mail).toBe(rcpt);
    expect(rcpt).toBe(data);
    expect(server!.commands.map((x) => x.line)).toEqual(['EHLO client.test', 'MAIL FROM:<news@example.org>', 'RCPT TO:<reader@example.com>', 'DATA']);
    expect(server!.messages.map((m) => m.data.toString())).toEqual([BODY.toString()]);
  });

  it('waits for each reply when the server does not offer PIPELINING', async () => {
    const c = await clientAt({ extensions: ['8BITMIME', 'ENHANCEDSTATUSCODES'] });
    await c.send(ENVELOPE, BODY);
    await c.send({ ...ENVELOPE, to: 'second@example.com' }, BODY);
    const reads = server!.commands.map((x) => x.read);
    expect(new Set(reads).size).toBe(reads.length);
    expect(verbs(server!)).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA']);
    expect(server!.messages).toHaveLength(2);
  });

  it('falls back to HELO when EHLO is refused, then sends step by step', async () => {
    const c = await clientAt({ extensions: null });
    await c.send(ENVELOPE, BODY);
    expect(verbs(server!)).toEqual(['EHLO', 'HELO', 'MAIL', 'RCPT', 'DATA']);
    const reads = server!.commands.map((x) => x.read);
    expect(new Set(reads).size).toBe(reads.length);
    expect(server!.messages).toHaveLength(1);
  });

  it('joins a multi-line refusal into one line, suppresses a missing mailbox and resets before the next message', async () => {
    const ch = await channelAt({
      extensions: ['PIPELINING', 'ENHANCEDSTATUSCODES', 'SIZE 10000000'],
      reply: (line) =>
        line.includes('reader1@')
          ? '550-5.1.1 The email account that you tried to reach does not exist.\r\n550-5.1.1 Please try double-checking\r\n550 5.1.1 the recipient address.'
          : undefined,
    });
    const c = await digestContent();
    const gone = await failure(ch.send(c, delivery(1)));
    expect(gone).toMatchObject({ permanent: true, code: 550, suppress: true, uncertain: false });
    expect(gone.message).toBe(
      'SMTP RCPT TO refused: 550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient address.',
    );
    await expect(ch.send(c, delivery(2))).resolves.toEqual({ response: '250 2.0.0 queued as scripted' });
    expect(verbs(server!)).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA', 'RSET', 'MAIL', 'RCPT', 'DATA']);
    expect(server!.connections()).toBe(1);
    // SIZE offered: the envelope declares the message's size.
    expect(server!.commands.find((x) => x.line.startsWith('MAIL'))!.line).toMatch(/^MAIL FROM:<news@news\.example\.org> SIZE=\d+$/);
  });

  it('defers the message a 421 interrupts and sends the next over a new connection', async () => {
    let said = false;
    const ch = await channelAt({
      reply: (line, ctx) => {
        if (!line.startsWith('MAIL') || ctx.message !== 2 || said) return undefined;
        said = true;
        return { reply: '421 4.3.2 Service shutting down, try again in 2 minutes', close: true };
      },
    });
    const c = await digestContent();
    await ch.send(c, delivery(1));
    const closing = await failure(ch.send(c, delivery(2)));
    expect(closing).toMatchObject({ permanent: false, code: 421, retryAfterMs: 120_000, uncertain: false, suppress: false });
    await ch.send(c, delivery(3));
    expect(server!.messages.map((m) => m.connection)).toEqual([1, 2]);
    expect(server!.connections()).toBe(2);
  });

  it('calls a 421 after the data deferred, not uncertain: the server said it did not take it', async () => {
    const ch = await channelAt({ afterData: ({ message }) => (message === 1 ? { reply: '421 4.4.5 Too busy', close: true } : undefined) });
    const c = await digestContent();
    expect(await failure(ch.send(c, delivery(1)))).toMatchObject({ permanent: false, code: 421, uncertain: false });
    await ch.send(c, delivery(2));
    expect(server!.connections()).toBe(2);
  });

  it('gives up on a silent server: no greeting is certain, no reply after the data is uncertain', async () => {
    const c = await digestContent();
    const silent = await failure((await channelAt({ greeting: null }, 300)).send(c, delivery(1)));
    expect(silent).toMatchObject({ permanent: false, uncertain: false });
    expect(silent.message).toMatch(/sent no greeting within/);
    await channel!.close();
    await server!.close();
    const mute = await failure((await channelAt({ afterData: () => 'hang' }, 300)).send(c, delivery(1)));
    expect(mute).toMatchObject({ permanent: false, uncertain: true });
    expect(server!.messages).toHaveLength(1);
  });

  it('ends the data correctly whatever the last chunk holds', async () => {
    const c = await clientAt({});
    await c.send(ENVELOPE, ['Subject: a\r\n\r\n', 'no line end']);
    await c.send(ENVELOPE, ['Subject: b\r\n\r\nsplit\r', Buffer.from('\n'), '']);
    expect(server!.messages.map((m) => m.data.toString())).toEqual(['Subject: a\r\n\r\nno line end\r\n', 'Subject: b\r\n\r\nsplit\r\n']);
  });

  it('refuses an envelope address that would add a command, and a message over the SIZE limit', async () => {
    const c = await clientAt({ extensions: ['PIPELINING', 'SIZE 100'] });
    const injected = await failure(c.send({ ...ENVELOPE, to: 'a@example.com>\r\nRCPT TO:<x@example.com' }, BODY));
    expect(injected.permanent).toBe(true);
    const big = await failure(c.send(ENVELOPE, Buffer.alloc(200, 'a')));
    expect(big).toMatchObject({ permanent: true });
    expect(big.message).toContain('SIZE 100');
    expect(server!.commands.filter((x) => /^(MAIL|RCPT)/.test(x.line))).toEqual([]);
  });
});
