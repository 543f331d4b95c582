// The whole double opt-in against a real SMTP server: the form, the confirmation mail as it
// arrives (headers, both parts, the link), and the confirm POST with the token from that mail.
import { expect, it } from 'vitest';
import { escapeHtml } from '../../src/digest/personalize.js';
import { smtpChannel } from '../../src/deliver/email.js';
import { buildServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/log.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { findSubscriberByEmail, listSubscriptionsOf } from '../../src/store/subscribers.js';
import { confirmationMailer } from '../../src/subscribers/confirm-mail.js';
import { forEachDialect } from '../support/databases.js';
import { startSmtpSink } from '../support/smtp-sink.js';
import { CONFIRM_MS, clock, SENDER, T0, TOKENS, tokenIn, urlencoded } from './harness.js';

forEachDialect('confirmation mail over SMTP', (dialect) => {
  it('arrives once with the confirm link; the link confirms', async () => {
    const store = await dialect.open();
    const sink = await startSmtpSink();
    const channel = smtpChannel({ url: sink.url, connections: 1, ratePerSecond: 0 });
    const time = clock();
    const now = () => time.now;
    const sendConfirmation = confirmationMailer({
      channel,
      from: { name: 'Cotton Growers', address: 'news@example.org' },
      sender: SENDER,
      domain: 'news.example.org',
      now,
    });
    const app = buildServer({
      db: store.db,
      log: silentLogger(),
      now,
      sender: SENDER,
      subscribers: { tokens: TOKENS, sendConfirmation, confirmTokenMs: CONFIRM_MS },
    });
    try {
      await addNewsletter(store.db, { slug: 'mian', name: '棉花日报', language: 'zh' }, T0);
      for (let i = 0; i < 3; i++)
        await app.inject({ method: 'POST', url: '/n/mian/subscribe', ...urlencoded({ email: 'ann@example.org', name: 'Ann\r\nBcc: x@example.com' }) });
      const [mail] = await sink.waitForMessages(1);
      expect(mail!.to).toEqual(['ann@example.org']);
      const parsed = mail!.parsed!;
      expect(parsed.subject).toBe('请确认订阅：棉花日报');
      expect(parsed.headers.get('bcc')).toBeUndefined();
      expect(mail!.raw.toString('latin1')).toMatch(/\r\nList-Unsubscribe: <https:\/\/news\.example\.org\/unsubscribe\?token=[^>]+>\r\n/);
      expect(parsed.text).toContain('Ann Bcc: x@example.com，您好：');
      const token = tokenIn(parsed.text ?? '');
      expect(parsed.html).toContain(escapeHtml(`https://news.example.org/confirm?token=${token}`));

      const done = await app.inject({ method: 'POST', url: '/confirm', ...urlencoded({ token }) });
      expect(done.statusCode).toBe(200);
      const subscriber = await findSubscriberByEmail(store.db, 'ann@example.org');
      expect((await listSubscriptionsOf(store.db, subscriber!.id)).map((s) => s.status)).toEqual(['active']);
      await app.close();
      expect(sink.messages).toHaveLength(1);
    } finally {
      await app.close();
      await channel.close();
      await sink.close();
      await store.close();
    }
  });
});
