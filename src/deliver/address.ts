// What Tidings accepts as an email address, in headers and SMTP envelopes alike: a dot-atom local
// part and a host name, ASCII only — no quoted local parts, address literals or SMTPUTF8. That
// refuses CR, LF, spaces, quotes, commas, <, >, ( and ) by construction. Dependency-free, so the
// config schema can use it too.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*$`);
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** Whether `s` is a host name of letters, digits and hyphens in dot-separated labels. */
export function isHostName(s: string): boolean {
  return s.length <= 253 && s.split('.').every((l) => LABEL.test(l));
}

/** Whether `s` is a plain mailbox address (local@host) that is safe in a header and an SMTP envelope. */
export function isMailAddress(s: string): boolean {
  if (s.length > 254) return false;
  const at = s.lastIndexOf('@');
  if (at < 1) return false;
  return at <= 64 && LOCAL.test(s.slice(0, at)) && isHostName(s.slice(at + 1));
}
