/**
 * locate()'s fast path (cpp/locate.cc, locate_ethernet_fast): Ethernet frames
 * with at most one tag, IPv4 without options and not a fragment or IPv6
 * without extension headers, carrying a whole TCP or UDP header. Wherever it
 * answers, its PacketMeta must be the general walk's byte for byte (every
 * field, every flag, with and without a tag from packet metadata); wherever it
 * does not, it must have written nothing. locateFastForTest runs both in C++
 * and lists the frames where either fails.
 */
import { describe, expect, it } from 'vitest';
import { loadNative } from '../src/loader.js';
import { SHARED_PCAPS_SKIP } from '../../../test/support/pcaps.js';
import { buildFrame, buildIPv4Fragments } from './support/frames.js';
import {
  allCuts, COMMON_FRAME_SPECS as specs, COMMON_V4 as v4, commonFrames, mutatedFrames, SHARED_CAPTURES, sharedEthernetCaptures,
} from './support/common-frames.js';
import { hashVectors, vectorFrame } from './support/vectors.js';

interface Compared {
  taken: number;
  /** indexes of the frames where the fast path disagreed with the walk, or wrote without answering */
  mismatches: number[];
}

const native = loadNative();
const compare = (frames: Uint8Array[], vlanTci = -1) => native.locateFastForTest(frames, vlanTci) as Compared;
/** Metadata tags as TPACKET_V3 hands them over (tp_vlan_tci): none, VLAN 100 with priority bits, VLAN 0. */
const TCIS = [-1, 0x6064, 0];

/** An IPv4 TCP frame with `payload` bytes after the header and the data offset byte set to `offsetByte`. */
function tcpWithDataOffset(offsetByte: number, payload: number): Uint8Array {
  const f = buildFrame({ ip: v4, l4: { kind: 'tcp', sport: 1234, dport: 80, flags: 'PA' }, payload: new Uint8Array(payload).fill(1) });
  expect(f[14 + 20 + 12]).toBe(0x50);
  f[14 + 20 + 12] = offsetByte;
  return f;
}

describe("locate()'s fast path for common Ethernet frames", () => {
  const frames = [
    ...commonFrames(),
    tcpWithDataOffset(0x60, 8), // 4 bytes of TCP options
    tcpWithDataOffset(0xf0, 40), // 60-byte header, all captured
    tcpWithDataOffset(0xf0, 10), // 60-byte header cut by the capture: truncated
    tcpWithDataOffset(0x40, 8), // data offset below 5: malformed
    buildFrame({ ip: { ...v4, ttl: 3 }, l4: { kind: 'udp', sport: 1, dport: 2 }, payload: new Uint8Array(1) }),
  ];

  it.each(TCIS)('metadata tag %i: agrees with the walk on every hand-built frame and every cut of it', (tci) => {
    const r = compare(allCuts(frames), tci);
    expect(r.mismatches).toEqual([]);
    expect(r.taken).toBeGreaterThan(20); // the cuts that keep a whole transport header
  });

  it('answers for plain TCP and UDP and leaves everything else to the walk', () => {
    const taken = (f: Uint8Array, tci = -1) => compare([f], tci).taken === 1;
    for (const name of ['IPv4 TCP', 'IPv4 UDP', 'IPv4 TCP, VLAN 100', 'IPv4 UDP, 802.1ad tag', 'IPv6 TCP', 'IPv6 UDP, VLAN 4095']) {
      expect(taken(buildFrame(specs[name]!)), name).toBe(true);
    }
    for (const name of ['IPv4 SCTP', 'IPv4 ICMP', 'IPv4 other protocol', 'IPv4 UDP, QinQ', 'IPv4 options', 'IPv4 over MPLS', 'IPv4 over PPPoE', 'IPv6 ICMPv6', 'IPv6 extension headers', 'IPv6 first fragment', 'ARP']) {
      expect(taken(buildFrame(specs[name]!)), name).toBe(false);
    }
    expect(taken(tcpWithDataOffset(0x60, 8)), 'TCP options').toBe(true);
    expect(taken(tcpWithDataOffset(0xf0, 10)), 'TCP header cut').toBe(false);
    expect(taken(tcpWithDataOffset(0x40, 8)), 'TCP data offset 4').toBe(false);
    // One tag in the frame and one from metadata make two: the walk's QinQ; a second frame tag is not walked.
    expect(taken(buildFrame(specs['IPv4 TCP, VLAN 100']!), 100), 'frame tag + metadata tag').toBe(true);
    expect(taken(buildFrame(specs['IPv4 UDP, QinQ']!), 100), 'two frame tags + metadata tag').toBe(false);
    // IPv4 total length shorter than its header (0 on some TSO captures): the walk flags it malformed.
    const tso = buildFrame(specs['IPv4 TCP']!);
    tso[14 + 2] = 0;
    tso[14 + 3] = 0;
    expect(taken(tso), 'total length 0').toBe(false);
    expect(compare([tso]).mismatches).toEqual([]);
  });

  it('never answers for an IPv4 fragment, first or later', () => {
    const parts = buildIPv4Fragments({ ip: { ...v4, id: 4242 }, l4: { kind: 'udp', sport: 1000, dport: 2000 }, payload: new Uint8Array(3000) }, 1480);
    expect(parts.length).toBeGreaterThan(1);
    for (const tci of TCIS) expect(compare(allCuts(parts), tci)).toEqual({ taken: 0, mismatches: [] });
  });

  it('agrees on the hand-computed hash vectors (fixtures/hash-vectors.json)', () => {
    for (const v of hashVectors) {
      const r = compare([vectorFrame(v.spec)], v.vlanTci ?? -1);
      expect(r.mismatches, JSON.stringify(v.spec)).toEqual([]);
    }
  });

  it('agrees on 200,000 frames with random header bytes and random cuts', () => {
    const mutated = mutatedFrames(frames, 200_000);
    for (const tci of TCIS) {
      const r = compare(mutated, tci);
      expect(r.mismatches.slice(0, 5)).toEqual([]);
      expect(r.taken).toBeGreaterThan(3_000);
    }
  });

  it.skipIf(!SHARED_CAPTURES)(SHARED_CAPTURES ? 'agrees on every frame of every shared Ethernet capture' : SHARED_PCAPS_SKIP, () => {
    let all = 0;
    let taken = 0;
    for (const { name, packets } of sharedEthernetCaptures()) {
      all += packets.length;
      for (const tci of [-1, 0x0123]) {
        const r = compare(packets, tci);
        expect(r.mismatches.slice(0, 5), `${name} tci ${tci}`).toEqual([]);
        if (tci === -1) taken += r.taken;
      }
    }
    expect(all).toBeGreaterThan(1000);
    expect(taken).toBeGreaterThan(100);
  });
});
