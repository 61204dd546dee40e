import { describe, expect, it } from 'vitest';
import { CLUSTER_TYPE_NAMES, clusterHash, fanoutProgram } from '../src/cluster.js';
import type { CbpfInsn } from '../src/cluster.js';
import { LinkType } from '../src/locate.js';
import { loadNative } from '../src/loader.js';
import { sharedPcaps, SHARED_PCAPS_SKIP } from '../../../test/support/pcaps.js';
import {
  ARPHRD_ETHER, checkClassic, PACKET_HOST, runCbpf, rxView, SKF_AD, SKF_AD_OFF, SKF_LL_OFF, SKF_NET_OFF, txView,
} from './support/cbpf-interp.js';
import type { SkbView } from './support/cbpf-interp.js';
import { buildFrame, buildIpPacket, concat, loopLink, nullLink, sll, sll2 } from './support/frames.js';
import { hashVectors, swapped, vectorFrame } from './support/vectors.js';

const HASHED = [0, 2, 3, 4, 5] as const;
const programs = new Map<number, CbpfInsn[]>(HASHED.map((t) => [t, fanoutProgram(t)]));

/** Every kernel view of a frame the program must hash like the C++ does. */
function views(frame: Uint8Array, linkType: number, vlanTci: number): [string, SkbView][] {
  const out: [string, SkbView][] = [];
  const rx = rxView(frame, linkType, vlanTci);
  if (rx) out.push(['received', rx]);
  const tx = txView(frame, linkType, vlanTci);
  if (tx) out.push(['outgoing', tx]);
  // Outgoing with the outer tag still in metadata (hardware tag insertion).
  if (linkType === 1 && vlanTci < 0 && frame.length >= 18 && [0x8100, 0x88a8].includes((frame[12]! << 8) | frame[13]!)) {
    const tci = (frame[14]! << 8) | frame[15]!;
    const untagged = concat(frame.subarray(0, 12), frame.subarray(16));
    const v = txView(untagged, 1, tci);
    if (v) out.push(['outgoing, tag in metadata', v]);
  }
  return out;
}

/** Asserts program result == clusterHash for every hashed type and kernel view; returns the number of checks. */
function agree(frame: Uint8Array, linkType: number, vlanTci: number, where: string): number {
  let n = 0;
  for (const t of HASHED) {
    const expected = clusterHash(frame, t, linkType, vlanTci);
    for (const [view, skb] of views(frame, linkType, vlanTci)) {
      const got = runCbpf(programs.get(t)!, skb);
      if (got !== expected) {
        expect.fail(`${where}, ${CLUSTER_TYPE_NAMES[t]}, ${view} view: program returned ${got}, clusterHash ${expected}`);
      }
      n++;
    }
  }
  return n;
}

describe('fanout programs: what the kernel accepts', () => {
  it.each(HASHED.map((t) => [CLUSTER_TYPE_NAMES[t], t] as const))('%s passes the classic checker, within BPF_MAXINSNS', (_n, t) => {
    const prog = programs.get(t)!;
    expect(() => checkClassic(prog)).not.toThrow();
    expect(prog.length).toBeLessThanOrEqual(4096);
    for (const [code, , , k] of prog) {
      // Only forward jumps exist in classic BPF; loads below SKF_AD_OFF must be MAC-header relative.
      if ((code & 0x07) === 0x00 && (code & 0xe0) !== 0x00 && (code & 0xe0) !== 0x60 && (code & 0xe0) !== 0x80) {
        const ks = k | 0;
        if (ks < 0) expect(ks >= SKF_AD_OFF || (ks >= SKF_LL_OFF && ks < SKF_NET_OFF), `load offset ${ks}`).toBe(true);
      }
    }
  });

  it('the checker itself refuses what the kernel refuses', () => {
    expect(() => checkClassic([[0x60, 0, 0, 3], [0x16, 0, 0, 0]])).toThrow('insn 0: reads scratch cell 3 before it is written on some path');
    expect(() => checkClassic([[0x15, 5, 0, 1], [0x06, 0, 0, 0]])).toThrow('insn 0: jump past the end');
    expect(() => checkClassic([[0x00, 0, 0, 1]])).toThrow('last instruction is not a return');
  });
});

describe('the interpreter models the kernel view', () => {
  const ret = (k: number): CbpfInsn => [0x16, 0, 0, k];
  const frame = buildFrame({ vlan: [42], ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: 1, dport: 2 } });
  it('received: the outer tag is in metadata, data at the network header', () => {
    const skb = rxView(frame, 1)!;
    expect(skb).toMatchObject({ vlanTci: 42, protocol: 0x0800, data: 14, network: 14, pktType: PACKET_HOST, hatype: ARPHRD_ETHER });
    expect(runCbpf([[0x20, 0, 0, (SKF_AD_OFF + SKF_AD.VLAN_TAG) >>> 0], ret(0)], skb)).toBe(42);
    expect(runCbpf([[0x30, 0, 0, 0], ret(0)], skb)).toBe(0x45); // ldb [0]: IPv4 version/IHL
    expect(runCbpf([[0x28, 0, 0, (SKF_LL_OFF + 12) >>> 0], ret(0)], skb)).toBe(0x0800); // MAC header closed up
    expect(runCbpf([[0x30, 0, 0, (SKF_NET_OFF + 9) >>> 0], ret(0)], skb)).toBe(17);
  });
  it('a load past the end returns 0 from the program', () => {
    const skb = rxView(frame, 1)!;
    expect(runCbpf([[0x20, 0, 0, 10_000], ret(7)], skb)).toBe(0);
  });
});

describe('fanout programs == clusterHash: hand-computed vectors', () => {
  it.each(hashVectors.map((v) => [v.name, v] as const))('%s (and swapped)', (_n, v) => {
    for (const spec of [v.spec, swapped(v.spec)]) {
      const frame = vectorFrame(spec);
      expect(agree(frame, 1, v.vlanTci ?? -1, v.name)).toBeGreaterThan(0);
      for (const t of HASHED) {
        expect(runCbpf(programs.get(t)!, rxView(frame, 1, v.vlanTci ?? -1)!)).toBe(v.hashes[CLUSTER_TYPE_NAMES[t]!]);
      }
    }
  });
});

// Frames for every layer the program walks, including the bounds it shares with locate.
const ip = { src: '10.9.8.7', dst: '172.20.1.2' };
const ip6 = { src: '2001:db8:1::7', dst: 'fe80::abcd:1' };
const tcp = { kind: 'tcp', sport: 443, dport: 51000 } as const;
const udp = { kind: 'udp', sport: 123, dport: 123 } as const;
const layerFrames: [string, Uint8Array, number, number][] = [
  ['ipv4 tcp', buildFrame({ ip, l4: tcp }), 1, -1],
  ['ipv4 options', buildFrame({ ip: { ...ip, options: new Uint8Array(12) }, l4: udp }), 1, -1],
  ['ipv4 first fragment', buildFrame({ ip: { ...ip, moreFragments: true, id: 5 }, l4: { kind: 'raw', proto: 6 }, payload: new Uint8Array(24) }), 1, -1],
  ['ipv4 later fragment', buildFrame({ ip: { ...ip, fragOffset: 24, id: 5 }, l4: { kind: 'raw', proto: 17 }, payload: new Uint8Array(8) }), 1, -1],
  ['ipv4 ihl 4', (() => { const f = buildFrame({ ip, l4: tcp }); f[14] = 0x44; return f; })(), 1, -1],
  ['ipv4 bad version', (() => { const f = buildFrame({ ip, l4: tcp }); f[14] = 0x65; return f; })(), 1, -1],
  ['vlan 0x8100', buildFrame({ vlan: [7], ip, l4: tcp }), 1, -1],
  ['vlan 0x88a8 single', buildFrame({ vlan: [7], vlanTpids: [0x88a8], ip, l4: tcp }), 1, -1],
  ['vlan 0x9100 single (not untagged by the kernel)', buildFrame({ vlan: [9], vlanTpids: [0x9100], ip, l4: udp }), 1, -1],
  ['qinq', buildFrame({ vlan: [7, 8], ip: ip6, l4: tcp }), 1, -1],
  ['qinq 0x9100 outer', buildFrame({ vlan: [7, 8], vlanTpids: [0x9100, 0x8100], ip, l4: tcp }), 1, -1],
  ['three tags', buildFrame({ vlan: [1, 2, 3], vlanTpids: [0x88a8, 0x8100, 0x8100], ip, l4: tcp }), 1, -1],
  ['meta tag + in-band tag', buildFrame({ vlan: [7], ip, l4: tcp }), 1, 0x3005],
  ['meta tag + two in-band tags', buildFrame({ vlan: [7, 8], ip, l4: tcp }), 1, 5],
  ['mpls 1', buildFrame({ mpls: [3], ip, l4: tcp }), 1, -1],
  ['mpls 8 over vlan, ipv6', buildFrame({ vlan: [4], mpls: [1, 2, 3, 4, 5, 6, 7, 8], ip: ip6, l4: udp }), 1, -1],
  ['mpls 9', buildFrame({ mpls: [1, 2, 3, 4, 5, 6, 7, 8, 9], ip, l4: tcp }), 1, -1],
  ['mpls, not IP after the stack', (() => { const f = buildFrame({ mpls: [3], ip, l4: tcp }); f[18] = 0x00; return f; })(), 1, -1],
  ['pppoe ipv4', buildFrame({ pppoeSession: 9, ip, l4: tcp }), 1, -1],
  ['pppoe ipv6 over qinq', buildFrame({ vlan: [1, 2], pppoeSession: 9, ip: ip6, l4: udp }), 1, -1],
  ['pppoe lcp', (() => { const f = buildFrame({ pppoeSession: 9, ip, l4: tcp }); f[20] = 0xc0; f[21] = 0x21; return f; })(), 1, -1],
  ['ipv6 tcp', buildFrame({ ip: ip6, l4: tcp }), 1, -1],
  ['ipv6 ext chain', buildFrame({ ip: { ...ip6, ext6: [0, 43, 60, 51] }, l4: tcp }), 1, -1],
  ['ipv6 8 ext headers', buildFrame({ ip: { ...ip6, ext6: [0, 60, 60, 60, 60, 60, 60, 60] }, l4: udp }), 1, -1],
  ['ipv6 9 ext headers', buildFrame({ ip: { ...ip6, ext6: [0, 60, 60, 60, 60, 60, 60, 60, 60] }, l4: udp }), 1, -1],
  ['ipv6 first fragment', buildFrame({ ip: { ...ip6, ext6: [60], frag6: { offset: 0, more: true, id: 1 } }, l4: tcp }), 1, -1],
  ['ipv6 later fragment', buildFrame({ ip: { ...ip6, frag6: { offset: 8, more: false, id: 1 } }, l4: { kind: 'raw', proto: 6 }, payload: new Uint8Array(8) }), 1, -1],
  ['ipv6 icmpv6', buildFrame({ ip: ip6, l4: { kind: 'icmp6', type: 1, code: 4 } }), 1, -1],
  ['ipv6 bad version', (() => { const f = buildFrame({ ip: ip6, l4: tcp }); f[14] = 0x40; return f; })(), 1, -1],
  ['sctp', buildFrame({ ip, l4: { kind: 'sctp', sport: 9, dport: 10 } }), 1, -1],
  ['gre (no ports)', buildFrame({ ip, l4: { kind: 'raw', proto: 47 }, payload: new Uint8Array(8) }), 1, -1],
  ['802.3 length field', buildFrame({ etherType: 0x0040, body: new Uint8Array(64) }), 1, -1],
  ['sll ipv4', sll(0x0800, buildIpPacket(ip, tcp)), LinkType.LinuxSll, -1],
  ['sll with a re-inserted tag', sll(0x8100, concat(Uint8Array.of(0, 12, 0x08, 0x00), buildIpPacket(ip, udp))), LinkType.LinuxSll, -1],
  ['sll2 ipv6', sll2(0x86dd, buildIpPacket(ip6, udp)), LinkType.LinuxSll2, -1],
  ['raw ipv4', buildIpPacket(ip, tcp), LinkType.Raw, -1],
  ['raw ipv6', buildIpPacket(ip6, tcp), LinkType.Raw101, -1],
  ['ipv4 linktype', buildIpPacket(ip, tcp), LinkType.IPv4, -1],
  ['null ipv6', nullLink(28, buildIpPacket(ip6, tcp)), LinkType.Null, -1],
  ['loop ipv4', loopLink(2, buildIpPacket(ip, udp)), LinkType.Loop, -1],
];

describe('fanout programs == clusterHash: every layer, every truncation', () => {
  it.each(layerFrames)('%s', (name, frame, lt, tci) => {
    agree(frame, lt, tci, name);
    for (let len = 0; len < frame.length; len++) agree(frame.subarray(0, len), lt, tci, `${name} cut at ${len}`);
  });

  it('random mutations of every layer frame', () => {
    // A fixed LCG keeps failures reproducible.
    let seed = 0x9e3779b9;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    let checks = 0;
    for (let round = 0; round < 40; round++) {
      for (const [name, base, lt, tci] of layerFrames) {
        const f = base.slice();
        const flips = 1 + rnd(4);
        // Mutate the headers (the first 80 bytes), where the walk decides things.
        for (let i = 0; i < flips; i++) f[rnd(Math.min(80, f.length))] = rnd(256);
        checks += agree(f, lt, tci, `${name} mutated (round ${round}, bytes ${Array.from(f.subarray(0, 80)).join(',')})`);
      }
    }
    expect(checks).toBeGreaterThan(1000);
  });
});

describe('fanout programs == clusterHash: every packet of the shared captures', () => {
  const rows = sharedPcaps();
  it.skipIf(!rows)(rows ? 'all captures' : SHARED_PCAPS_SKIP, () => {
    const native = loadNative();
    let packets = 0;
    for (const row of rows!) {
      if (row.unsupported) continue;
      const { linkType, packets: frames } = native.readPcapForTest(row.file) as { linkType: number; packets: Uint8Array[] };
      if (![0, 1, 12, 14, 101, 108, 113, 228, 229, 276].includes(linkType)) continue;
      frames.forEach((f, i) => {
        agree(f, linkType, -1, `${row.localPath} packet ${i + 1}`);
        packets++;
      });
    }
    expect(packets).toBeGreaterThan(1000);
  });
});

describe('fanoutProgram: invalid arguments', () => {
  it('round-robin has no program', () => {
    expect(() => fanoutProgram('round-robin')).toThrow(
      expect.objectContaining({ code: 'PFW_INVALID_ARGUMENT', message: 'round-robin has no fanout program: the kernel balances it itself (PACKET_FANOUT_LB)' }),
    );
  });
  it('an unknown type is refused', () => {
    expect(() => fanoutProgram(9)).toThrow('unknown cluster type 9');
  });
  it('the native export refuses round-robin too', () => {
    expect(() => loadNative().fanoutProgram(1)).toThrow(
      'fanoutProgram: round-robin has no fanout program: the kernel balances it itself (PACKET_FANOUT_LB)',
    );
  });
});
