// What the bot says, in English and Chinese. Values are Telegram HTML written by us; {name}
// placeholders are filled with escaped text by `say`, so nothing a user or an article brings
// can add markup.
import { escapeHtml } from '../digest/telegram-html.js';

export type Lang = 'en' | 'zh';

const en = {
  welcome: 'Welcome to <b>{org}</b>! I send newsletter digests and answer questions about the news.\nChoose the newsletters you want below; /help lists everything I can do.',
  chooseNewsletters: 'Tap a newsletter to subscribe or unsubscribe:',
  noNewsletters: 'There are no newsletters yet.',
  help:
    '<b>Commands</b>\n/newsletters — the newsletters and which ones you get\n/subscribe [name] — subscribe (without a name: buttons)\n/unsubscribe [name] — stop one\n/latest [n] — the latest n headlines (up to 20)\n/digest [name] — the latest digest, now\n/search words — search the archive\n/topics [keywords] — only get digests about these (/topics clear: everything)\n/settings — language\n/link — connect your email subscription\n/help — this list',
  adminHelp:
    '<b>Admin</b>\n/sources, /sources add URL, /sources pause ID, /sources resume ID\n/newsletters\n/schedule NEWSLETTER "CRON" [time zone]\n/sendnow NEWSLETTER\n/stats\n/bind NEWSLETTER (in a group or channel), /unbind NEWSLETTER',
  newslettersHeader: '<b>Newsletters</b> (✅ = you get it)',
  subscribed: '✅ Subscribed to <b>{name}</b>. The next digest comes to this chat.',
  alreadySubscribed: 'You already get <b>{name}</b>.',
  unsubscribed: 'Unsubscribed from <b>{name}</b>. /subscribe {slug} brings it back.',
  notSubscribed: 'You do not get <b>{name}</b>.',
  blockedSubscription: 'Deliveries of <b>{name}</b> to this chat were stopped because earlier messages failed. /unsubscribe {slug}, then /subscribe {slug} to start again.',
  unknownNewsletter: 'There is no newsletter "{slug}". /newsletters lists them.',
  noArticles: 'No articles yet.',
  latestHeader: '<b>Latest {count} headlines</b>',
  latestUsage: 'Usage: /latest [n], where n is a number from 1 to 20.',
  noDigest: 'There is no digest yet. It will come when the next one is ready.',
  searchUsage: 'Usage: /search words, e.g. /search cotton prices or /search 棉花',
  searchHeader: 'Results for <code>{query}</code> — page {page}',
  searchNone: 'Nothing found for <code>{query}</code>. Try fewer or other words.',
  searchExpired: 'That search is no longer available; send /search again.',
  prev: '« Previous',
  next: 'Next »',
  topicsNone: 'You get every story. Send /topics keyword1, keyword2 to get only digests about those.',
  topicsCurrent: 'Your topics: {topics}\nDigests come only when a story matches one of them. /topics clear to get everything.',
  topicsSet: 'Saved. Your topics: {topics}\nThe next digest comes only if a story matches one of them.',
  topicsCleared: 'Topics cleared: you get every story again.',
  topicsNeedSubscription: 'Subscribe to a newsletter first (/subscribe); topics apply to your subscriptions.',
  settings: 'Language: <b>{language}</b>. Choose:',
  languageSet: 'Language set to English.',
  unknownCommand: 'I do not know /{command}. /help lists what I can do.',
  notACommand: 'Send /help to see what I can do, or /search words to search the news.',
  failed: 'Sorry, something went wrong. Please try again later.',
  linkHelp: 'To connect your email subscription: open any of our emails, follow "Manage preferences" and tap "Connect Telegram". Nothing is sent by email from here.',
  linked: 'Connected: this chat now belongs to the subscription of {email}.',
  linkInvalid: 'That link is invalid or has expired. Open the preferences page again and tap "Connect Telegram".',
  linkTaken: 'This chat is already connected to another email address. Send /unlink first.',
  unlinked: 'This chat is no longer connected to an email address; its Telegram subscriptions have ended.',
  notLinked: 'This chat is not connected to an email address.',
  adminOnly: 'This command is for admins only.',
  privateOnly: 'Please send /{command} to me in a private chat.',
  topicsUsage: 'Usage: /topics keyword1, keyword2 (letters and digits), or /topics clear.',
};

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
  welcome: '欢迎使用 <b>{org}</b>！我会推送新闻简报，并回答关于新闻的问题。\n请在下方选择要订阅的简报；/help 查看全部命令。',
  chooseNewsletters: '点击简报即可订阅或退订：',
  noNewsletters: '目前还没有简报。',
  help:
    '<b>命令</b>\n/newsletters — 全部简报及您的订阅\n/subscribe [名称] — 订阅（不带名称：显示按钮）\n/unsubscribe [名称] — 退订\n/latest [n] — 最新 n 条标题（最多 20 条）\n/digest [名称] — 立即查看最新一期\n/search 关键词 — 搜索文章\n/topics [关键词] — 只接收相关内容（/topics clear：全部接收）\n/settings — 语言\n/link — 关联您的邮件订阅\n/help — 本列表',
  adminHelp:
    '<b>管理员</b>\n/sources、/sources add 网址、/sources pause 编号、/sources resume 编号\n/newsletters\n/schedule 简报 "CRON" [时区]\n/sendnow 简报\n/stats\n/bind 简报（在群组或频道中）、/unbind 简报',
  newslettersHeader: '<b>简报</b>（✅ = 已订阅）',
  subscribed: '✅ 已订阅 <b>{name}</b>，下一期将发送到此对话。',
  alreadySubscribed: '您已订阅 <b>{name}</b>。',
  unsubscribed: '已退订 <b>{name}</b>。发送 /subscribe {slug} 可重新订阅。',
  notSubscribed: '您没有订阅 <b>{name}</b>。',
  blockedSubscription: '由于之前的消息发送失败，<b>{name}</b> 已停止向此对话推送。请先 /unsubscribe {slug}，再 /subscribe {slug}。',
  unknownNewsletter: '没有名为“{slug}”的简报。/newsletters 查看全部。',
  noArticles: '还没有文章。',
  latestHeader: '<b>最新 {count} 条标题</b>',
  latestUsage: '用法：/latest [n]，n 为 1 到 20 的数字。',
  noDigest: '还没有简报，下一期准备好后会发送给您。',
  searchUsage: '用法：/search 关键词，例如 /search 棉花 或 /search cotton prices',
  searchHeader: '<code>{query}</code> 的搜索结果 — 第 {page} 页',
  searchNone: '没有找到 <code>{query}</code> 的相关文章，请换个关键词试试。',
  searchExpired: '该搜索已失效，请重新发送 /search。',
  prev: '« 上一页',
  next: '下一页 »',
  topicsNone: '您会收到全部内容。发送 /topics 关键词1, 关键词2 只接收相关简报。',
  topicsCurrent: '您的关注主题：{topics}\n只有内容匹配其中之一时才会推送。/topics clear 恢复接收全部。',
  topicsSet: '已保存。您的关注主题：{topics}\n下一期只有匹配其中之一时才会推送。',
  topicsCleared: '已清除关注主题：您将再次收到全部内容。',
  topicsNeedSubscription: '请先订阅简报（/subscribe），关注主题作用于您的订阅。',
  settings: '语言：<b>{language}</b>。请选择：',
  languageSet: '语言已设置为中文。',
  unknownCommand: '不认识命令 /{command}。/help 查看可用命令。',
  notACommand: '发送 /help 查看可用命令，或 /search 关键词 搜索新闻。',
  failed: '抱歉，出了点问题，请稍后再试。',
  linkHelp: '关联邮件订阅：打开我们的任意一封邮件，点击“管理订阅”，再点“关联 Telegram”。此处不会发送任何邮件。',
  linked: '已关联：此对话现在属于 {email} 的订阅。',
  linkInvalid: '该链接无效或已过期。请重新打开订阅管理页面并点击“关联 Telegram”。',
  linkTaken: '此对话已关联到另一个邮箱，请先发送 /unlink。',
  unlinked: '此对话已取消与邮箱的关联，其 Telegram 订阅已结束。',
  notLinked: '此对话没有关联邮箱。',
  adminOnly: '此命令仅限管理员使用。',
  privateOnly: '请在与我的私聊中发送 /{command}。',
  topicsUsage: '用法：/topics 关键词1, 关键词2（文字或数字），或 /topics clear。',
};

const TEXTS: Record<Lang, Record<MessageKey, string>> = { en, zh };

export const LANGUAGE_NAMES: Record<Lang, string> = { en: 'English', zh: '中文' };

/** The message in `lang`, placeholders filled with escaped values. */
export function say(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return TEXTS[lang][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? escapeHtml(String(vars[name])) : m));
}

/** Telegram's language_code ("zh-hans", "zh-TW", "en-US") to ours; English unless Chinese. */
export function langFromCode(code: string | undefined): Lang {
  return code?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
