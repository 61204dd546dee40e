/**
 * The cluster index writer's shortcut (cpp/cluster_hash_shortcut.h): the
 * cluster hash of an Ethernet frame computed without locate(). Wherever it
 * answers, its hash must be cluster_hash(locate(frame)) exactly (a worker
 * that reads on without the index hashes the full way, and both must pick the
 * same slot), and it must never answer for a fragment (the fragment cache
 * decides those). clusterHashShortcutForTest runs both in C++ on every frame
 * and lists the frames where they differ.
 */
import { describe, expect, it } from 'vitest';
import { loadNative } from '../src/loader.js';
import { sharedPcaps, SHARED_PCAPS_SKIP } from '../../../test/support/pcaps.js';
import { buildFrame, buildIPv4Fragments, type FrameSpec } from './support/frames.js';
import { hashVectors, vectorFrame } from './support/vectors.js';

interface Compared {
  taken: number;
  /** [frame index, shortcut's hash, full path's hash or -1 for a fragment] */
  mismatches: [number, number, number][];
}

const HASHED_TYPES = [0, 2, 3, 4, 5]; // every PF_RING cluster type but round-robin (1)
const native = loadNative();
const compare = (frames: Uint8Array[], type: number) => native.clusterHashShortcutForTest(frames, type) as Compared;

/** Every frame cut at every length: the shortcut must agree or step aside at each cut. */
const allCuts = (frames: Uint8Array[]) => frames.flatMap((f) => Array.from({ length: f.length + 1 }, (_, n) => f.subarray(0, n)));

const v4 = { src: '10.1.2.3', dst: '192.168.7.9' };
const v6 = { src: '2001:db8::1', dst: 'fe80::1234:5678:9abc' };
const specs: Record<string, FrameSpec> = {
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
function ipv6WithAh(): Uint8Array {
  const f = buildFrame({ ip: { ...v6, ext6: [60] }, l4: { kind: 'udp', sport: 7, dport: 8 } });
  expect(f[14 + 6]).toBe(60);
  expect(f[14 + 40 + 1]).toBe(0);
  f[14 + 6] = 51;
  return f;
}

describe('the index writer\'s cluster hash shortcut', () => {
  const frames = [...Object.values(specs).map(buildFrame), ipv6WithAh()];

  it.each(HASHED_TYPES)('type %i: agrees with locate + cluster_hash on every hand-built frame and every cut of it', (type) => {
    const r = compare(allCuts(frames), type);
    expect(r.mismatches).toEqual([]);
    expect(r.taken).toBeGreaterThan(0);
  });

  it('answers for the common frames and steps aside for everything locate must walk', () => {
    const taken = (name: string) => compare([buildFrame(specs[name]!)], 4).taken === 1;
    for (const name of ['IPv4 TCP', 'IPv4 UDP', 'IPv4 SCTP', 'IPv4 ICMP', 'IPv4 TCP, VLAN 100', 'IPv4 UDP, 802.1ad tag', 'IPv6 TCP', 'IPv6 UDP, VLAN 4095', 'IPv6 ICMPv6']) {
      expect(taken(name), name).toBe(true);
    }
    for (const name of ['IPv4 UDP, QinQ', 'IPv4 options', 'IPv4 over MPLS', 'IPv4 over PPPoE', 'IPv6 extension headers', 'IPv6 first fragment', 'ARP']) {
      expect(taken(name), name).toBe(false);
    }
    expect(compare([ipv6WithAh()], 4).taken, 'IPv6 AH').toBe(0);
    // A frame cut inside its ports hashes to 0 the full way (as the kernel's fanout program): the shortcut steps aside.
    const tcp = buildFrame(specs['IPv4 TCP']!);
    expect(compare([tcp.subarray(0, 14 + 20 + 3)], 4).taken).toBe(0);
  });

  it('never answers for an IPv4 fragment, first or later', () => {
    const parts = buildIPv4Fragments({ ip: { ...v4, id: 4242 }, l4: { kind: 'udp', sport: 1000, dport: 2000 }, payload: new Uint8Array(3000) }, 1480);
    expect(parts.length).toBeGreaterThan(1);
    for (const type of HASHED_TYPES) {
      const r = compare(allCuts(parts), type);
      expect(r).toEqual({ taken: 0, mismatches: [] });
    }
  });

  it('agrees on the hand-computed hash vectors (fixtures/hash-vectors.json)', () => {
    const plain = hashVectors.filter((v) => v.vlanTci === undefined || v.vlanTci < 0).map((v) => vectorFrame(v.spec));
    for (const type of HASHED_TYPES) expect(compare(plain, type).mismatches).toEqual([]);
  });

  it('agrees on 200,000 frames with random header bytes and random cuts', () => {
    // Mutations aimed at what both parsers read: ethertypes, VLAN tags, the
    // IP version/IHL byte, fragment bits, the protocol, addresses and ports.
    let seed = 0x9e3779b9;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    const hot = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 27, 34, 35, 36, 37, 38, 39, 40, 41, 44, 45, 54, 55, 56, 57];
    const mutated: Uint8Array[] = [];
    for (let i = 0; i < 200_000; i++) {
      const f = frames[rand(frames.length)]!.slice();
      for (let k = 1 + rand(3); k > 0; k--) {
        const at = rand(2) ? hot[rand(hot.length)]! : rand(f.length);
        if (at < f.length) f[at] = rand(4) === 0 ? [0x45, 0x60, 0x81, 0x86, 0x08, 0x00, 0xdd, 6, 17, 44, 43, 51, 60, 132][rand(14)]! : rand(256);
      }
      mutated.push(rand(4) === 0 ? f.subarray(0, rand(f.length + 1)) : f);
    }
    for (const type of HASHED_TYPES) {
      const r = compare(mutated, type);
      expect(r.mismatches.slice(0, 5)).toEqual([]);
      expect(r.taken).toBeGreaterThan(10_000);
    }
  });

  const rows = sharedPcaps()?.filter((r) => !r.unsupported);
  it.skipIf(!rows)(rows ? 'agrees on every frame of every shared Ethernet capture' : SHARED_PCAPS_SKIP, () => {
    let frames = 0;
    let taken = 0;
    for (const row of rows!) {
      const { linkType, packets } = native.readPcapForTest(row.file) as { linkType: number; packets: Uint8Array[] };
      if (linkType !== 1) continue;
      frames += packets.length;
      for (const type of HASHED_TYPES) {
        const r = compare(packets, type);
        expect(r.mismatches.slice(0, 5), `${row.localPath} type ${type}`).toEqual([]);
        if (type === 4) taken += r.taken;
      }
    }
    expect(frames).toBeGreaterThan(1000);
    expect(taken).toBeGreaterThan(100); // most shared captures are tunnels and fragments, which take the full path
  });
});
