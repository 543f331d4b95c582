// What a digest says around its stories, by email (MJML and plain text) and in Telegram. Plain
// text: each renderer escapes for its own format.
import type { Catalogue, Message } from './types.js';

const en = {
  viewInBrowser: 'View in browser',
  alsoReportedBy: 'Also reported by',
  unsubscribe: 'Unsubscribe',
  managePreferences: 'Manage preferences',
  colon: ': ',
  listSeparator: ', ',
  greeting: 'Hello,',
  greetingNamed: 'Hello {name},',
  storyCount: { one: '{count} story', other: '{count} stories' },
  whyReceiving: 'You are receiving this email because you subscribed to {newsletter}.',
  nothingNew: 'Nothing new this time.',
  /** The section of stories that match none of the newsletter's sections. */
  otherSection: 'Other',
} satisfies Record<string, Message>;

export const digest: Catalogue<keyof typeof en> = {
  en,
  zh: {
    viewInBrowser: '在浏览器中查看',
    alsoReportedBy: '其他报道来源',
    unsubscribe: '退订',
    managePreferences: '管理订阅偏好',
    colon: '：',
    listSeparator: '、',
    greeting: '您好：',
    greetingNamed: '{name}，您好：',
    storyCount: { other: '共 {count} 条' },
    whyReceiving: '您收到此邮件，是因为您订阅了 {newsletter}。',
    nothingNew: '本期暂无新内容。',
    otherSection: '其他',
  },
};
