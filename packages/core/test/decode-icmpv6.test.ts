/** ICMPv6 and Neighbor Discovery. */
import { describe, expect, it } from 'vitest';
import { buildFrame, concat, parseIPv6 } from '../src/craft/index.js';
import { decodeICMPv6, decodeIPv6, formatIPv6, ICMPV6_TYPE, icmpv6TypeName } from '../src/decode/index.js';
import { expectEveryTruncation } from './support/truncation.js';

function icmp6(body: Uint8Array): Uint8Array {
  return buildFrame({ ip: { src: 'fe80::1', dst: 'ff02::1' }, l4: { kind: 'raw', proto: 58 }, payload: body });
}

const L4 = 54;

describe('decodeICMPv6', () => {
  it('decodes an echo request', () => {
    const f = buildFrame({ ip: { src: '2001:db8::1', dst: '2001:db8::2' }, l4: { kind: 'icmp6', type: 128, code: 0, id: 99, seq: 3 } });
    expect(decodeICMPv6(f, L4)).toMatchObject({ ok: true, type: 128, id: 99, seq: 3, isError: false, targetOffset: 0, ndpOptionsOffset: 0 });
    expect(icmpv6TypeName(128)).toBe('echo-request');
  });

  it('decodes a packet-too-big with its MTU and quoted header', () => {
    const quoted = new Uint8Array(40);
    quoted[0] = 0x60;
    quoted[6] = 17;
    quoted.set(parseIPv6('2001:db8::99'), 24);
    const f = icmp6(concat(Uint8Array.from([2, 0, 0, 0, 0, 0, 0x05, 0x00]), quoted));
    const m = decodeICMPv6(f, L4);
    expect(m).toMatchObject({ ok: true, type: ICMPV6_TYPE.PACKET_TOO_BIG, mtu: 1280, isError: true, innerOffset: L4 + 8 });
    expect(formatIPv6(f, decodeIPv6(f, m.innerOffset).dstOffset)).toBe('2001:db8::99');
  });

  it('decodes a neighbor advertisement: flags and target', () => {
    const body = concat(Uint8Array.from([136, 0, 0, 0, 0xe0, 0, 0, 0]), parseIPv6('fe80::abcd'), Uint8Array.from([2, 1, 2, 0, 0, 0, 0, 1]));
    const m = decodeICMPv6(icmp6(body), L4);
    expect(m).toMatchObject({ ok: true, router: true, solicited: true, override: true, targetOffset: L4 + 8, ndpOptionsOffset: L4 + 24 });
    expect(formatIPv6(icmp6(body), m.targetOffset)).toBe('fe80::abcd');
  });

  it('decodes a router advertisement', () => {
    const body = Uint8Array.from([134, 0, 0, 0, 64, 0xc0, 0x07, 0x08, 0, 0, 0x75, 0x30, 0, 0, 0x03, 0xe8]);
    expect(decodeICMPv6(icmp6(body), L4)).toMatchObject({ ok: true, curHopLimit: 64, managed: true, otherConfig: true, routerLifetime: 1800, reachableTime: 30000, retransTimer: 1000, ndpOptionsOffset: L4 + 16 });
  });

  it('is truncated at every length below 8, and below a neighbor solicitation\'s 24', () => {
    const f = buildFrame({ ip: { src: '::1', dst: '::2' }, l4: { kind: 'icmp6', type: 129, code: 0 } });
    expectEveryTruncation(f, L4, 8, (d, o, end) => decodeICMPv6(d, o, undefined, end), () => 8);
    const ns = icmp6(concat(Uint8Array.from([135, 0, 0, 0, 0, 0, 0, 0]), parseIPv6('fe80::1')));
    expectEveryTruncation(ns, L4, 24, (d, o, end) => decodeICMPv6(d, o, undefined, end), (k) => (k < 8 ? 8 : 24));
    const redirect = icmp6(concat(Uint8Array.from([137, 0, 0, 0, 0, 0, 0, 0]), parseIPv6('fe80::1'), parseIPv6('2001:db8::1')));
    expectEveryTruncation(redirect, L4, 40, (d, o, end) => decodeICMPv6(d, o, undefined, end), (k) => (k < 8 ? 8 : 40));
  });
});
