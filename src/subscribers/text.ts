// Strings of the subscriber pages and the confirmation mail, in English and Chinese, and the
// choice of language for a request. Plain text: the page renderer escapes everything.
import { createHash } from 'node:crypto';
import { resolveLang } from '../digest/i18n.js';
import type { DigestLanguage } from '../digest/model.js';

const EN = {
  subscribeTitle: 'Subscribe',
  subscribeTo: 'Subscribe to {newsletter}',
  email: 'Email address',
  name: 'Name (optional)',
  chooseNewsletters: 'Newsletters',
  honeypot: 'Leave this field empty',
  consent: 'I agree that {organization} emails me the newsletters I choose and keeps a record of this consent (time, address and IP). Every email has a link to unsubscribe at once.',
  consentVersion: 'Consent text version {version}',
  subscribeButton: 'Subscribe',
  noNewsletters: 'There is nothing to subscribe to yet.',
  invalidEmail: 'Please enter a valid email address, like name@example.org.',
  chooseOne: 'Please choose at least one newsletter.',
  checkInboxTitle: 'Check your inbox',
  checkInbox: 'If the address can receive our email, a message with a confirmation link is on its way. Click the link in it to finish subscribing. Nothing is sent until you confirm.',
  tooManyTitle: 'Too many requests',
  tooMany: 'Too many sign-ups came from your network. Please try again later.',
  confirmTitle: 'Confirm your subscription',
  confirmAsk: 'Confirm that you want to receive {newsletter} at this address.',
  confirmButton: 'Confirm subscription',
  confirmedTitle: 'Subscription confirmed',
  confirmed: 'You are subscribed to {newsletter}. Every email has a link to unsubscribe or change your preferences.',
  invalidLinkTitle: 'This link is not valid',
  invalidLink: 'The link is incomplete, has expired or was already used. If you already confirmed, you are subscribed. Otherwise, please use the newest link we sent you, or subscribe again.',
  unsubscribeTitle: 'Unsubscribe',
  unsubscribeAsk: 'Stop receiving {newsletter} at this address?',
  unsubscribeButton: 'Unsubscribe',
  unsubscribedTitle: 'You are unsubscribed',
  unsubscribed: 'You will not receive {newsletter} any more.',
  unsubscribeHelp: 'To unsubscribe, use the link at the bottom of the email you received.',
  preferencesTitle: 'Your subscriptions',
  preferencesHelp: 'To change your subscriptions, use the "Manage preferences" link at the bottom of an email you received.',
  preferencesFor: 'Subscriptions of {address}',
  channel_email: 'Email',
  channel_telegram: 'Telegram',
  status_pending: 'waiting for confirmation',
  status_active: 'subscribed',
  status_unsubscribed: 'unsubscribed',
  status_bounced: 'not deliverable',
  status_blocked: 'blocked',
  keywords: 'Only entries about (comma-separated keywords; empty: everything)',
  saveKeywords: 'Save keywords',
  resubscribe: 'Subscribe again',
  subscribeMore: 'Subscribe',
  otherNewsletters: 'Other newsletters',
  unsubscribeAll: 'Unsubscribe from everything',
  unsubscribeAllHelp: 'Ends every subscription above and stops all email to this address.',
  connectTelegram: 'Connect Telegram',
  connectTelegramHelp: 'Get your newsletters in Telegram too: open this link where Telegram is installed and tap Start. It works for 24 hours; only share it with yourself.',
  saved: 'Your changes are saved.',
  language: 'Language',
  otherLanguage: '中文',
  mailSubject: 'Please confirm: {newsletter}',
  mailIntro: 'Someone, hopefully you, asked to receive the following at this address. Please confirm:',
  mailButton: 'Confirm {newsletter}',
  mailExpiry: 'The link works until {date} (UTC).',
  mailIgnore: 'If you did not ask for this, ignore this email: you will not hear from us again.',
  mailSentBy: 'Sent by {organization}, {address}',
} as const;

export type TextKey = keyof typeof EN;

const ZH: Record<TextKey, string> = {
  subscribeTitle: '订阅',
  subscribeTo: '订阅 {newsletter}',
  email: '电子邮件地址',
  name: '称呼（选填）',
  chooseNewsletters: '简报',
  honeypot: '请勿填写此栏',
  consent: '我同意 {organization} 通过电子邮件向我发送所选简报，并保存此同意记录（时间、地址和 IP）。每封邮件都附有可立即退订的链接。',
  consentVersion: '同意条款版本 {version}',
  subscribeButton: '订阅',
  noNewsletters: '目前还没有可订阅的简报。',
  invalidEmail: '请输入有效的电子邮件地址，例如 name@example.org。',
  chooseOne: '请至少选择一份简报。',
  checkInboxTitle: '请查收邮件',
  checkInbox: '如果该地址能收到我们的邮件，一封带确认链接的邮件正在发送中。请点击其中的链接完成订阅。确认之前我们不会发送任何简报。',
  tooManyTitle: '请求过多',
  tooMany: '来自您网络的订阅请求过多，请稍后再试。',
  confirmTitle: '确认订阅',
  confirmAsk: '请确认您希望在此地址接收 {newsletter}。',
  confirmButton: '确认订阅',
  confirmedTitle: '订阅已确认',
  confirmed: '您已订阅 {newsletter}。每封邮件都附有退订和管理订阅偏好的链接。',
  invalidLinkTitle: '链接无效',
  invalidLink: '该链接不完整、已过期或已被使用。如果您已经确认，订阅即已生效；否则请使用我们最新发送的链接，或重新订阅。',
  unsubscribeTitle: '退订',
  unsubscribeAsk: '不再在此地址接收 {newsletter}？',
  unsubscribeButton: '退订',
  unsubscribedTitle: '您已退订',
  unsubscribed: '您将不再收到 {newsletter}。',
  unsubscribeHelp: '如需退订，请使用您收到的邮件底部的链接。',
  preferencesTitle: '您的订阅',
  preferencesHelp: '如需更改订阅，请使用您收到的邮件底部的“管理订阅偏好”链接。',
  preferencesFor: '{address} 的订阅',
  channel_email: '电子邮件',
  channel_telegram: 'Telegram',
  status_pending: '等待确认',
  status_active: '已订阅',
  status_unsubscribed: '已退订',
  status_bounced: '无法投递',
  status_blocked: '已屏蔽',
  keywords: '只接收与以下关键词相关的内容（用逗号分隔；留空则接收全部）',
  saveKeywords: '保存关键词',
  resubscribe: '重新订阅',
  subscribeMore: '订阅',
  otherNewsletters: '其他简报',
  unsubscribeAll: '全部退订',
  unsubscribeAllHelp: '结束以上所有订阅，并停止向此地址发送任何邮件。',
  connectTelegram: '关联 Telegram',
  connectTelegramHelp: '也在 Telegram 中接收简报：在装有 Telegram 的设备上打开此链接并点击“开始”。链接 24 小时内有效，请勿转发给他人。',
  saved: '更改已保存。',
  language: '语言',
  otherLanguage: 'English',
  mailSubject: '请确认订阅：{newsletter}',
  mailIntro: '有人（希望是您本人）申请在此地址接收以下简报。请确认：',
  mailButton: '确认订阅 {newsletter}',
  mailExpiry: '链接有效期至 {date}（UTC）。',
  mailIgnore: '如果这不是您的申请，请忽略本邮件，我们不会再联系您。',
  mailSentBy: '发件人：{organization}，{address}',
};

const TEXT: Record<DigestLanguage, Record<TextKey, string>> = { en: EN, zh: ZH };

/** The string `key` in `lang`, `{name}` filled from `vars` in one pass (a value is never re-read). */
export function st(lang: DigestLanguage, key: TextKey, vars: Record<string, string> = {}): string {
  return TEXT[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** The consent text's version: a hash of both languages, so any wording change is a new version. */
export const CONSENT_VERSION = `c-${createHash('sha256').update(`${EN.consent}\0${ZH.consent}`).digest('hex').slice(0, 10)}`;

/** en or zh from an Accept-Language header, by quality; undefined when it names neither. */
export function fromAcceptLanguage(header: string | undefined): DigestLanguage | undefined {
  if (!header) return undefined;
  let best: { lang: DigestLanguage; q: number } | undefined;
  for (const item of header.slice(0, 500).split(',')) {
    const [tag = '', ...params] = item.trim().split(';');
    const q = Number(/^\s*q=([0-9.]+)\s*$/.exec(params.find((p) => /^\s*q=/.test(p)) ?? '')?.[1] ?? 1);
    const code = /^zh\b/i.test(tag) ? 'zh' : /^en\b/i.test(tag) ? 'en' : undefined;
    if (code && q > 0 && (!best || q > best.q)) best = { lang: code, q };
  }
  return best?.lang;
}

/** An explicit ?lang= wins, then the newsletter's (or subscriber's) language, then the browser's. */
export function pageLanguage(opts: { query?: unknown; preferred?: string | null; acceptLanguage?: string }): DigestLanguage {
  if (opts.query === 'en' || opts.query === 'zh') return opts.query;
  if (opts.preferred) return resolveLang(opts.preferred);
  return fromAcceptLanguage(opts.acceptLanguage) ?? 'en';
}
