// Which of our languages a reader gets. Every front-end asks here: the digest and archive (a
// newsletter's language tag), the bot (Telegram's language_code), the pages (?lang=, the
// subscriber's or newsletter's language, then Accept-Language).
import type { Lang } from './types.js';

/** 'zh', 'zh-CN', 'zh-Hans-CN', 'ZH_tw' → 'zh'; anything else we have no strings for → 'en'. */
export function resolveLang(tag: string | null | undefined): Lang {
  return tag && /^zh(?:$|[-_])/i.test(tag) ? 'zh' : 'en';
}

/** Each language's name in itself, for a language switch. */
export const LANGUAGE_NAMES: Record<Lang, string> = { en: 'English', zh: '中文' };

/** en or zh from an Accept-Language header, by quality; undefined when it names neither. */
export function fromAcceptLanguage(header: string | undefined): Lang | undefined {
  if (!header) return undefined;
  let best: { lang: Lang; q: number } | undefined;
  for (const item of header.slice(0, 500).split(',')) {
    const [tag = '', ...params] = item.trim().split(';');
    const q = Number(/^\s*q=([0-9.]+)\s*$/.exec(params.find((p) => /^\s*q=/.test(p)) ?? '')?.[1] ?? 1);
    const code = /^zh\b/i.test(tag) ? 'zh' : /^en\b/i.test(tag) ? 'en' : undefined;
    if (code && q > 0 && (!best || q > best.q)) best = { lang: code, q };
  }
  return best?.lang;
}

/** An explicit choice (?lang=en|zh) wins, then the newsletter's (or subscriber's) language, then the browser's. */
export function negotiateLang(opts: { explicit?: unknown; preferred?: string | null; acceptLanguage?: string }): Lang {
  if (opts.explicit === 'en' || opts.explicit === 'zh') return opts.explicit;
  if (opts.preferred) return resolveLang(opts.preferred);
  return fromAcceptLanguage(opts.acceptLanguage) ?? 'en';
}
