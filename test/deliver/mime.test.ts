import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { personalize } from '../../src/digest/personalize.js';
import { InvalidHeaderError, buildMessage, isMailAddress, messageBytes } from '../../src/deliver/mime.js';
import { renderEmail } from '../../src/digest/render-email.js';
import { item, model, SENDER } from '../digest/email-fixtures.js';
import { FROM, delivery, digestContent, headerValues, rawHeaders } from './fixtures.js';

const DATE = new Date('2026-11-24T07:00:05Z');
const INJECT = 'Hello\r\nBcc: x@example.com';

async function build(over: Parameters<typeof delivery>[1] = {}, content?: Awaited<ReturnType<typeof digestContent>>) {
  const c = content ?? (await digestContent());
  const d = delivery(1, over);
  const raw = messageBytes(buildMessage(c, d, DATE));
  return { c, d, raw, parsed: await simpleParser(raw) };
}

describe('buildMessage', () => {
  it('writes every header a bulk sender needs, and both parts as personalize() made them', async () => {
    const { c, d, raw, parsed } = await build({ unsubscribeMailto: 'mailto:unsubscribe@news.example.org?subject=unsubscribe-tok-1' });
    const one = (name: string) => {
      const values = headerValues(raw, name);
      expect(values, name).toHaveLength(1);
      return values[0]!;
    };
    expect(one('From')).toBe('"Cotton Growers Association" <news@news.example.org>');
    expect(one('To')).toBe('"Reader 1" <reader1@example.com>');
    // The rendered subject carries an em dash, so it goes out as encoded words.
    expect(one('Subject')).toMatch(/^=\?UTF-8\?B\?/);
    expect(one('Date')).toBe('Tue, 24 Nov 2026 07:00:05 +0000');
    expect(one('Message-ID')).toBe('<42.1@news.example.org>');
    expect(one('MIME-Version')).toBe('1.0');
    expect(one('List-Id')).toBe('"Cotton Daily" <cotton-daily.news.example.org>');
    expect(one('List-Unsubscribe')).toBe('<https://news.example.org/unsubscribe/tok-1>, <mailto:unsubscribe@news.example.org?subject=unsubscribe-tok-1>');
    expect(one('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(one('Precedence')).toBe('bulk');
    expect(one('Content-Type')).toMatch(/^multipart\/alternative; boundary="=_tidings_[0-9a-f]{24}"$/);

    const expected = personalize(c.rendered, d.recipient);
    expect(parsed.subject).toBe(expected.subject);
    expect(parsed.html).toBe(expected.html);
    expect(parsed.text).toBe(expected.text.replace(/\r?\n/g, '\n'));
    expect(parsed.messageId).toBe('<42.1@news.example.org>');
    expect(parsed.date?.toISOString()).toBe(DATE.toISOString());
  });

  it('keeps every line within 76 characters in the parts and 998 anywhere', async () => {
    const { raw } = await build();
    const text = raw.toString('latin1');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = text.split('\r\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(998);
    const body = text.slice(text.indexOf('\r\n\r\n') + 4).split('\r\n');
    expect(Math.max(...body.map((l) => l.length))).toBeLessThanOrEqual(76);
    expect(text).toMatch(/^[\x00-\x7f]*$/);
    // An English digest: both parts quoted-printable, encoded once per digest.
    expect(text.match(/Content-Transfer-Encoding: quoted-printable/g)).toHaveLength(2);
  });

  it('personalizes per recipient while sharing the digest-wide parts', async () => {
    const c = await digestContent();
    const a = messageBytes(buildMessage(c, delivery(1), DATE));
    const b = messageBytes(buildMessage(c, delivery(2, { recipient: { ...delivery(2).recipient, name: null } }), DATE));
    const [pa, pb] = await Promise.all([simpleParser(a), simpleParser(b)]);
    expect(pa.html).toContain('https://news.example.org/unsubscribe/tok-1');
    expect(pb.html).toContain('https://news.example.org/unsubscribe/tok-2');
    expect(pb.html).not.toContain('tok-1');
    expect(pa.text).toContain('Reader 1');
    expect(headerValues(b, 'To')).toEqual(['<reader2@example.com>']);
    expect(headerValues(a, 'Content-Type')).toEqual(headerValues(b, 'Content-Type'));
    const other = messageBytes(buildMessage(await digestContent(), delivery(1), DATE));
    expect(headerValues(other, 'Content-Type')).not.toEqual(headerValues(a, 'Content-Type'));
  });

  it('sends a Chinese digest with base64 where QP would triple its size, both parts intact', async () => {
    const zh = model({
      newsletter: { id: 8, slug: 'mianfang', name: '棉纺日报', language: 'zh' },
      sections: [
        {
          title: '市场',
          items: [
            item({
              lang: 'zh',
              title: '棉纺织行业景气指数连续三个月回升',
              summary: '中国棉纺织行业协会发布的数据显示，十一月行业景气指数为五十一点二，较上月上升一点一个百分点。',
            }),
          ],
        },
      ],
    });
    const c = await digestContent({ rendered: await renderEmail(zh, SENDER) });
    const d = delivery(1, { recipient: { ...delivery(1).recipient, name: '王小明' } });
    const raw = messageBytes(buildMessage(c, d, DATE));
    const parsed = await simpleParser(raw);
    const expected = personalize(c.rendered, d.recipient);
    expect(parsed.html).toBe(expected.html);
    expect(parsed.text).toBe(expected.text.replace(/\r?\n/g, '\n'));
    expect(parsed.text).toContain('王小明');
    const text = raw.toString('latin1');
    expect(text).toContain('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64');
    expect(Math.max(...text.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(998);
  });

  it('encodes a non-ASCII subject and names as RFC 2047 words on one line', async () => {
    const c = await digestContent({ from: { name: '棉农协会', address: FROM.address } });
    const subject = `${'棉纺织行业景气指数连续三个月回升 🧵 '.repeat(4)}`.trim();
    const content = { ...c, rendered: { ...c.rendered, subject } };
    const { raw, parsed } = await build({ recipient: { ...delivery(1).recipient, name: 'Zoë Żółć' } }, content);
    const [line] = headerValues(raw, 'Subject');
    expect(line).toMatch(/^(=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= ?)+$/);
    for (const word of line!.split(' ')) expect(word.length).toBeLessThanOrEqual(75);
    expect(parsed.subject).toBe(subject);
    expect(parsed.from?.value[0]).toEqual({ name: '棉农协会', address: FROM.address });
    expect((parsed.to as { value: { name: string }[] }).value[0]!.name).toBe('Zoë Żółć');
  });

  it('lets no field add a header: CR/LF in subject and names become spaces (acceptance 6)', async () => {
    const c = await digestContent({ from: { name: INJECT, address: FROM.address }, listId: `${INJECT} <cotton.news.example.org>` });
    const content = { ...c, rendered: { ...c.rendered, subject: INJECT } };
    const { raw, parsed } = await build({ recipient: { ...delivery(1).recipient, name: INJECT } }, content);
    const names = rawHeaders(raw).map(([n]) => n.toLowerCase());
    expect(names.filter((n) => n === 'subject')).toHaveLength(1);
    expect(names).not.toContain('bcc');
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.subject).toBe('Hello Bcc: x@example.com');
    expect(headerValues(raw, 'Subject')).toEqual(['Hello Bcc: x@example.com']);
    const to = (parsed.to as { value: { address: string }[] }).value;
    expect(to.map((t) => t.address)).toEqual(['reader1@example.com']);
  });

  it('refuses addresses that are not plain local@host', async () => {
    for (const bad of [
      'a@b.c\r\nBcc: x@example.com',
      'a b@example.com',
      '<a@example.com>',
      'a@example.com>',
      'a,b@example.com',
      'nobody',
      '"q"@example.com',
      'a@-bad.com',
      'ü@example.com',
    ]) {
      expect(isMailAddress(bad), bad).toBe(false);
      await expect(build({ to: bad }), bad).rejects.toThrow(InvalidHeaderError);
    }
    expect(isMailAddress("o'brien+news@mail.example.co.uk")).toBe(true);
    const c = await digestContent({ from: { name: 'x', address: 'news@example.org\r\nBcc: x@example.com' } });
    expect(() => buildMessage(c, delivery(1), DATE)).toThrow(InvalidHeaderError);
  });

  it('refuses unsafe unsubscribe targets, Message-IDs and List-Ids', async () => {
    const r = delivery(1).recipient;
    await expect(build({ recipient: { ...r, unsubscribeUrl: 'javascript:alert(1)' } })).rejects.toThrow();
    await expect(build({ unsubscribeMailto: 'mailto:a@example.org>, <https://evil.example' })).rejects.toThrow(InvalidHeaderError);
    await expect(build({ unsubscribeMailto: 'https://evil.example' })).rejects.toThrow(InvalidHeaderError);
    await expect(build({ messageId: '<a@b>\r\nBcc: x@example.com' })).rejects.toThrow(InvalidHeaderError);
    await expect(build({ messageId: 'no-at-sign' })).rejects.toThrow(InvalidHeaderError);
    const bareId = await build({ messageId: '42.1@news.example.org' });
    expect(headerValues(bareId.raw, 'Message-ID')).toEqual(['<42.1@news.example.org>']);
    const c = await digestContent({ listId: 'Cotton <bad id>' });
    expect(() => buildMessage(c, delivery(1), DATE)).toThrow(InvalidHeaderError);
    // The URL parser drops tabs and newlines and escapes what may not stand inside <…>.
    const odd = await build({ recipient: { ...r, unsubscribeUrl: 'https://news.example.org/u/a\r\nBcc: x@example.com>"' } });
    expect(headerValues(odd.raw, 'List-Unsubscribe')).toEqual(['<https://news.example.org/u/aBcc:%20x@example.com%3E%22>']);
    expect(rawHeaders(odd.raw).map(([n]) => n.toLowerCase())).not.toContain('bcc');
  });
});
