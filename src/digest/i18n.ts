// Localized strings and dates for every renderer (email, Telegram, archive). Renderers escape
// what comes out of here for their own format: these are plain text, and `vars` are untrusted
// values interpolated as-is.
import type { DigestLanguage } from './model.js';

/** A plain message, or plural forms chosen by the `count` variable (Intl.PluralRules). */
type Message = string | { one?: string; other: string };

const EN = {
  viewInBrowser: 'View in browser',
  alsoReportedBy: 'Also reported by',
  unsubscribe: 'Unsubscribe',
  managePreferences: 'Manage preferences',
  readMore: 'Read more',
  source: 'Source',
  colon: ': ',
  listSeparator: ', ',
  greeting: 'Hello,',
  greetingNamed: 'Hello {name},',
  storyCount: { one: '{count} story', other: '{count} stories' },
  whyReceiving: 'You are receiving this email because you subscribed to {newsletter}.',
  sentBy: 'Sent by {organization}',
  nothingNew: 'Nothing new this time.',
  archiveTitle: '{newsletter}: archive',
  newsletters: 'Newsletters',
  atomFeed: 'Atom feed',
  noDigests: 'No digests yet.',
  newerPage: 'Newer',
  olderPage: 'Older',
  pageNumber: 'Page {page}',
  allNewsletters: 'All newsletters',
  notFound: 'Page not found',
  notFoundBody: 'There is nothing at this address.',
  serverError: 'Something went wrong',
  serverErrorBody: 'The page could not be shown. Please try again later.',
} satisfies Record<string, Message>;

export type MessageKey = keyof typeof EN;

const ZH: Record<MessageKey, Message> = {
  viewInBrowser: '在浏览器中查看',
  alsoReportedBy: '其他报道来源',
  unsubscribe: '退订',
  managePreferences: '管理订阅偏好',
  readMore: '阅读全文',
  source: '来源',
  colon: '：',
  listSeparator: '、',
  greeting: '您好：',
  greetingNamed: '{name}，您好：',
  storyCount: { other: '共 {count} 条' },
  whyReceiving: '您收到此邮件，是因为您订阅了 {newsletter}。',
  sentBy: '发件人：{organization}',
  nothingNew: '本期暂无新内容。',
  archiveTitle: '{newsletter}：往期回顾',
  newsletters: '简报列表',
  atomFeed: 'Atom 订阅源',
  noDigests: '暂无往期简报。',
  newerPage: '较新',
  olderPage: '较早',
  pageNumber: '第 {page} 页',
  allNewsletters: '全部简报',
  notFound: '页面不存在',
  notFoundBody: '此地址没有内容。',
  serverError: '出错了',
  serverErrorBody: '页面暂时无法显示，请稍后再试。',
};

const MESSAGES: Record<DigestLanguage, Record<MessageKey, Message>> = { en: EN, zh: ZH };

/** 'zh', 'zh-CN', 'zh-Hans-CN', 'ZH_tw' → 'zh'; anything else we have no strings for → 'en'. */
export function resolveLang(lang: string): DigestLanguage {
  return /^zh(?:$|[-_])/i.test(lang) ? 'zh' : 'en';
}

const pluralRules = new Map<DigestLanguage, Intl.PluralRules>();

function pick(lang: DigestLanguage, message: Message, count: unknown): string {
  if (typeof message === 'string') return message;
  if (typeof count !== 'number') throw new Error('i18n: a plural message needs a numeric {count}');
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  return (rules.select(count) === 'one' ? message.one : undefined) ?? message.other;
}

/** The message `key` in `lang` with `{name}` placeholders filled from `vars`. */
export function t(lang: string, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const code = resolveLang(lang);
  const message = MESSAGES[code][key];
  if (message === undefined) throw new Error(`i18n: unknown message key "${String(key)}"`);
  // One pass over the template, so a value containing "{other}" is never interpolated again.
  return pick(code, message, vars.count).replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`i18n: message "${key}" (${code}) needs a value for {${name}}`);
    return String(value);
  });
}

/** Every message of `lang` that needs no variables: what templates get as `strings`. */
export function staticStrings(lang: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(MESSAGES[resolveLang(lang)])) {
    if (typeof message === 'string' && !/\{\w+\}/.test(message)) out[key] = message;
  }
  return out;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** "24 November 2026" / "2026年11月24日": the calendar date of `date` in `timeZone`. */
export function formatDate(date: Date, lang: string, timeZone: string): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('formatDate: invalid date');
  const code = resolveLang(lang);
  const cacheKey = `${code}|${timeZone}`;
  let format = dateFormats.get(cacheKey);
  if (!format) {
    try {
      // en-GB gives day-month-year without a comma, the form readers outside the US expect.
      format = new Intl.DateTimeFormat(code === 'zh' ? 'zh-CN' : 'en-GB', {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone,
      });
    } catch (err) {
      throw new RangeError(`formatDate: unknown time zone "${timeZone}" (${(err as Error).message})`);
    }
    dateFormats.set(cacheKey, format);
  }
  return format.format(date);
}
