/** IPv6 headers and the extension-header walk. */
import { describe, expect, it } from 'vitest';
import { buildFrame, parseIPv6 } from '../src/craft/index.js';
import { decodeIPv6, formatIPv6, IPV6_MAX_EXTENSIONS, IPv6Header } from '../src/decode/index.js';
import { expectEveryTruncation } from './support/truncation.js';

const payload = new Uint8Array(12).fill(1);
const udp6 = buildFrame({ ip: { src: '2001:db8::1', dst: 'fe80::2', ttl: 7 }, l4: { kind: 'udp', sport: 546, dport: 547 }, payload });

describe('decodeIPv6', () => {
  it('decodes the fixed header', () => {
    const ip = decodeIPv6(udp6, 14);
    expect(ip).toMatchObject({
      ok: true,
      version: 6,
      trafficClass: 0,
      flowLabel: 0,
      payloadLength: 20,
      nextHeader: 17,
      hopLimit: 7,
      srcOffset: 22,
      dstOffset: 38,
      protocol: 17,
      payloadOffset: 54,
      payloadBytes: 20,
      extensionsLength: 0,
      extensionCount: 0,
      isFragment: false,
    });
    expect(formatIPv6(udp6, ip.srcOffset)).toBe('2001:db8::1');
    expect(formatIPv6(udp6, ip.dstOffset)).toBe('fe80::2');
  });

  it('reads traffic class and flow label', () => {
    const b = udp6.slice();
    b[14] = 0x6a; // tc high nibble a
    b[15] = 0xbc; // tc low nibble b, flow label high nibble c
    b[16] = 0xde;
    b[17] = 0xf0;
    expect(decodeIPv6(b, 14)).toMatchObject({ ok: true, trafficClass: 0xab, flowLabel: 0xcdef0 });
  });

  it('walks hop-by-hop, routing and destination options to TCP', () => {
    const f = buildFrame({ ip: { src: '2001:db8::1', dst: '2001:db8::2', ext6: [0, 43, 60] }, l4: { kind: 'tcp', sport: 1, dport: 2, flags: 'S' } });
    const ip = decodeIPv6(f, 14);
    expect(ip).toMatchObject({ ok: true, nextHeader: 0, protocol: 6, extensionCount: 3, extensionsLength: 24, payloadOffset: 14 + 40 + 24, payloadBytes: 20 });
    expect([...ip.extensionTypes.subarray(0, ip.extensionCount)]).toEqual([0, 43, 60]);
  });

  it('decodes a first fragment and stops at a later one', () => {
    const first = buildFrame({ ip: { src: '2001:db8::1', dst: '2001:db8::2', frag6: { offset: 0, more: true, id: 0xdeadbeef } }, l4: { kind: 'udp', sport: 1, dport: 2 } });
    expect(decodeIPv6(first, 14)).toMatchObject({ ok: true, isFragment: true, fragmentOffset: 0, moreFragments: true, fragmentId: 0xdeadbeef, protocol: 17, payloadOffset: 62 });
    const later = buildFrame({ ip: { src: '2001:db8::1', dst: '2001:db8::2', ext6: [0], frag6: { offset: 1232, more: false, id: 5 } }, l4: { kind: 'raw', proto: 17 }, payload: new Uint8Array(16) });
    expect(decodeIPv6(later, 14)).toMatchObject({ ok: true, isFragment: true, fragmentOffset: 1232, moreFragments: false, fragmentId: 5, protocol: 17, payloadOffset: 14 + 40 + 16, extensionCount: 2 });
  });

  it('sizes AH in 4-byte units and stops at ESP and no-next-header', () => {
    // fixed header -> AH (payload len 4: (4 + 2) * 4 = 24 bytes) -> ESP
    const b = new Uint8Array(40 + 24 + 8);
    b.set(parseIPv6('2001:db8::1'), 8);
    b[0] = 0x60;
    b[4] = 0;
    b[5] = 32;
    b[6] = 51;
    b[40] = 50; // AH's next header: ESP
    b[41] = 4;
    expect(decodeIPv6(b, 0)).toMatchObject({ ok: true, protocol: 50, extensionCount: 1, extensionsLength: 24, payloadOffset: 64 });
    const none = buildFrame({ ip: { src: '::1', dst: '::2' } });
    expect(decodeIPv6(none, 14)).toMatchObject({ ok: true, protocol: 59, payloadOffset: 54 });
  });

  it('bounds the walk: more than 16 extension headers is malformed', () => {
    const n = IPV6_MAX_EXTENSIONS + 1;
    const b = new Uint8Array(40 + 8 * n + 8);
    b[0] = 0x60;
    b[6] = 60;
    for (let i = 0; i < n; i++) b[40 + 8 * i] = 60; // destination options, over and over
    expect(decodeIPv6(b, 0)).toMatchObject({ ok: false, error: 'malformed', detail: 'more than 16 IPv6 extension headers' });
  });

  it('reuses an out object without stale extension state', () => {
    const out = new IPv6Header();
    const frag = buildFrame({ ip: { src: '::1', dst: '::2', frag6: { offset: 8, more: false, id: 1 } }, l4: { kind: 'raw', proto: 6 }, payload: new Uint8Array(8) });
    decodeIPv6(frag, 14, out);
    expect(out.isFragment).toBe(true);
    decodeIPv6(udp6, 14, out);
    expect(out).toMatchObject({ ok: true, isFragment: false, fragmentOffset: 0, fragmentId: 0, extensionCount: 0, protocol: 17 });
  });

  it('is truncated at every length below the fixed header', () => {
    expectEveryTruncation(udp6, 14, 40, (d, o, end) => decodeIPv6(d, o, undefined, end), () => 40);
  });

  it('is truncated at every length below the last extension header', () => {
    const f = buildFrame({ ip: { src: '2001:db8::1', dst: '2001:db8::2', ext6: [0, 60], frag6: { offset: 0, more: true, id: 9 } }, l4: { kind: 'udp', sport: 1, dport: 2 } });
    // Extension headers at 40, 48, 56 (8 bytes each): needs 2 bytes to read one's length, then all of it.
    const neededAt = (k: number) => {
      if (k < 40) return 40;
      for (const at of [40, 48, 56]) {
        if (k < at + 2) return at + 2;
        if (k < at + 8) return at + 8;
      }
      throw new Error(`complete at ${k}`);
    };
    expectEveryTruncation(f, 14, 64, (d, o, end) => decodeIPv6(d, o, undefined, end), neededAt);
  });

  it('is malformed for another IP version', () => {
    const b = udp6.slice();
    b[14] = 0x45;
    expect(decodeIPv6(b, 14)).toMatchObject({ ok: false, error: 'malformed', detail: 'IP version is 4, expected 6' });
  });
});
