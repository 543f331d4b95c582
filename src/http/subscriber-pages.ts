// The subscriber pages as HTML: plain forms that work without JavaScript, in the archive's
// layout. Every value is escaped here; tokens travel in hidden fields and in form actions.
import { escapeHtml } from '../digest/personalize.js';
import { layout } from './pages.js';
import { type AreaKey, CONSENT_VERSION, type Lang, t } from '../i18n/index.js';

type TextKey = AreaKey<'page'>;

const FORM_CSS =
  '<style>label{display:block;margin:.8em 0 .2em}input[type=email],input[type=text]{width:100%;box-sizing:border-box;padding:.5em;font:inherit;border:1px solid #9ca3af;border-radius:4px}' +
  'button{margin:.8em 0;padding:.5em 1.2em;font:inherit;border:0;border-radius:4px;background:#1d4ed8;color:#fff;cursor:pointer}button.quiet{background:#6b7280}' +
  'fieldset{border:1px solid #e5e7eb;border-radius:4px;margin:.8em 0}fieldset label{display:inline;margin:0 0 0 .3em}.error{color:#b91c1c;font-weight:600}.notice{color:#047857;font-weight:600}' +
  '.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}.lang{float:right}</style>';

export interface PageFrame {
  lang: Lang;
  /** The same page in the other language (GET), or undefined for none. */
  switchHref?: string;
}

const e = escapeHtml;

function page(frame: PageFrame, title: string, body: string): string {
  const other = frame.switchHref
    ? `<p class="lang meta"><a href="${e(frame.switchHref)}" hreflang="${frame.lang === 'zh' ? 'en' : 'zh'}">${e(t(frame.lang, 'page.otherLanguage'))}</a></p>`
    : '';
  return layout(frame.lang, title, `${other}<h1>${e(title)}</h1>${body}`, FORM_CSS);
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${e(name)}" value="${e(value)}">`;
const para = (text: string, cls = '') => `<p${cls ? ` class="${cls}"` : ''}>${e(text)}</p>`;

/** A page with a title and one paragraph: check your inbox, done, invalid link, too many. */
export function messagePage(frame: PageFrame, title: TextKey, body: TextKey, vars: Record<string, string> = {}): string {
  return page(frame, t(frame.lang, `page.${title}`, vars), para(t(frame.lang, `page.${body}`, vars)));
}

export interface SubscribeFormView extends PageFrame {
  action: string;
  organization: string;
  newsletters: { slug: string; name: string }[];
  /** A newsletter's own form (/n/:slug/subscribe): no choice shown. */
  fixed?: { slug: string; name: string };
  values?: { email?: string; name?: string; chosen?: string[] };
  error?: TextKey;
}

export function subscribeForm(v: SubscribeFormView): string {
  const { lang } = v;
  const title = v.fixed ? t(lang, 'page.subscribeTo', { newsletter: v.fixed.name }) : t(lang, 'page.subscribeTitle');
  if (!v.fixed && v.newsletters.length === 0) return page(v, title, para(t(lang, 'page.noNewsletters')));
  const chosen = new Set(v.values?.chosen ?? []);
  let choice: string;
  if (v.fixed) choice = hidden('newsletter', v.fixed.slug);
  else if (v.newsletters.length === 1) choice = hidden('newsletter', v.newsletters[0]!.slug);
  else {
    const boxes = v.newsletters
      .map((n, i) => {
        const checked = chosen.size === 0 ? i === 0 : chosen.has(n.slug);
        return `<div><input type="checkbox" id="nl${i}" name="newsletter" value="${e(n.slug)}"${checked ? ' checked' : ''}><label for="nl${i}">${e(n.name)}</label></div>`;
      })
      .join('');
    choice = `<fieldset><legend>${e(t(lang, 'page.chooseNewsletters'))}</legend>${boxes}</fieldset>`;
  }
  const body =
    (v.error ? para(t(lang, `page.${v.error}`), 'error') : '') +
    `<form method="post" action="${e(v.action)}">` +
    hidden('lang', lang) +
    hidden('consent_version', CONSENT_VERSION) +
    `<label for="email">${e(t(lang, 'page.email'))}</label><input type="email" id="email" name="email" required maxlength="254" autocomplete="email" value="${e(v.values?.email ?? '')}">` +
    `<label for="name">${e(t(lang, 'page.name'))}</label><input type="text" id="name" name="name" maxlength="100" autocomplete="name" value="${e(v.values?.name ?? '')}">` +
    // Bots fill every field; people never see this one.
    `<div class="hp" aria-hidden="true"><label for="website">${e(t(lang, 'page.honeypot'))}</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off" value=""></div>` +
    choice +
    para(t(lang, 'page.consent', { organization: v.organization })) +
    `<p class="meta">${e(t(lang, 'page.consentVersion', { version: CONSENT_VERSION }))}</p>` +
    `<button type="submit">${e(t(lang, 'page.subscribeButton'))}</button></form>`;
  return page(v, title, body);
}

/** A page whose only effect is a POST button: link scanners that GET it change nothing. */
export function actionPage(
  frame: PageFrame,
  opts: { title: TextKey; ask: TextKey; button: TextKey; action: string; token: string; newsletter: string },
): string {
  const { lang } = frame;
  const vars = { newsletter: opts.newsletter };
  const body =
    para(t(lang, `page.${opts.ask}`, vars)) +
    `<form method="post" action="${e(opts.action)}">${hidden('token', opts.token)}${hidden('lang', lang)}<button type="submit">${e(t(lang, `page.${opts.button}`))}</button></form>`;
  return page(frame, t(lang, `page.${opts.title}`, vars), body);
}

export interface PreferenceRow {
  subscriptionId: number;
  newsletter: string;
  channel: 'email' | 'telegram';
  status: 'pending' | 'active' | 'unsubscribed' | 'bounced' | 'blocked';
  keywords: string[];
}

export interface PreferencesView extends PageFrame {
  action: string;
  token: string;
  address: string;
  rows: PreferenceRow[];
  others: { id: number; name: string }[];
  notice?: TextKey;
  /** The "Connect Telegram" deep link; absent: not offered. */
  telegramUrl?: string;
}

export function preferencesPage(v: PreferencesView): string {
  const { lang } = v;
  const form = (fields: string, button: string, quiet = false) =>
    `<form method="post" action="${e(v.action)}">${hidden('token', v.token)}${hidden('lang', lang)}${fields}<button type="submit"${quiet ? ' class="quiet"' : ''}>${e(button)}</button></form>`;
  const rows = v.rows
    .map((r) => {
      const id = String(r.subscriptionId);
      const live = r.status === 'active' || r.status === 'pending';
      const keywords =
        r.status === 'active'
          ? form(
              `<label for="kw${id}">${e(t(lang, 'page.keywords'))}</label><input type="text" id="kw${id}" name="keywords" maxlength="500" value="${e(r.keywords.join(', '))}">${hidden('action', 'keywords')}${hidden('subscription', id)}`,
              t(lang, 'page.saveKeywords'),
            )
          : '';
      const toggle = live
        ? form(hidden('action', 'unsubscribe') + hidden('subscription', id), t(lang, 'page.unsubscribeButton'), true)
        : r.status === 'unsubscribed'
          ? form(hidden('action', 'resubscribe') + hidden('subscription', id), t(lang, 'page.resubscribe'))
          : '';
      return `<li><strong>${e(r.newsletter)}</strong> <span class="meta">${e(t(lang, `page.channel_${r.channel}`))} · ${e(t(lang, `page.status_${r.status}`))}</span>${keywords}${toggle}</li>`;
    })
    .join('');
  const others = v.others.length
    ? `<h2>${e(t(lang, 'page.otherNewsletters'))}</h2><ul>${v.others
        .map(
          (n) =>
            `<li><strong>${e(n.name)}</strong>${form(hidden('action', 'subscribe') + hidden('newsletter', String(n.id)), t(lang, 'page.subscribeMore'))}</li>`,
        )
        .join('')}</ul>`
    : '';
  const all = v.rows.some((r) => r.status === 'active' || r.status === 'pending')
    ? `<h2>${e(t(lang, 'page.unsubscribeAll'))}</h2>${para(t(lang, 'page.unsubscribeAllHelp'))}${form(hidden('action', 'unsubscribe-all'), t(lang, 'page.unsubscribeAll'), true)}`
    : '';
  const telegram = v.telegramUrl
    ? `<h2>${e(t(lang, 'page.connectTelegram'))}</h2>${para(t(lang, 'page.connectTelegramHelp'))}<p><a href="${e(v.telegramUrl)}">${e(t(lang, 'page.connectTelegram'))}</a></p>`
    : '';
  const body =
    (v.notice ? para(t(lang, `page.${v.notice}`), 'notice') : '') +
    para(t(lang, 'page.preferencesFor', { address: v.address })) +
    `<ul>${rows}</ul>${others}${telegram}${all}`;
  return page(v, t(lang, 'page.preferencesTitle'), body);
}
