// The one rule for email addresses, wherever one comes from: typed by strangers on the sign-up
// page, imported from spreadsheets, pasted by admins, found in a bounce, or configured as
// MAIL_FROM, and before any goes into a header or an SMTP envelope. We accept what real
// mailboxes use (dot-atom local parts, IDN domains) and refuse anything that could bend a header
// or an SMTP command: quotes, comments, brackets, whitespace and controls. No address literals
// (a@[1.2.3.4]) and no SMTPUTF8. Dependency-free, so the config schema can use it too.

const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;
// RFC 5322 dot-atom, minus the characters that make trouble in URLs and logs anyway.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
// What the URL parser would read as something else than a host: a port, a path, an escape.
const NOT_HOST = /[:/?#[\]@%\\]/;

export type AddressResult = { ok: true; address: string } | { ok: false; reason: string };

export interface AddressRules {
  /** Accept a host without a dot (news@localhost): a sender may be one, a subscriber not. */
  singleLabel?: boolean;
}

/** Whether `s` is a host name of letters, digits and hyphens in dot-separated labels. */
export function isHostName(s: string): boolean {
  return s.length <= 253 && s.split('.').every((l) => LABEL.test(l));
}

/** The canonical form (trimmed, domain in lower-case ASCII, local part lower-cased) or why not. */
export function parseEmailAddress(raw: string, rules: AddressRules = {}): AddressResult {
  const s = raw.trim();
  if (s === '') return { ok: false, reason: 'the address is empty' };
  if (s.length > MAX_ADDRESS) return { ok: false, reason: `the address is longer than ${MAX_ADDRESS} characters` };
  // Any control character or whitespace inside could end a header line or an SMTP command.
  if (/[\p{Cc}\s\u2028\u2029]/u.test(s)) return { ok: false, reason: 'the address contains spaces or control characters' };
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return { ok: false, reason: 'the address needs the form name@example.org' };
  const local = s.slice(0, at);
  if (local.length > MAX_LOCAL || !LOCAL.test(local)) return { ok: false, reason: `"${local}" is not a valid mailbox name` };
  const written = s.slice(at + 1);
  const badDomain: AddressResult = { ok: false, reason: `"${written}" is not a valid domain` };
  if (NOT_HOST.test(written)) return badDomain;
  let domain: string;
  try {
    // The URL parser applies IDNA (bücher.example → xn--bcher-kva.example) and lower-cases.
    domain = new URL(`http://${written}`).hostname;
  } catch {
    return badDomain;
  }
  const labels = domain.split('.');
  if ((labels.length < 2 && !rules.singleLabel) || !isHostName(domain) || /^[0-9]+$/.test(labels[labels.length - 1]!)) return badDomain;
  return { ok: true, address: `${local.toLowerCase()}@${domain}` };
}

/**
 * Whether `s`, exactly as written, is an address a header and an SMTP envelope can carry:
 * the rule above, in ASCII with nothing to trim or convert. A host without a dot is allowed.
 */
export function isMailAddress(s: string): boolean {
  return /^[\x21-\x7e]+$/.test(s) && parseEmailAddress(s, { singleLabel: true }).ok;
}
