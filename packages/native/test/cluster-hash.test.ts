import { describe, expect, it } from 'vitest';
import { CLUSTER_TYPE_NAMES, ClusterType, clusterHash, clusterTypeName, clusterTypeNumber } from '../src/cluster.js';
import { LinkType } from '../src/locate.js';
import { buildFrame, buildIpPacket, nullLink, sll, sll2 } from './support/frames.js';
import { hashVectors, swapped, vectorFrame } from './support/vectors.js';

describe('cluster types', () => {
  it("carry PF_RING's numbers under both spellings", () => {
    expect(ClusterType.PerFlow).toBe(0);
    expect(ClusterType.RoundRobin).toBe(1);
    expect(ClusterType.PerFlow2Tuple).toBe(2);
    expect(ClusterType.PerFlow4Tuple).toBe(3);
    expect(ClusterType.PerFlow5Tuple).toBe(4);
    expect(ClusterType.PerFlowTcp5Tuple).toBe(5);
    CLUSTER_TYPE_NAMES.forEach((name, i) => {
      expect(ClusterType[name]).toBe(i);
      expect(clusterTypeNumber(name)).toBe(i);
      expect(clusterTypeName(i)).toBe(name);
    });
  });
});

describe('clusterHash: hand-computed vectors (fixtures/hash-vectors.json)', () => {
  it('covers every type in every vector', () => {
    for (const v of hashVectors) expect(Object.keys(v.hashes).sort()).toEqual([...CLUSTER_TYPE_NAMES].sort());
  });

  for (const v of hashVectors) {
    describe(v.name, () => {
      it.each(CLUSTER_TYPE_NAMES.map((t) => [t] as const))('%s', (type) => {
        const expected = v.hashes[type];
        expect(clusterHash(vectorFrame(v.spec), type, LinkType.Ethernet, v.vlanTci ?? -1), v.why).toBe(expected);
        expect(clusterHash(vectorFrame(swapped(v.spec)), type, LinkType.Ethernet, v.vlanTci ?? -1), 'swapped direction').toBe(expected);
      });
    });
  }
});

describe('clusterHash: one formula on every link type', () => {
  const tcp = { kind: 'tcp', sport: 1000, dport: 80 } as const;
  const ip = { src: '10.0.0.1', dst: '10.0.0.2' };
  const ipv6 = { src: '2001:db8::1', dst: '2001:db8::2' };
  const eth4 = buildFrame({ ip, l4: tcp });
  const eth6 = buildFrame({ ip: ipv6, l4: tcp });
  const cases: [string, Uint8Array, number, Uint8Array][] = [
    ['Linux cooked v1', sll(0x0800, buildIpPacket(ip, tcp)), LinkType.LinuxSll, eth4],
    ['Linux cooked v2', sll2(0x86dd, buildIpPacket(ipv6, tcp)), LinkType.LinuxSll2, eth6],
    ['raw IP', buildIpPacket(ip, tcp), LinkType.Raw, eth4],
    ['LINKTYPE_IPV6', buildIpPacket(ipv6, tcp), LinkType.IPv6, eth6],
    ['NULL', nullLink(30, buildIpPacket(ipv6, tcp)), LinkType.Null, eth6],
  ];
  it.each(cases)('%s hashes like the same packet over Ethernet', (_n, frame, lt, eth) => {
    for (let t = 0; t < 6; t++) expect(clusterHash(frame, t, lt)).toBe(clusterHash(eth, t));
  });

  it('a tag in metadata hashes exactly like the same tag in the bytes', () => {
    const untagged = buildFrame({ ip, l4: tcp });
    const tagged = buildFrame({ vlan: [321], ip, l4: tcp });
    for (let t = 0; t < 6; t++) expect(clusterHash(untagged, t, 1, 321)).toBe(clusterHash(tagged, t));
    expect(clusterHash(untagged, 'per-flow', 1, 321)).toBe(clusterHash(untagged, 'per-flow') + 321);
  });
});

describe('clusterHash: cut-short packets hash as the kernel program does', () => {
  const frame = buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: 1, dport: 2 } });
  const A = 0x14000003;
  it('without the IP addresses: 0 for every type', () => {
    for (let t = 0; t < 6; t++) expect(clusterHash(frame.subarray(0, 33), t)).toBe(0);
  });
  it('without the ports: the 2-tuple still hashes; types that need ports give 0', () => {
    const cut = frame.subarray(0, 36); // IPv4 header + 2 bytes of UDP
    expect(clusterHash(cut, 'per-flow-2-tuple')).toBe(A);
    expect(clusterHash(cut, 'per-flow-tcp-5-tuple')).toBe(A); // UDP: the 2-tuple, ports not needed
    expect(clusterHash(cut, 'per-flow')).toBe(0);
    expect(clusterHash(cut, 'per-flow-4-tuple')).toBe(0);
    expect(clusterHash(cut, 'per-flow-5-tuple')).toBe(0);
  });
});

describe('clusterHash: invalid arguments', () => {
  it('rejects an unknown cluster type, listing the valid ones', () => {
    expect(() => clusterHash(new Uint8Array(60), 6)).toThrow(
      expect.objectContaining({
        code: 'PFW_INVALID_ARGUMENT',
        message:
          'unknown cluster type 6: use one of per-flow (0), round-robin (1), per-flow-2-tuple (2), per-flow-4-tuple (3), per-flow-5-tuple (4), per-flow-tcp-5-tuple (5)',
      }),
    );
    expect(() => clusterHash(new Uint8Array(60), 'per-packet' as never)).toThrow('unknown cluster type "per-packet"');
  });

  it('rejects bytes that are not a Uint8Array', () => {
    expect(() => clusterHash([1, 2, 3] as unknown as Uint8Array, 0)).toThrow('clusterHash: bytes must be a Uint8Array');
  });

  it('rejects a bad vlanTciFromMeta', () => {
    expect(() => clusterHash(new Uint8Array(60), 0, 1, -2)).toThrow('clusterHash: vlanTciFromMeta must be -1 (none) or a 16-bit TCI, got -2');
  });
});
