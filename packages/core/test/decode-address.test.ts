/** Address text: dotted quads, RFC 5952 IPv6, MAC. */
import { describe, expect, it } from 'vitest';
import { parseIPv6 } from '../src/craft/index.js';
import { formatIPv4, formatIPv4At, formatIPv6, formatMac } from '../src/decode/index.js';

function v6(words: number[]): Uint8Array {
  const b = new Uint8Array(16);
  words.forEach((w, i) => {
    b[2 * i] = w >> 8;
    b[2 * i + 1] = w & 0xff;
  });
  return b;
}

describe('formatIPv4', () => {
  it.each([
    [0x0a000001, '10.0.0.1'],
    [0, '0.0.0.0'],
    [0xffffffff, '255.255.255.255'],
    [0xc0a80101, '192.168.1.1'],
    [0x7f000001, '127.0.0.1'],
  ])('%i -> %s', (n, text) => expect(formatIPv4(n)).toBe(text));

  it('reads four bytes at an offset, or gives "" when they are not there', () => {
    const b = Uint8Array.from([9, 192, 0, 2, 1]);
    expect(formatIPv4At(b, 1)).toBe('192.0.2.1');
    expect(formatIPv4At(b, 2)).toBe('');
    expect(formatIPv4At(b, -1)).toBe('');
  });
});

describe('formatIPv6 follows RFC 5952', () => {
  it.each<[string, number[], string]>([
    ['leading zeros dropped (4.1)', [0x2001, 0x0db8, 0, 0, 0, 0, 0, 0x0001], '2001:db8::1'],
    ['lower case (4.3)', [0x2001, 0xdb8, 0, 0, 0, 0, 0xabcd, 0xef01], '2001:db8::abcd:ef01'],
    ['the longest run is compressed (4.2.3)', [0x2001, 0, 0, 1, 0, 0, 0, 1], '2001:0:0:1::1'],
    ['on a tie, the first run (4.2.3)', [0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'],
    ['a single zero group is not compressed (4.2.2)', [0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], '2001:db8:0:1:1:1:1:1'],
    ['no zero group at all', [1, 2, 3, 4, 5, 6, 7, 8], '1:2:3:4:5:6:7:8'],
    ['the unspecified address', [0, 0, 0, 0, 0, 0, 0, 0], '::'],
    ['loopback', [0, 0, 0, 0, 0, 0, 0, 1], '::1'],
    ['a run at the end', [1, 0, 0, 0, 0, 0, 0, 0], '1::'],
    ['a longer run at the end', [0, 0, 1, 0, 0, 0, 0, 0], '0:0:1::'],
    ['tie between start and end', [0, 0, 0, 1, 1, 0, 0, 0], '::1:1:0:0:0'],
    ['tie in the middle, first wins', [1, 0, 0, 0, 1, 0, 0, 0], '1::1:0:0:0'],
    ['two-group run', [1, 0, 0, 2, 3, 4, 5, 6], '1::2:3:4:5:6'],
    ['link-local', [0xfe80, 0, 0, 0, 0x0211, 0x22ff, 0xfe33, 0x4455], 'fe80::211:22ff:fe33:4455'],
    ['IPv4-mapped (section 5)', [0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201], '::ffff:192.0.2.1'],
    ['IPv4-mapped zero', [0, 0, 0, 0, 0, 0xffff, 0, 0], '::ffff:0.0.0.0'],
    ['IPv4-compatible (deprecated) stays hex', [0, 0, 0, 0, 0, 0, 0x0102, 0x0304], '::102:304'],
    ['NAT64 prefix stays hex', [0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0201], '64:ff9b::c000:201'],
    ['ffff not at group 5 is not mapped', [0, 0, 0, 0, 0xffff, 0, 0xc000, 0x0201], '::ffff:0:c000:201'],
    ['all ones', [0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff], 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ])('%s: %s', (_what, words, text) => {
    expect(formatIPv6(v6(words), 0)).toBe(text);
  });

  it('reads at an offset, or gives "" when 16 bytes are not there', () => {
    const b = new Uint8Array(20);
    b.set(v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), 3);
    expect(formatIPv6(b, 3)).toBe('2001:db8::1');
    expect(formatIPv6(b, 5)).toBe('');
    expect(formatIPv6(b, -1)).toBe('');
  });

  it("agrees with the WHATWG URL serializer (RFC 5952 rules) on random addresses, and round-trips through craft's parser", () => {
    // A small deterministic PRNG; zero groups are likely, so runs and ties are common.
    let seed = 0x12345678;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 0x1000000;
    for (let i = 0; i < 3000; i++) {
      const words = Array.from({ length: 8 }, () => (rnd() < 0.45 ? 0 : rnd() < 0.5 ? Math.floor(rnd() * 16) : Math.floor(rnd() * 0x10000)));
      if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) continue; // mapped: URL prints hex
      const bytes = v6(words);
      const text = formatIPv6(bytes, 0);
      expect(`[${text}]`, words.join(',')).toBe(new URL(`http://[${words.map((w) => w.toString(16)).join(':')}]/`).hostname);
      expect(parseIPv6(text)).toEqual(bytes);
    }
  });
});

describe('formatMac', () => {
  it('lower-case hex with leading zeros', () => {
    expect(formatMac(Uint8Array.from([0x02, 0x00, 0x0a, 0xff, 0xb0, 0x01]), 0)).toBe('02:00:0a:ff:b0:01');
    expect(formatMac(new Uint8Array(5), 0)).toBe('');
  });
});
