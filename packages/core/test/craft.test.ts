import { describe, expect, it } from 'vitest';
import { buildFrame, buildIPv4Fragments, inetChecksum, parseIPv6 } from '../src/craft/index.js';

describe('craft', () => {
  it('builds a TCP SYN whose IPv4 header checksum verifies', () => {
    const f = buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'tcp', sport: 40000, dport: 80, flags: 'S' } });
    expect(f.length).toBe(14 + 20 + 20);
    expect((f[12]! << 8) | f[13]!).toBe(0x0800);
    expect(inetChecksum(f.subarray(14, 34))).toBe(0);
    expect(f[14 + 20 + 13]).toBe(2);
  });
  it('puts QinQ tags with 0x88a8 outside 0x8100', () => {
    const f = buildFrame({ vlan: [100, 200], ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: 1, dport: 2 } });
    expect([f[12], f[13], f[14], f[15], f[16], f[17], f[18], f[19]]).toEqual([0x88, 0xa8, 0, 100, 0x81, 0x00, 0, 200]);
  });
  it('parses compressed IPv6 text', () => {
    expect(Array.from(parseIPv6('2001:db8::1'))).toEqual([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });
  it('fragments a UDP datagram into 8-byte aligned pieces', () => {
    const frags = buildIPv4Fragments({ ip: { src: '10.3.0.1', dst: '10.3.0.2', id: 7 }, l4: { kind: 'udp', sport: 3333, dport: 4444 }, payload: new Uint8Array(40) }, 16);
    expect(frags.length).toBe(3); // 48 bytes of UDP segment in 16-byte pieces
    const offsets = frags.map((f) => (((f[20]! << 8) | f[21]!) & 0x1fff) * 8);
    expect(offsets).toEqual([0, 16, 32]);
    expect(frags.map((f) => (f[20]! >> 5) & 1)).toEqual([1, 1, 0]);
  });
});
