/** ICMP (IPv4). */
import { describe, expect, it } from 'vitest';
import { buildFrame, buildIpPacket, concat } from '../src/craft/index.js';
import { decodeICMP, decodeIPv4, formatIPv4, ICMP_TYPE, icmpTypeName, decodeUDP } from '../src/decode/index.js';
import { expectEveryTruncation } from './support/truncation.js';

const echo = buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'icmp', type: 8, code: 0, id: 0x1234, seq: 7 }, payload: new Uint8Array(56) });

describe('decodeICMP', () => {
  it('decodes an echo request', () => {
    expect(decodeICMP(echo, 34)).toMatchObject({ ok: true, type: 8, code: 0, id: 0x1234, seq: 7, isError: false, innerOffset: 0, payloadOffset: 42, nextHopMtu: 0, gateway: 0, pointer: 0 });
    expect(icmpTypeName(8)).toBe('echo-request');
    expect(icmpTypeName(42)).toBe('type-42');
  });

  it('finds the quoted datagram of an error and the next-hop MTU', () => {
    const quoted = buildIpPacket({ src: '10.0.0.2', dst: '8.8.8.8' }, { kind: 'udp', sport: 4000, dport: 53 }).subarray(0, 28);
    const body = concat(Uint8Array.from([3, 4, 0, 0, 0, 0, 0x05, 0xdc]), quoted);
    const f = buildFrame({ ip: { src: '10.0.0.254', dst: '10.0.0.2' }, l4: { kind: 'raw', proto: 1 }, payload: body });
    const m = decodeICMP(f, 34);
    expect(m).toMatchObject({ ok: true, type: ICMP_TYPE.DEST_UNREACHABLE, code: 4, nextHopMtu: 1500, isError: true, innerOffset: 42, id: 0, seq: 0 });
    const inner = decodeIPv4(f, m.innerOffset);
    expect(formatIPv4(inner.dst)).toBe('8.8.8.8');
    expect(decodeUDP(f, inner.payloadOffset)).toMatchObject({ ok: true, dstPort: 53 });
  });

  it('reads a redirect gateway and a parameter-problem pointer', () => {
    const redirect = Uint8Array.from([5, 1, 0, 0, 192, 168, 1, 1]);
    expect(formatIPv4(decodeICMP(redirect, 0).gateway)).toBe('192.168.1.1');
    expect(decodeICMP(Uint8Array.from([12, 0, 0, 0, 9, 0, 0, 0]), 0)).toMatchObject({ type: 12, pointer: 9, isError: true });
  });

  it('is truncated at every length below 8', () => {
    expectEveryTruncation(echo, 34, 8, (d, o, end) => decodeICMP(d, o, undefined, end), () => 8);
  });
});
