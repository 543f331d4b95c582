// SMTP transparency (RFC 5321 4.5.2) without scanning bodies: what buildMessage writes never has
// a line starting with ".", in QP and base64 parts alike, so the chunks the SMTP client writes
// need no stuffing and arrive as the very bytes the outbox keeps.
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmailContent } from '../../src/deliver/channel.js';
import { smtpChannel } from '../../src/deliver/email.js';
import { buildMessage, dotStuffLines, messageBytes, messageChunks } from '../../src/deliver/mime.js';
import { personalize } from '../../src/digest/personalize.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';
import { FROM, LIST_ID, delivery } from './fixtures.js';

const DATE = new Date('2026-11-24T07:00:05Z');
const NAME = '%%tidings.name%%';

function dotted(lang: 'en' | 'zh'): EmailContent {
  const words = lang === 'zh' ? '棉纺织行业景气指数连续三个月回升' : 'Cotton futures rose on Monday';
  const text = `.hidden line\n.\n..two dots\n${NAME}\n${words}\n${'. leading dot and space\n'.repeat(3)}${words}\n`;
  const html = `<p>\n.${words}</p>\n${NAME}, <a href="%%tidings.unsubscribe_url%%">x</a>\n.\n</p>`;
  return { digestId: 7, rendered: { subject: '.Subject', preheader: 'p', html, text }, from: FROM, listId: LIST_ID };
}

const recipientDotted = (i: number) => {
  const d = delivery(i);
  return { ...d, recipient: { ...d.recipient, name: '.Dot O’Brien' } };
};

let sink: SmtpSink | undefined;
afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

describe('messageChunks', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`writes no line starting with "." (${lang === 'en' ? 'quoted-printable' : 'base64'}), and the chunks are the message's bytes`, async () => {
      const content = dotted(lang);
      const d = recipientDotted(1);
      const message = buildMessage(content, d, DATE);
      const bytes = messageBytes(message);
      const chunks = messageChunks(message, [], { dotStuffed: true });
      expect(Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'latin1') : c))).equals(bytes)).toBe(true);
      const text = bytes.toString('latin1');
      expect(text.startsWith('.')).toBe(false);
      expect(text).not.toContain('\n.');
      expect(text).toContain(`Content-Transfer-Encoding: ${lang === 'en' ? 'quoted-printable' : 'base64'}`);
      // What a reader sees still has every dot.
      const parsed = await simpleParser(bytes);
      expect(parsed.text).toBe(personalize(content.rendered, d.recipient).text.replace(/\r?\n/g, '\n'));
      expect(parsed.text).toContain('\n.\n..two dots\n.Dot O’Brien\n');
    });
  }

  it('arrives at an SMTP server byte for byte as built (what the outbox would write)', async () => {
    sink = await startSmtpSink();
    const channel = smtpChannel({ url: sink.url, connections: 1, ratePerSecond: 0, now: () => DATE });
    // One content object per digest: its MIME boundary is drawn once.
    const contents = [dotted('en'), dotted('zh')];
    try {
      for (const content of contents) await channel.send(content, recipientDotted(1));
    } finally {
      await channel.close();
    }
    for (const [i, content] of contents.entries()) {
      expect(sink.messages[i]!.raw.equals(messageBytes(buildMessage(content, recipientDotted(1), DATE))), String(i)).toBe(true);
    }
  });

  it('stuffs the header lines it is handed from outside', () => {
    expect(dotStuffLines('DKIM-Signature: v=1;\r\n.b=abc\r\n.')).toBe('DKIM-Signature: v=1;\r\n..b=abc\r\n..');
    expect(dotStuffLines('.x')).toBe('..x');
    const message = buildMessage(dotted('en'), recipientDotted(1), DATE);
    const [head] = messageChunks(message, ['X-Test: a\r\n.b'], { dotStuffed: true });
    expect(head).toMatch(/^X-Test: a\r\n\.\.b\r\nFrom: /);
    expect(messageChunks(message, ['X-Test: a\r\n.b'])[0]).toMatch(/^X-Test: a\r\n\.b\r\n/);
  });
});
