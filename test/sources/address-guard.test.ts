import { describe, expect, it } from 'vitest';
import { blockedReason, formatIp, parseAllowList, parseCidr, parseIp, refuseHost, refuseResolved } from '../../src/sources/address-guard.js';

const reason = (ip: string) => {
  const bytes = parseIp(ip);
  if (!bytes) throw new Error(`test bug: ${ip} does not parse`);
  return blockedReason(bytes);
};

describe('parseIp / formatIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['::', '::'],
    ['64:ff9b::10.0.0.1', '64:ff9b::a00:1'],
  ])('%s → %s', (text, shown) => {
    const bytes = parseIp(text);
    expect(bytes).toBeDefined();
    expect(formatIp(bytes!)).toBe(shown);
  });

  it.each(['example.com', '127.1', '256.0.0.1', '1.2.3', '01.2.3.4', '010.0.0.1', '1::2::3', '12345::', ''])('%s is not an IP literal', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe('blockedReason', () => {
  it.each([
    ['0.0.0.0', '0.0.0.0/8'],
    ['0.1.2.3', '0.0.0.0/8'],
    ['10.1.2.3', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['192.0.2.7', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped address (::ffff:0:0/96) standing for 127.0.0.1'],
    ['::ffff:7f00:1', 'standing for 127.0.0.1'],
    ['::ffff:8.8.8.8', 'IPv4-mapped'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['64:ff9b::127.0.0.1', 'embedding 127.0.0.1, which is a loopback address'],
    ['64:ff9b::a9fe:a9fe', 'embedding 169.254.169.254'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:c0a8:101::1', 'embedding 192.168.1.1'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['2001:db8::1', 'documentation'],
    ['100::1', 'discard'],
    ['4000::1', 'global unicast'],
  ])('%s is refused (%s)', (ip, why) => {
    expect(reason(ip)).toContain(why);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '2606:4700::1111',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ])('%s is public', (ip) => {
    expect(reason(ip)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it('accepts ranges and single addresses', () => {
    expect(parseCidr('10.0.0.0/8').prefix).toBe(8);
    expect(parseCidr('127.0.0.2').prefix).toBe(32);
    expect(parseCidr('fd00::/8').prefix).toBe(8);
    expect(parseCidr('::1').prefix).toBe(128);
  });

  it.each([
    ['10.0.0.0/33', 'invalid prefix length (expected 0 to 32'],
    ['fd00::/129', 'expected 0 to 128'],
    ['10.0.0.0/x', 'invalid prefix length'],
    ['10.0.0/8', 'not an IP address or CIDR range'],
    ['10.0.0.0/8/8', 'not an IP address or CIDR range'],
  ])('rejects %s with a clear message', (text, message) => {
    expect(() => parseCidr(text)).toThrow(message);
  });
});

describe('parseAllowList', () => {
  const allow = parseAllowList(['127.0.0.2', '10.0.0.0/8', 'fd00::/8', 'Intranet.Local', '*.corp.example', ' ']);

  it('allows listed addresses, ranges and names only', () => {
    expect(allow.allowsAddress(parseIp('127.0.0.2')!)).toBe(true);
    expect(allow.allowsAddress(parseIp('127.0.0.1')!)).toBe(false);
    expect(allow.allowsAddress(parseIp('10.200.3.4')!)).toBe(true);
    expect(allow.allowsAddress(parseIp('11.0.0.1')!)).toBe(false);
    expect(allow.allowsAddress(parseIp('fd00::5')!)).toBe(true);
    expect(allow.allowsAddress(parseIp('::ffff:127.0.0.2')!)).toBe(true);
    expect(allow.allowsName('intranet.local')).toBe(true);
    expect(allow.allowsName('intranet.local.')).toBe(true);
    expect(allow.allowsName('wiki.corp.example')).toBe(true);
    expect(allow.allowsName('corp.example')).toBe(false);
    expect(allow.allowsName('evilcorp.example')).toBe(false);
    expect(allow.allowsName('other.local')).toBe(false);
  });

  it.each(['http://intranet', 'bad host', '10.0.0.0/40', 'exa$mple.com'])('rejects the entry %s', (entry) => {
    expect(() => parseAllowList([entry])).toThrow(/allow-list entry|CIDR|prefix/);
  });
});

describe('refuseHost / refuseResolved', () => {
  const allow = parseAllowList(['127.0.0.2', 'intranet.test']);

  it('judges IP literals and localhost names before DNS', () => {
    expect(refuseHost('127.0.0.1', allow)).toMatch(/^refused to connect to 127\.0\.0\.1: it is a loopback address .*allow-list/);
    expect(refuseHost('[::1]', allow)).toContain('loopback');
    expect(refuseHost('localhost', allow)).toContain('loopback name');
    expect(refuseHost('api.localhost', allow)).toContain('loopback name');
    expect(refuseHost('127.0.0.2', allow)).toBeUndefined();
    expect(refuseHost('example.com', allow)).toBeUndefined();
    expect(refuseHost('8.8.8.8', allow)).toBeUndefined();
  });

  it('refuses a name when any of its addresses is blocked', () => {
    expect(refuseResolved('example.test', ['93.184.216.34'], allow)).toBeUndefined();
    expect(refuseResolved('example.test', ['93.184.216.34', '10.0.0.1'], allow)).toContain('resolves to 10.0.0.1, which is a private address');
    expect(refuseResolved('example.test', ['127.0.0.2'], allow)).toBeUndefined();
    expect(refuseResolved('example.test', [], allow)).toContain('no addresses');
    expect(refuseResolved('intranet.test', ['10.0.0.1', '127.0.0.1'], allow)).toBeUndefined();
  });
});
