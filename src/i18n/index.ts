// Every string Tidings shows a reader, in English and Chinese, and the one function that fills
// them in. Keys name their area ('digest.unsubscribe', 'bot.help', 'page.subscribeTitle',
// 'mail.subject'), so a key that does not exist is a compile error. Messages are plain text —
// except the bot's, which are Telegram HTML — and `t` fills in values exactly as given: escaping
// belongs to whoever renders the result (templates, page renderers, `say` for Telegram).
import { escapeHtml } from '../digest/telegram-html.js';
import { bot, MENU_COMMANDS } from './bot.js';
import { digest } from './digest.js';
import { resolveLang } from './lang.js';
import { mail } from './mail.js';
import { page } from './pages.js';
import type { Lang, Message } from './types.js';

export { formatDate } from './dates.js';
export { fromAcceptLanguage, LANGUAGE_NAMES, negotiateLang, resolveLang } from './lang.js';
export { CONSENT_VERSION } from './pages.js';
export { type Lang, LANGS, type Message } from './types.js';

const CATALOGUE = { digest, bot, page, mail };

export type Area = keyof typeof CATALOGUE;
/** The keys of one area, without the area prefix. */
export type AreaKey<A extends Area> = keyof (typeof CATALOGUE)[A]['en'] & string;
export type Key = { [A in Area]: `${A}.${AreaKey<A>}` }[Area];
export type Vars = Record<string, string | number>;

const pluralRules = new Map<Lang, Intl.PluralRules>();

function pick(lang: Lang, message: Message, count: unknown): string {
  if (typeof message === 'string') return message;
  if (typeof count !== 'number') throw new Error('i18n: a plural message needs a numeric {count}');
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  return (rules.select(count) === 'one' ? message.one : undefined) ?? message.other;
}

/** Every key of the catalogue, by the English tables (the type makes the others match). */
export function keys(): Key[] {
  return (Object.keys(CATALOGUE) as Area[]).flatMap((area) => Object.keys(CATALOGUE[area].en).map((k) => `${area}.${k}` as Key));
}

/** The message in `lang`, as written, before any value is filled in. */
export function message(lang: Lang, key: Key): Message {
  const dot = key.indexOf('.');
  const area = CATALOGUE[key.slice(0, dot) as Area] as Record<Lang, Record<string, Message>> | undefined;
  const found = area?.[lang][key.slice(dot + 1)];
  if (found === undefined) throw new Error(`i18n: unknown message key "${key}"`);
  return found;
}

/**
 * The message `key` in `lang` (any language tag; see resolveLang) with `{name}` placeholders
 * filled from `vars`. A placeholder without a value is a bug and throws.
 */
export function t(lang: string, key: Key, vars: Vars = {}): string {
  const code = resolveLang(lang);
  // One pass over the template, so a value containing "{other}" is never interpolated again.
  return pick(code, message(code, key), vars.count).replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`i18n: message "${key}" (${code}) needs a value for {${name}}`);
    return String(value);
  });
}

/** A bot message: Telegram HTML of ours, with every value escaped so it cannot add markup. */
export function say(lang: Lang, key: AreaKey<'bot'>, vars: Vars = {}): string {
  const escaped: Vars = {};
  for (const [name, value] of Object.entries(vars)) escaped[name] = typeof value === 'number' ? value : escapeHtml(value);
  return t(lang, `bot.${key}`, escaped);
}

/** The bot's command menu in `lang`, as setMyCommands takes it. */
export function commandMenu(lang: Lang): { command: string; description: string }[] {
  return MENU_COMMANDS.map((command) => ({ command, description: t(lang, `bot.menu_${command}`) }));
}

/** Every digest message of `lang` that needs no variables: what email templates get as `strings`. */
export function staticStrings(lang: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(digest[resolveLang(lang)])) {
    if (typeof text === 'string' && !/\{\w+\}/.test(text)) out[key] = text;
  }
  return out;
}
