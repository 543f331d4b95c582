// The double opt-in mail (src/subscribers/confirm-mail.ts). Plain text: the mail's HTML part
// escapes it.
import type { Catalogue } from './types.js';

const en = {
  subject: 'Please confirm: {newsletter}',
  intro: 'Someone, hopefully you, asked to receive the following at this address. Please confirm:',
  button: 'Confirm {newsletter}',
  expiry: 'The link works until {date} (UTC).',
  ignore: 'If you did not ask for this, ignore this email: you will not hear from us again.',
  sentBy: 'Sent by {organization}, {address}',
};

export const mail: Catalogue<keyof typeof en> = {
  en,
  zh: {
    subject: '请确认订阅：{newsletter}',
    intro: '有人（希望是您本人）申请在此地址接收以下简报。请确认：',
    button: '确认订阅 {newsletter}',
    expiry: '链接有效期至 {date}（UTC）。',
    ignore: '如果这不是您的申请，请忽略本邮件，我们不会再联系您。',
    sentBy: '发件人：{organization}，{address}',
  },
};
