/**
 * The frame set the fast-path tests share (cluster-hash-shortcut.test.ts,
 * locate-fast.test.ts): one frame of every kind a fast path must either take
 * or leave to the general walk, every cut of a frame, and frames with random
 * header bytes. A fast path is checked against the general path on all of
 * them: the two must agree wherever the fast one answers.
 */
import { expect } from 'vitest';
import { sharedPcaps } from '../../../../test/support/pcaps.js';
import { loadNative } from '../../src/loader.js';
import { buildFrame, type FrameSpec } from './frames.js';

const v4 = { src: '10.1.2.3', dst: '192.168.7.9' };
const v6 = { src: '2001:db8::1', dst: 'fe80::1234:5678:9abc' };
export const COMMON_V4 = v4;

export const COMMON_FRAME_SPECS: Record<string, FrameSpec> = {
  'IPv4 TCP': { ip: v4, l4: { kind: 'tcp', sport: 40000, dport: 443, flags: 'S' } },
  'IPv4 UDP': { ip: v4, l4: { kind: 'udp', sport: 5353, dport: 53 }, payload: new Uint8Array(20) },
  'IPv4 SCTP': { ip: v4, l4: { kind: 'sctp', sport: 2905, dport: 2906 } },
  'IPv4 ICMP': { ip: v4, l4: { kind: 'icmp', type: 8, code: 0 } },
  'IPv4 other protocol': { ip: v4, l4: { kind: 'raw', proto: 47 }, payload: new Uint8Array(8) },
  'IPv4 TCP, VLAN 100': { vlan: [100], ip: v4, l4: { kind: 'tcp', sport: 1, dport: 2 } },
  'IPv4 UDP, 802.1ad tag': { vlan: [7], vlanTpids: [0x88a8], ip: v4, l4: { kind: 'udp', sport: 9, dport: 10 } },
  'IPv4 UDP, QinQ': { vlan: [10, 20], ip: v4, l4: { kind: 'udp', sport: 9, dport: 10 } },
  'IPv4 options': { ip: { ...v4, options: Uint8Array.of(1, 1, 1, 0) }, l4: { kind: 'tcp', sport: 5, dport: 6 } },
  'IPv4 over MPLS': { mpls: [16, 17], ip: v4, l4: { kind: 'udp', sport: 1, dport: 2 } },
  'IPv4 over PPPoE': { pppoeSession: 3, ip: v4, l4: { kind: 'tcp', sport: 3, dport: 4 } },
  'IPv6 TCP': { ip: v6, l4: { kind: 'tcp', sport: 50000, dport: 22, flags: 'PA' } },
  'IPv6 UDP, VLAN 4095': { vlan: [4095], ip: v6, l4: { kind: 'udp', sport: 123, dport: 123 } },
  'IPv6 ICMPv6': { ip: v6, l4: { kind: 'icmp6', type: 128, code: 0 } },
  'IPv6 extension headers': { ip: { ...v6, ext6: [0, 60] }, l4: { kind: 'udp', sport: 7, dport: 8 } },
  'IPv6 first fragment': { ip: { ...v6, frag6: { offset: 0, more: true, id: 77 } }, l4: { kind: 'udp', sport: 7, dport: 8 } },
  ARP: { etherType: 0x0806, body: new Uint8Array(28) },
};

/** IPv6 UDP behind an authentication header (AH, next header 51): the 8-byte destination options header of ext6 [60], renamed (AH length 0 = 8 bytes). */
export function ipv6WithAh(): Uint8Array {
  const f = buildFrame({ ip: { src: v6.src, dst: v6.dst, ext6: [60] }, l4: { kind: 'udp', sport: 7, dport: 8 } });
  expect(f[14 + 6]).toBe(60);
  expect(f[14 + 40 + 1]).toBe(0);
  f[14 + 6] = 51;
  return f;
}

/** One frame of every spec above, and the AH one. */
export const commonFrames = (): Uint8Array[] => [...Object.values(COMMON_FRAME_SPECS).map(buildFrame), ipv6WithAh()];

/** Every frame cut at every length: a fast path must agree or step aside at each cut. */
export const allCuts = (frames: Uint8Array[]) => frames.flatMap((f) => Array.from({ length: f.length + 1 }, (_, n) => f.subarray(0, n)));

/**
 * `count` copies of the given frames with one to three bytes changed and a
 * quarter of them cut short, deterministic. Mutations aim at what the parsers
 * read: ethertypes, VLAN tags, the IP version/IHL byte, fragment bits, the
 * protocol, lengths, addresses, ports and the TCP data offset.
 */
export function mutatedFrames(frames: Uint8Array[], count: number): Uint8Array[] {
  let seed = 0x9e3779b9;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const hot = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 27, 34, 35, 36, 37, 38, 39, 40, 41, 44, 45, 46, 50, 54, 55, 56, 57, 58, 59, 66, 67];
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const f = frames[rand(frames.length)]!.slice();
    for (let k = 1 + rand(3); k > 0; k--) {
      const at = rand(2) ? hot[rand(hot.length)]! : rand(f.length);
      if (at < f.length) f[at] = rand(4) === 0 ? [0x45, 0x60, 0x81, 0x86, 0x08, 0x00, 0xdd, 6, 17, 44, 43, 51, 60, 132, 0x50, 0x40, 0xf0, 0][rand(18)]! : rand(256);
    }
    out.push(rand(4) === 0 ? f.subarray(0, rand(f.length + 1)) : f);
  }
  return out;
}

/** The shared captures (../shared/pcaps) libpcap reads, or null when they are not beside the checkout. */
export const SHARED_CAPTURES = sharedPcaps()?.filter((r) => !r.unsupported) ?? null;

/** Every frame of every shared Ethernet capture, capture by capture (read when asked). */
export function* sharedEthernetCaptures(): Generator<{ name: string; packets: Uint8Array[] }> {
  for (const row of SHARED_CAPTURES ?? []) {
    const { linkType, packets } = loadNative().readPcapForTest(row.file) as { linkType: number; packets: Uint8Array[] };
    if (linkType === 1) yield { name: row.localPath, packets };
  }
}
