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
import { SHARED_PCAPS_SKIP } from '../../../test/support/pcaps.js';
import { buildFrame, buildIPv4Fragments } from './support/frames.js';
import {
  allCuts, COMMON_FRAME_SPECS as specs, COMMON_V4 as v4, commonFrames, ipv6WithAh, mutatedFrames, SHARED_CAPTURES, sharedEthernetCaptures,
} from './support/common-frames.js';
import { hashVectors, vectorFrame } from './support/vectors.js';

interface Compared {
  taken: number;
  /** [frame index, shortcut's hash, full path's hash or -1 for a fragment] */
  mismatches: [number, number, number][];
}

const HASHED_TYPES = [0, 2, 3, 4, 5]; // every PF_RING cluster type but round-robin (1)
const native = loadNative();
const compare = (frames: Uint8Array[], type: number) => native.clusterHashShortcutForTest(frames, type) as Compared;

describe('the index writer\'s cluster hash shortcut', () => {
  const frames = commonFrames();

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
    const mutated = mutatedFrames(frames, 200_000);
    for (const type of HASHED_TYPES) {
      const r = compare(mutated, type);
      expect(r.mismatches.slice(0, 5)).toEqual([]);
      expect(r.taken).toBeGreaterThan(10_000);
    }
  });

  it.skipIf(!SHARED_CAPTURES)(SHARED_CAPTURES ? 'agrees on every frame of every shared Ethernet capture' : SHARED_PCAPS_SKIP, () => {
    let frames = 0;
    let taken = 0;
    for (const { name, packets } of sharedEthernetCaptures()) {
      frames += packets.length;
      for (const type of HASHED_TYPES) {
        const r = compare(packets, type);
        expect(r.mismatches.slice(0, 5), `${name} type ${type}`).toEqual([]);
        if (type === 4) taken += r.taken;
      }
    }
    expect(frames).toBeGreaterThan(1000);
    expect(taken).toBeGreaterThan(100); // most shared captures are tunnels and fragments, which take the full path
  });
});
