// The shapes every catalogue file shares. A catalogue is typed from its English table, so a key
// missing (or misspelt) in another language is a compile error, not a blank on a page.

/** The languages Tidings writes in. Anything else a reader asks for gets English. */
export type Lang = 'en' | 'zh';

export const LANGS: readonly Lang[] = ['en', 'zh'];

/** A plain message, or plural forms chosen by the `count` variable (Intl.PluralRules). */
export type Message = string | { one?: string; other: string };

/** One area's messages (digest, bot, page, mail) in every language. */
export type Catalogue<K extends string> = Record<Lang, Record<K, Message>>;
