// Redaction by value for log lines. Each secret is looked for as configured and in the forms it
// takes on its way into a line: percent-encoded (inside a URL), JSON-escaped (pino's output), and
// for URL settings the password on its own (a driver may quote it decoded). A line without any
// of them is returned as is, so the common case costs one `includes` per form.
import { SECRET_VARS } from '../config/index.js';

// Anything shaped like a bot token inside a Bot API path, whoever's it is.
const TOKEN_IN_PATH = /\/(bot|user)\d{1,20}:[A-Za-z0-9_-]+/g;
/** Shorter parts (a password "pw" in a test URL) would blank out ordinary words. */
const MIN_PART = 6;

/** A URL's password and query values: the parts of it that are secret on their own. */
function urlParts(raw: string): string[] {
  try {
    const url = new URL(raw);
    const parts = [url.password, decodeURIComponent(url.password), ...url.searchParams.values()];
    return parts.filter((p) => p.length >= MIN_PART);
  } catch {
    return [];
  }
}

/** The values of the secret settings in this environment, and their secret parts. */
export function secretValues(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const name of SECRET_VARS) {
    const value = env[name]?.trim();
    if (!value) continue;
    // A SQLite DATABASE_URL is a file path, shown everywhere else too; LLM_BASE_URL is secret
    // only for a key in its query string (the endpoint itself helps diagnose a failure).
    if (name === 'DATABASE_URL' && !/^postgres/i.test(value)) continue;
    if (name !== 'LLM_BASE_URL') out.push(value);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) out.push(...urlParts(value));
  }
  return out;
}

export type Scrubber = (line: string) => string;

export function secretScrubber(secrets: readonly (string | undefined)[]): Scrubber {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < 4) continue;
    for (const form of [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1), JSON.stringify(encodeURIComponent(s)).slice(1, -1)]) forms.add(form);
  }
  // Longest first, so a secret containing another is replaced whole.
  const known = [...forms].sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line;
    if (out.includes('/bot') || out.includes('/user')) out = out.replace(TOKEN_IN_PATH, '/$1<redacted>');
    for (const s of known) if (out.includes(s)) out = out.replaceAll(s, '<redacted>');
    return out;
  };
}
