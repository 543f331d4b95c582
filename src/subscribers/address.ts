// Email addresses typed by strangers, imported from spreadsheets, or pasted by admins. We accept
// what real mailboxes use (dot-atom local parts, IDN domains) and refuse anything that could bend
// a header or an SMTP command: quotes, comments, brackets, whitespace and controls.

const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;
// RFC 5322 dot-atom, minus the characters that make trouble in URLs and logs anyway.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export type AddressResult = { ok: true; address: string } | { ok: false; reason: string };

/** The canonical form (trimmed, domain in lower-case ASCII, local part lower-cased) or why not. */
export function parseEmailAddress(raw: string): AddressResult {
  const s = raw.trim();
  if (s === '') return { ok: false, reason: 'the address is empty' };
  if (s.length > MAX_ADDRESS) return { ok: false, reason: `the address is longer than ${MAX_ADDRESS} characters` };
  // Any control character or whitespace inside could end a header line or an SMTP command.
  if (/[\p{Cc}\s\u2028\u2029]/u.test(s)) return { ok: false, reason: 'the address contains spaces or control characters' };
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return { ok: false, reason: 'the address needs the form name@example.org' };
  const local = s.slice(0, at);
  if (local.length > MAX_LOCAL || !LOCAL.test(local)) return { ok: false, reason: `"${local}" is not a valid mailbox name` };
  let domain: string;
  try {
    // The URL parser applies IDNA (bücher.example → xn--bcher-kva.example) and lower-cases.
    domain = new URL(`http://${s.slice(at + 1)}`).hostname;
  } catch {
    return { ok: false, reason: `"${s.slice(at + 1)}" is not a valid domain` };
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^[0-9]+$/.test(labels[labels.length - 1]!)) {
    return { ok: false, reason: `"${s.slice(at + 1)}" is not a valid domain` };
  }
  return { ok: true, address: `${local.toLowerCase()}@${domain}` };
}
