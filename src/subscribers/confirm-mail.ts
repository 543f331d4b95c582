// The double opt-in mail: one message listing each newsletter to confirm with its own link (a
// confirm token names one subscription). It goes through the same EmailChannel as digests, so it
// gets the same header hygiene, DKIM and outbox; the greeting is personalize()'s placeholder.
import type { EmailChannel } from '../deliver/channel.js';
import type { SenderInfo } from '../digest/model.js';
import { escapeHtml, type RenderedEmail, recipientPlaceholders } from '../digest/personalize.js';
import { type Lang, t } from '../i18n/index.js';

export interface ConfirmationRequest {
  to: string;
  name: string | null;
  lang: Lang;
  subscriberId: number;
  items: { subscriptionId: number; newsletter: string; slug: string; confirmUrl: string }[];
  expiresAt: Date;
  /** Unsubscribe (cancels the first pending subscription) and preferences links, for the headers and footer. */
  links: { unsubscribeUrl: string; preferencesUrl: string };
}

/** Hands one confirmation mail over for delivery; rejects when it could not be. */
export type SendConfirmation = (request: ConfirmationRequest) => Promise<void>;

const utc = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

export function renderConfirmation(req: ConfirmationRequest, sender: SenderInfo): RenderedEmail {
  const { lang } = req;
  const first = req.items[0];
  if (!first) throw new Error('a confirmation mail needs at least one subscription');
  const names = req.items.map((i) => i.newsletter).join(t(lang, 'digest.listSeparator'));
  const subject = t(lang, 'mail.subject', { newsletter: names });
  const greeting = recipientPlaceholders(lang).greeting;
  const footer = t(lang, 'mail.sentBy', { organization: sender.organization, address: sender.postalAddress.replace(/\s*\n\s*/g, ', ') });
  const expiry = t(lang, 'mail.expiry', { date: utc(req.expiresAt) });
  const e = escapeHtml;
  const buttons = req.items
    .map(
      (i) =>
        `<p style="margin:16px 0"><a href="${e(i.confirmUrl)}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px">${e(t(lang, 'mail.button', { newsletter: i.newsletter }))}</a></p>`,
    )
    .join('');
  const html =
    `<!doctype html><html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>` +
    '<body style="margin:0;padding:24px;background:#f3f4f6;font:16px/1.5 system-ui,sans-serif;color:#1f2937">' +
    '<div style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff">' +
    `<p>${greeting}</p><p>${e(t(lang, 'mail.intro'))}</p>${buttons}` +
    `<p style="color:#6b7280;font-size:14px">${e(expiry)}</p><p>${e(t(lang, 'mail.ignore'))}</p>` +
    `<p style="color:#6b7280;font-size:12px">${e(footer)}</p></div></body></html>`;
  const text = [
    greeting,
    '',
    t(lang, 'mail.intro'),
    '',
    ...req.items.flatMap((i) => [`${t(lang, 'mail.button', { newsletter: i.newsletter })}:`, i.confirmUrl, '']),
    expiry,
    t(lang, 'mail.ignore'),
    '',
    '--',
    footer,
    '',
  ].join('\n');
  return { subject, preheader: t(lang, 'mail.intro'), html, text };
}

export interface MailerOptions {
  channel: EmailChannel;
  from: { name: string; address: string };
  sender: SenderInfo;
  /** Right-hand side of the Message-ID and List-Id (the public host). */
  domain: string;
  now: () => Date;
}

/** SendConfirmation over an EmailChannel (SMTP or the outbox). */
export function confirmationMailer(opts: MailerOptions): SendConfirmation {
  return async (req) => {
    const first = req.items[0];
    if (!first) return;
    const at = opts.now().getTime();
    await opts.channel.send(
      {
        // Not a digest: 0 keeps confirmation mails apart from every digest (ids start at 1).
        digestId: 0,
        rendered: renderConfirmation(req, opts.sender),
        from: opts.from,
        listId: `${first.newsletter} <${first.slug}.${opts.domain}>`,
      },
      {
        deliveryId: first.subscriptionId,
        to: req.to,
        messageId: `<tidings.confirm.s${first.subscriptionId}.${at}@${opts.domain}>`,
        recipient: { name: req.name, ...req.links },
      },
    );
  };
}
