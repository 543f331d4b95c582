// Which network destinations a fetch may reach. Feeds are untrusted input: a URL (or a redirect,
// or a DNS answer) pointing at loopback, the LAN or a cloud metadata endpoint would turn Tidings
// into a proxy into the network it runs in (SSRF). Everything that is not plainly a public
// unicast address is refused unless an admin allowed it explicitly.
import { isIP } from 'node:net';

/** An address as raw bytes: 4 for IPv4, 16 for IPv6. */
export type IpBytes = Uint8Array;

interface Cidr {
  bytes: IpBytes;
  prefix: number;
}

/** Strict dotted-quad only: URL parsing has already normalized 127.1, 0x7f000001 and friends. */
function parseIPv4(text: string): IpBytes | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    // Leading zeros are refused: "010" is octal to some parsers and decimal to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseIPv6(text: string): IpBytes | undefined {
  if (isIP(text) !== 6) return undefined;
  let head = text;
  const words: number[] = [];
  // A dotted IPv4 tail (::ffff:127.0.0.1) stands for the last two 16-bit words.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(head);
  let tailWords: number[] = [];
  if (tail) {
    const v4 = parseIPv4(tail[1]!);
    if (!v4) return undefined;
    tailWords = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    head = head.slice(0, -tail[1]!.length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left = '', right] = head.split('::') as [string, string | undefined];
  const toWords = (s: string) => (s === '' ? [] : s.split(':').map((w) => Number.parseInt(w, 16)));
  const l = toWords(left);
  const r = right === undefined ? [] : toWords(right);
  const missing = 8 - l.length - r.length - tailWords.length;
  if (missing < 0 || (right === undefined && missing !== 0)) return undefined;
  words.push(...l, ...new Array<number>(missing).fill(0), ...r, ...tailWords);
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/** Parses an IP literal, with or without [brackets] and a %zone; undefined when not an IP. */
export function parseIp(text: string): IpBytes | undefined {
  let t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const zone = t.indexOf('%');
  if (zone !== -1) t = t.slice(0, zone);
  return t.includes(':') ? parseIPv6(t) : parseIPv4(t);
}

export function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return bytes.join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952: the longest run of two or more zero words becomes "::".
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (best.at < 0) return hex(words);
  return `${hex(words.slice(0, best.at))}::${hex(words.slice(best.at + best.len))}`;
}

/** Parses "10.0.0.0/8", "fd00::/8" or a single address (a /32 or /128). Throws on bad input. */
export function parseCidr(text: string): Cidr {
  const [addr = '', bits, extra] = text.trim().split('/');
  const bytes = parseIp(addr);
  if (!bytes || extra !== undefined) {
    throw new Error(`"${text}" is not an IP address or CIDR range (expected e.g. 10.0.0.0/8 or fd00::/8)`);
  }
  const max = bytes.length * 8;
  if (bits === undefined) return { bytes, prefix: max };
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) {
    throw new Error(`"${text}" has an invalid prefix length (expected 0 to ${max} after the "/")`);
  }
  return { bytes, prefix };
}

export function inCidr(ip: IpBytes, range: Cidr): boolean {
  if (ip.length !== range.bytes.length) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}

const MAPPED = parseCidr('::ffff:0:0/96');
const COMPATIBLE = parseCidr('::/96');

const ranges = (list: [string | Cidr, string][]) => list.map(([c, why]) => ({ range: typeof c === 'string' ? parseCidr(c) : c, why }));

// IANA special-purpose registries, minus the globally reachable entries nobody serves news from.
const V4_BLOCKED = ranges([
  ['0.0.0.0/8', 'a "this network" address (0.0.0.0/8)'],
  ['10.0.0.0/8', 'a private address (10.0.0.0/8)'],
  ['100.64.0.0/10', 'a carrier-grade NAT address (100.64.0.0/10)'],
  ['127.0.0.0/8', 'a loopback address (127.0.0.0/8)'],
  ['169.254.0.0/16', 'a link-local address (169.254.0.0/16, where cloud metadata services live)'],
  ['172.16.0.0/12', 'a private address (172.16.0.0/12)'],
  ['192.0.0.0/24', 'an IETF protocol address (192.0.0.0/24)'],
  ['192.0.2.0/24', 'a documentation address (192.0.2.0/24)'],
  ['192.88.99.0/24', 'a 6to4 relay address (192.88.99.0/24)'],
  ['192.168.0.0/16', 'a private address (192.168.0.0/16)'],
  ['198.18.0.0/15', 'a benchmarking address (198.18.0.0/15)'],
  ['198.51.100.0/24', 'a documentation address (198.51.100.0/24)'],
  ['203.0.113.0/24', 'a documentation address (203.0.113.0/24)'],
  ['224.0.0.0/4', 'a multicast address (224.0.0.0/4)'],
  ['240.0.0.0/4', 'a reserved or broadcast address (240.0.0.0/4)'],
]);

const V6_BLOCKED = ranges([
  ['::/128', 'the unspecified address (::)'],
  ['::1/128', 'the loopback address (::1)'],
  [MAPPED, 'an IPv4-mapped address (::ffff:0:0/96)'],
  [COMPATIBLE, 'an IPv4-compatible address (::/96)'],
  ['64:ff9b:1::/48', 'a local-use NAT64 address (64:ff9b:1::/48)'],
  ['100::/64', 'a discard-only address (100::/64)'],
  ['2001::/23', 'an IETF protocol address (2001::/23, includes Teredo)'],
  ['2001:db8::/32', 'a documentation address (2001:db8::/32)'],
  ['3fff::/20', 'a documentation address (3fff::/20)'],
  ['fc00::/7', 'a unique-local address (fc00::/7)'],
  ['fe80::/10', 'a link-local address (fe80::/10)'],
  ['fec0::/10', 'a site-local address (fec0::/10)'],
  ['ff00::/8', 'a multicast address (ff00::/8)'],
]);

const NAT64 = parseCidr('64:ff9b::/96');
const SIX_TO_FOUR = parseCidr('2002::/16');
const GLOBAL_UNICAST = parseCidr('2000::/3');

/** The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), if any. */
export function embeddedIPv4(ip: IpBytes): IpBytes | undefined {
  if (ip.length !== 16) return undefined;
  if (inCidr(ip, MAPPED) || inCidr(ip, COMPATIBLE) || inCidr(ip, NAT64)) {
    return ip.subarray(12, 16);
  }
  if (inCidr(ip, SIX_TO_FOUR)) return ip.subarray(2, 6);
  return undefined;
}

/**
 * Why an address must not be fetched from, or undefined for a public unicast address.
 * IPv6 forms that carry an IPv4 address are judged by that address too.
 */
export function blockedReason(ip: IpBytes): string | undefined {
  if (ip.length === 4) return V4_BLOCKED.find((r) => inCidr(ip, r.range))?.why;
  const v4 = embeddedIPv4(ip);
  const hit = V6_BLOCKED.find((r) => inCidr(ip, r.range));
  // Mapped and compatible forms are refused outright; the message names the address they carry.
  if (hit && v4 && (hit.range === MAPPED || hit.range === COMPATIBLE)) return `${hit.why} standing for ${formatIp(v4)}`;
  if (hit) return hit.why;
  const inner = v4 && blockedReason(v4);
  if (inner) return `an IPv6 address embedding ${formatIp(v4)}, which is ${inner}`;
  if (!inCidr(ip, NAT64) && !inCidr(ip, GLOBAL_UNICAST)) return 'outside the global unicast range (2000::/3)';
  return undefined;
}

// ---- allow-list ------------------------------------------------------------------------------

export interface AllowList {
  /** The hostname was allowed by name ("intranet.local", or "*.corp.example" for subdomains). */
  allowsName(hostname: string): boolean;
  allowsAddress(ip: IpBytes): boolean;
}

const HOSTNAME = /^(\*\.)?([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/;

function bareName(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}

/**
 * Parses allow-list entries: hostnames, IP addresses or CIDR ranges. Throws on an entry that is
 * none of these, because a typo there would silently leave an intranet source unreachable.
 */
export function parseAllowList(entries: readonly string[]): AllowList {
  const names = new Set<string>();
  const suffixes: string[] = [];
  const cidrs: Cidr[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    if (entry.includes('/') || parseIp(entry)) {
      cidrs.push(parseCidr(entry));
      continue;
    }
    const name = bareName(entry);
    if (!HOSTNAME.test(name)) {
      throw new Error(
        `allow-list entry "${entry}" is not a hostname, IP address or CIDR range (expected e.g. intranet.local, *.corp.example, 10.1.2.3 or 10.0.0.0/8)`,
      );
    }
    if (name.startsWith('*.')) suffixes.push(name.slice(1));
    else names.add(name);
  }
  return {
    allowsName(hostname) {
      const name = bareName(hostname);
      return names.has(name) || suffixes.some((s) => name.endsWith(s));
    },
    allowsAddress(ip) {
      if (cidrs.some((c) => inCidr(ip, c))) return true;
      // ::ffff:a.b.c.d is the same host as a.b.c.d on a dual-stack socket.
      const mapped = ip.length === 16 && inCidr(ip, MAPPED) ? ip.subarray(12) : undefined;
      return mapped !== undefined && cidrs.some((c) => inCidr(mapped, c));
    },
  };
}

// ---- decisions -------------------------------------------------------------------------------

const HINT = 'add it to the fetch allow-list (FETCH_ALLOW) if this source is meant to be reached';

/**
 * Checks a URL's hostname before any connection: IP literals never go through DNS, so this is
 * where they are judged; "localhost" names are refused without asking DNS. Returns why the host
 * is refused, or undefined (other names are judged after DNS by `refuseResolved`).
 */
export function refuseHost(hostname: string, allow: AllowList): string | undefined {
  if (allow.allowsName(hostname)) return undefined;
  const ip = parseIp(hostname);
  if (ip) {
    if (allow.allowsAddress(ip)) return undefined;
    const why = blockedReason(ip);
    return why && `refused to connect to ${hostname}: it is ${why}; ${HINT}`;
  }
  const name = bareName(hostname);
  if (name === 'localhost' || name.endsWith('.localhost')) {
    return `refused to connect to ${hostname}: it is a loopback name; ${HINT}`;
  }
  return undefined;
}

/** Checks every address DNS gave for a name: one private answer is enough to refuse. */
export function refuseResolved(hostname: string, addresses: readonly string[], allow: AllowList): string | undefined {
  if (allow.allowsName(hostname)) return undefined;
  if (addresses.length === 0) return `refused to connect to ${hostname}: DNS returned no addresses`;
  for (const address of addresses) {
    const ip = parseIp(address);
    if (!ip) return `refused to connect to ${hostname}: DNS returned "${address}", which is not an IP address`;
    if (allow.allowsAddress(ip)) continue;
    const why = blockedReason(ip);
    if (why) return `refused to connect to ${hostname}: it resolves to ${address}, which is ${why}; ${HINT}`;
  }
  return undefined;
}
