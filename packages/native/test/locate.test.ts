import { describe, expect, it } from 'vitest';
import { LinkType, locate, MetaFlag, NO_OFFSET } from '../src/locate.js';
import type { LocatedPacket } from '../src/locate.js';
import { buildFrame, buildIpPacket, concat, loopLink, nullLink, sll, sll2 } from './support/frames.js';

const tcp = { kind: 'tcp', sport: 40000, dport: 80, flags: 'SA' } as const;
const udp = { kind: 'udp', sport: 5353, dport: 53 } as const;
const v4 = { src: '10.0.0.1', dst: '192.168.1.2', ttl: 61 };
const v6 = { src: '2001:db8::1', dst: 'fe80::2', ttl: 33 };
const payload = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 0xff);
const ip4 = (a: string) => a.split('.').reduce((n, b) => n * 256 + Number(b), 0);

interface Case {
  name: string;
  frame: Uint8Array;
  linkType?: number;
  vlanTci?: number;
  expect: Partial<LocatedPacket>;
  flags: number;
}

const P = MetaFlag;
const cases: Case[] = [
  {
    name: 'Ethernet IPv4 TCP',
    frame: buildFrame({ ip: v4, l4: tcp, payload: payload(10) }),
    flags: P.IPv4 | P.HasPorts,
    expect: { ethType: 0x0800, ipVersion: 4, proto: 6, ttl: 61, l3Off: 14, l4Off: 34, payloadOff: 54, sport: 40000, dport: 80, tcpFlags: 0x12, ipLen: 50, src4: ip4('10.0.0.1'), dst4: ip4('192.168.1.2'), vlanCount: 0 },
  },
  {
    name: 'Ethernet IPv4 UDP',
    frame: buildFrame({ ip: v4, l4: udp, payload: payload(5) }),
    flags: P.IPv4 | P.HasPorts,
    expect: { proto: 17, l4Off: 34, payloadOff: 42, sport: 5353, dport: 53, ipLen: 33, tcpFlags: 0 },
  },
  {
    name: 'Ethernet IPv4 SCTP',
    frame: buildFrame({ ip: v4, l4: { kind: 'sctp', sport: 2905, dport: 2906 } }),
    flags: P.IPv4 | P.HasPorts,
    expect: { proto: 132, l4Off: 34, payloadOff: 46, sport: 2905, dport: 2906 },
  },
  {
    name: 'Ethernet IPv4 ICMP echo: type/code in sport/dport, not ports',
    frame: buildFrame({ ip: v4, l4: { kind: 'icmp', type: 8, code: 0, id: 7, seq: 1 } }),
    flags: P.IPv4 | P.Icmp,
    expect: { proto: 1, l4Off: 34, payloadOff: 42, sport: 8, dport: 0 },
  },
  {
    name: 'IPv4 with 8 bytes of options',
    frame: buildFrame({ ip: { ...v4, options: Uint8Array.of(0x94, 4, 0, 0, 1, 1, 1, 0) }, l4: udp }),
    flags: P.IPv4 | P.HasPorts,
    expect: { l3Off: 14, l4Off: 42, payloadOff: 50, sport: 5353, ipLen: 36 },
  },
  {
    name: 'IPv4 first fragment carries the ports',
    frame: buildFrame({ ip: { ...v4, id: 0x1234, moreFragments: true }, l4: { kind: 'raw', proto: 17 }, payload: concat(Uint8Array.of(0x14, 0xe9, 0, 53, 0, 40, 0, 0), payload(24)) }),
    flags: P.IPv4 | P.HasPorts | P.Fragment | P.FirstFragment | P.MoreFragments,
    expect: { proto: 17, sport: 5353, dport: 53, fragId: 0x1234, fragOff: 0, fragLen: 32, l4Off: 34 },
  },
  {
    name: 'IPv4 later fragment: no transport header',
    frame: buildFrame({ ip: { ...v4, id: 0x1234, fragOffset: 32 }, l4: { kind: 'raw', proto: 17 }, payload: payload(16) }),
    flags: P.IPv4 | P.Fragment,
    expect: { proto: 17, sport: 0, dport: 0, fragId: 0x1234, fragOff: 32, fragLen: 16, l4Off: NO_OFFSET, payloadOff: NO_OFFSET },
  },
  {
    name: 'one VLAN tag (0x8100)',
    frame: buildFrame({ vlan: [100], ip: v4, l4: tcp }),
    flags: P.IPv4 | P.HasPorts,
    expect: { vlanId: 100, vlanCount: 1, innerVlanId: 0, l3Off: 18, l4Off: 38 },
  },
  {
    name: 'QinQ (0x88a8 outer, 0x8100 inner)',
    frame: buildFrame({ vlan: [300, 4000], ip: v4, l4: tcp }),
    flags: P.IPv4 | P.HasPorts,
    expect: { vlanId: 300, innerVlanId: 4000, vlanCount: 2, l3Off: 22, l4Off: 42 },
  },
  {
    name: 'QinQ with 0x9100 outer tag',
    frame: buildFrame({ vlan: [5, 6], vlanTpids: [0x9100, 0x8100], ip: v4, l4: udp }),
    flags: P.IPv4 | P.HasPorts,
    expect: { vlanId: 5, innerVlanId: 6, vlanCount: 2, l3Off: 22 },
  },
  {
    name: 'VLAN tag from metadata counts as the outer tag',
    frame: buildFrame({ ip: v4, l4: tcp }),
    vlanTci: 0xe000 | 42,
    flags: P.IPv4 | P.HasPorts | P.VlanFromMeta,
    expect: { vlanId: 42, vlanCount: 1, l3Off: 14 },
  },
  {
    name: 'metadata tag plus one in-band tag: QinQ',
    frame: buildFrame({ vlan: [7], ip: v4, l4: tcp }),
    vlanTci: 9,
    flags: P.IPv4 | P.HasPorts | P.VlanFromMeta,
    expect: { vlanId: 9, innerVlanId: 7, vlanCount: 2, l3Off: 18 },
  },
  {
    name: 'metadata tag plus two in-band tags: the third tag is not walked (not IP)',
    frame: buildFrame({ vlan: [7, 8], ip: v4, l4: tcp }),
    vlanTci: 9,
    flags: P.VlanFromMeta,
    expect: { vlanId: 9, innerVlanId: 7, vlanCount: 2, ethType: 0x8100, l3Off: NO_OFFSET, ipVersion: 0 },
  },
  {
    name: 'three in-band tags: not IP',
    frame: buildFrame({ vlan: [1, 2, 3], vlanTpids: [0x88a8, 0x8100, 0x8100], ip: v4, l4: tcp }),
    flags: 0,
    expect: { vlanId: 1, innerVlanId: 2, vlanCount: 2, ethType: 0x8100, l3Off: NO_OFFSET },
  },
  {
    name: 'MPLS, one label, IPv4 guessed from the nibble',
    frame: buildFrame({ mpls: [1000], ip: v4, l4: tcp }),
    flags: P.IPv4 | P.HasPorts,
    expect: { ethType: 0x0800, l3Off: 18, l4Off: 38, sport: 40000 },
  },
  {
    name: 'MPLS stack of three labels over VLAN, IPv6 inside',
    frame: buildFrame({ vlan: [10], mpls: [16, 17, 18], ip: v6, l4: udp }),
    flags: P.IPv6 | P.HasPorts,
    expect: { ethType: 0x86dd, vlanId: 10, l3Off: 30, l4Off: 70, payloadOff: 78, proto: 17 },
  },
  {
    name: 'MPLS stack deeper than 8 labels: not walked',
    frame: buildFrame({ mpls: [1, 2, 3, 4, 5, 6, 7, 8, 9], ip: v4, l4: tcp }),
    flags: 0,
    expect: { ethType: 0x8847, l3Off: NO_OFFSET },
  },
  {
    name: 'MPLS with 8 labels is walked',
    frame: buildFrame({ mpls: [1, 2, 3, 4, 5, 6, 7, 8], ip: v4, l4: tcp }),
    flags: P.IPv4 | P.HasPorts,
    expect: { ethType: 0x0800, l3Off: 46 },
  },
  {
    name: 'PPPoE session, IPv4',
    frame: buildFrame({ pppoeSession: 0x1234, ip: v4, l4: tcp }),
    flags: P.IPv4 | P.HasPorts,
    expect: { ethType: 0x0800, l3Off: 22, l4Off: 42 },
  },
  {
    name: 'PPPoE session over VLAN, IPv6',
    frame: buildFrame({ vlan: [20], pppoeSession: 1, ip: v6, l4: tcp }),
    flags: P.IPv6 | P.HasPorts,
    expect: { ethType: 0x86dd, vlanId: 20, l3Off: 26, l4Off: 66 },
  },
  {
    name: 'IPv6 TCP',
    frame: buildFrame({ ip: v6, l4: tcp, payload: payload(3) }),
    flags: P.IPv6 | P.HasPorts,
    expect: { ethType: 0x86dd, ipVersion: 6, proto: 6, ttl: 33, l3Off: 14, l4Off: 54, payloadOff: 74, ipLen: 63, tcpFlags: 0x12 },
  },
  {
    name: 'IPv6 hop-by-hop, routing, destination options and AH skipped',
    frame: buildFrame({ ip: { ...v6, ext6: [0, 43, 60, 51] }, l4: udp }),
    flags: P.IPv6 | P.HasPorts,
    expect: { proto: 17, l4Off: 54 + 32, sport: 5353, dport: 53 },
  },
  {
    name: 'IPv6 first fragment: ports after the fragment header',
    frame: buildFrame({ ip: { ...v6, frag6: { offset: 0, more: true, id: 0xdeadbeef } }, l4: udp, payload: payload(8) }),
    flags: P.IPv6 | P.HasPorts | P.Fragment | P.FirstFragment | P.MoreFragments,
    expect: { proto: 17, l4Off: 62, sport: 5353, fragId: 0xdeadbeef, fragOff: 0, fragLen: 16 },
  },
  {
    name: 'IPv6 later fragment: proto from the fragment header, no ports',
    frame: buildFrame({ ip: { ...v6, frag6: { offset: 1448, more: false, id: 77 } }, l4: { kind: 'raw', proto: 6 }, payload: payload(20) }),
    flags: P.IPv6 | P.Fragment,
    expect: { proto: 6, l4Off: NO_OFFSET, sport: 0, fragId: 77, fragOff: 1448, fragLen: 20 },
  },
  {
    name: 'IPv6 with 9 extension headers: the 9th next-header counts as the protocol',
    frame: buildFrame({ ip: { ...v6, ext6: [0, 60, 60, 60, 60, 60, 60, 60, 60] }, l4: udp }),
    flags: P.IPv6,
    expect: { proto: 60, l4Off: NO_OFFSET, sport: 0 },
  },
  {
    name: 'ICMPv6 echo',
    frame: buildFrame({ ip: v6, l4: { kind: 'icmp6', type: 128, code: 0 } }),
    flags: P.IPv6 | P.Icmp,
    expect: { proto: 58, sport: 128, dport: 0, l4Off: 54, payloadOff: 62 },
  },
  {
    name: 'ARP is not IP',
    frame: buildFrame({ etherType: 0x0806 }),
    flags: 0,
    expect: { ethType: 0x0806, ipVersion: 0, l3Off: NO_OFFSET, proto: 0 },
  },
  {
    name: 'Linux cooked v1',
    frame: sll(0x0800, buildIpPacket(v4, tcp)),
    linkType: LinkType.LinuxSll,
    flags: P.IPv4 | P.HasPorts,
    expect: { l3Off: 16, l4Off: 36, sport: 40000 },
  },
  {
    name: 'Linux cooked v1 with a VLAN tag re-inserted by libpcap',
    frame: sll(0x8100, concat(Uint8Array.of(0, 55, 0x86, 0xdd), buildIpPacket(v6, udp))),
    linkType: LinkType.LinuxSll,
    flags: P.IPv6 | P.HasPorts,
    expect: { vlanId: 55, l3Off: 20, l4Off: 60 },
  },
  {
    name: 'Linux cooked v2',
    frame: sll2(0x86dd, buildIpPacket(v6, tcp)),
    linkType: LinkType.LinuxSll2,
    flags: P.IPv6 | P.HasPorts,
    expect: { l3Off: 20, l4Off: 60 },
  },
  ...[LinkType.Raw, LinkType.Raw14, LinkType.Raw101].flatMap((lt) => [
    { name: `raw IP (${lt}) IPv4`, frame: buildIpPacket(v4, udp), linkType: lt, flags: P.IPv4 | P.HasPorts, expect: { l3Off: 0, l4Off: 20, ethType: 0x0800 } },
    { name: `raw IP (${lt}) IPv6`, frame: buildIpPacket(v6, udp), linkType: lt, flags: P.IPv6 | P.HasPorts, expect: { l3Off: 0, l4Off: 40, ethType: 0x86dd } },
  ]),
  { name: 'LINKTYPE_IPV4 (228)', frame: buildIpPacket(v4, tcp), linkType: LinkType.IPv4, flags: P.IPv4 | P.HasPorts, expect: { l3Off: 0, l4Off: 20 } },
  { name: 'LINKTYPE_IPV6 (229)', frame: buildIpPacket(v6, tcp), linkType: LinkType.IPv6, flags: P.IPv6 | P.HasPorts, expect: { l3Off: 0, l4Off: 40 } },
  { name: 'NULL, family 2 (IPv4)', frame: nullLink(2, buildIpPacket(v4, tcp)), linkType: LinkType.Null, flags: P.IPv4 | P.HasPorts, expect: { l3Off: 4, l4Off: 24 } },
  ...[24, 28, 30].map((fam) => ({
    name: `NULL, family ${fam} (IPv6)`,
    frame: nullLink(fam, buildIpPacket(v6, udp)),
    linkType: LinkType.Null,
    flags: P.IPv6 | P.HasPorts,
    expect: { l3Off: 4, l4Off: 44 },
  })),
  { name: 'NULL written on a host of the other byte order', frame: nullLink(30, buildIpPacket(v6, udp), true), linkType: LinkType.Null, flags: P.IPv6 | P.HasPorts, expect: { l3Off: 4 } },
  { name: 'NULL with an unknown family', frame: nullLink(7, buildIpPacket(v4, udp)), linkType: LinkType.Null, flags: 0, expect: { l3Off: NO_OFFSET, ethType: 0 } },
  { name: 'LOOP, family 2 (network order)', frame: loopLink(2, buildIpPacket(v4, udp)), linkType: LinkType.Loop, flags: P.IPv4 | P.HasPorts, expect: { l3Off: 4, l4Off: 24 } },
  { name: 'LOOP, family 24 (IPv6)', frame: loopLink(24, buildIpPacket(v6, udp)), linkType: LinkType.Loop, flags: P.IPv6 | P.HasPorts, expect: { l3Off: 4, l4Off: 44 } },
];

function run(c: Case, len = c.frame.length): LocatedPacket {
  return locate(c.frame.subarray(0, len), c.linkType ?? LinkType.Ethernet, c.vlanTci ?? -1);
}

describe('locate: every layer and link type', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const m = run(c);
    expect(m.flags).toBe(c.flags);
    expect(m).toMatchObject(c.expect);
  });

  it('reads IPv6 addresses as raw bytes and leaves the IPv4 fields zero', () => {
    const m = locate(buildFrame({ ip: v6, l4: tcp }));
    expect(Array.from(m.src6)).toEqual([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]);
    expect(Array.from(m.dst6)).toEqual([0xfe, 0x80, ...new Array(13).fill(0), 2]);
    expect(m.src4).toBe(0);
  });
});

describe('locate: malformed input', () => {
  it('an IPv4 ethertype with version 5 is malformed, not IPv4', () => {
    const f = buildFrame({ ip: v4, l4: tcp });
    f[14] = 0x55;
    const m = locate(f);
    expect(m.flags).toBe(P.Malformed);
    expect(m.l3Off).toBe(14);
  });

  it('an IHL below 5 keeps addresses and proto but no transport header', () => {
    const f = buildFrame({ ip: v4, l4: tcp });
    f[14] = 0x43;
    const m = locate(f);
    expect(m.flags).toBe(P.IPv4 | P.Malformed);
    expect(m).toMatchObject({ proto: 6, src4: ip4('10.0.0.1'), l4Off: NO_OFFSET, sport: 0 });
  });

  it('a total length below the header length is flagged, ports are still read', () => {
    const f = buildFrame({ ip: v4, l4: tcp });
    f[16] = 0;
    f[17] = 0; // tot_len 0, as some TSO captures show
    const m = locate(f);
    expect(m.flags).toBe(P.IPv4 | P.HasPorts | P.Malformed);
    expect(m.sport).toBe(40000);
  });

  it('a TCP data offset below 5 is malformed: ports, no payload offset', () => {
    const f = buildFrame({ ip: v4, l4: tcp });
    f[34 + 12] = 0x40;
    const m = locate(f);
    expect(m.flags).toBe(P.IPv4 | P.HasPorts | P.Malformed);
    expect(m.payloadOff).toBe(NO_OFFSET);
  });

  it('raw IP whose version nibble is neither 4 nor 6 is malformed', () => {
    expect(locate(Uint8Array.of(0x50, 0, 0, 0), LinkType.Raw).flags).toBe(P.Malformed);
  });

  it('an IPv6 extension header whose length runs past the capture flags the protocol as unknown', () => {
    const f = buildFrame({ ip: { ...v6, ext6: [0, 60] }, l4: tcp });
    f[54 + 1] = 200; // hop-by-hop claims 1608 bytes
    const m = locate(f);
    expect(m.flags & (P.IPv6 | P.ProtoTruncated | P.Truncated)).toBe(P.IPv6 | P.ProtoTruncated | P.Truncated);
    expect(m.flags & P.HasPorts).toBe(0);
  });

  it('an unsupported link type yields nothing, without flags', () => {
    const m = locate(buildFrame({ ip: v4, l4: tcp }), 285);
    expect(m.flags).toBe(0);
    expect(m.l3Off).toBe(NO_OFFSET);
  });

  it('an empty frame yields nothing but the truncated flag', () => {
    expect(locate(new Uint8Array(0)).flags).toBe(P.Truncated);
  });
});

// Fields that a cut-short parse may leave unset but must never report differently.
const sameWhenSet: (keyof LocatedPacket)[] = ['vlanId', 'innerVlanId', 'ipVersion', 'ttl', 'ipLen', 'src4', 'dst4', 'fragId', 'fragOff', 'fragLen', 'l3Off', 'l4Off', 'payloadOff', 'tcpFlags'];
const cutFlags = P.Truncated | P.ProtoTruncated | P.PortsTruncated;

describe('locate: every truncation of every frame', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const full = run(c);
    for (let len = 0; len < c.frame.length; len++) {
      const m = run(c, len);
      const where = `${c.name} cut at ${len}`;
      // No offset beyond what was captured.
      for (const k of ['l3Off', 'l4Off', 'payloadOff'] as const) {
        if (m[k] !== NO_OFFSET) expect(m[k], `${where}: ${k}`).toBeLessThanOrEqual(len);
      }
      // Nothing found that the whole frame does not have (apart from the cut flags).
      expect(m.flags & ~full.flags & ~cutFlags, `${where}: flags`).toBe(0);
      for (const k of sameWhenSet) {
        if (m[k] !== 0 && m[k] !== NO_OFFSET) expect(m[k], `${where}: ${k}`).toBe(full[k]);
      }
      // The ethertype is the final one, or the MPLS/PPPoE type the walk stopped in.
      if (m.ethType !== 0 && m.ethType !== full.ethType) expect([0x8847, 0x8864], where).toContain(m.ethType);
      if (m.flags & P.IPv4) expect(len, where).toBeGreaterThanOrEqual(m.l3Off + 20);
      if (m.flags & P.IPv6) {
        expect(len, where).toBeGreaterThanOrEqual(m.l3Off + 40);
        expect(Array.from(m.src6), where).toEqual(Array.from(full.src6));
      }
      if (m.flags & (P.HasPorts | P.Icmp)) {
        expect(len, where).toBeGreaterThanOrEqual(m.l4Off + (m.flags & P.HasPorts ? 4 : 2));
        expect([m.sport, m.dport], where).toEqual([full.sport, full.dport]);
      } else {
        expect([m.sport, m.dport], where).toEqual([0, 0]);
      }
      // Where the whole frame has ports and the cut one lost them, the cut says so.
      if (full.flags & P.HasPorts && !(m.flags & P.HasPorts) && m.flags & (P.IPv4 | P.IPv6)) {
        expect(m.flags & P.Truncated, where).toBe(P.Truncated);
        expect(m.flags & (P.PortsTruncated | P.ProtoTruncated), where).not.toBe(0);
      }
      // The cut frame is marked truncated whenever it lost a header the whole frame has.
      if ((full.flags & (P.IPv4 | P.IPv6)) && !(m.flags & (P.IPv4 | P.IPv6))) {
        expect(m.flags & P.Truncated, where).toBe(P.Truncated);
      }
    }
  });
});

describe('locate: invalid arguments', () => {
  it('rejects bytes that are not a Uint8Array', () => {
    expect(() => locate('abc' as unknown as Uint8Array)).toThrow(
      expect.objectContaining({ code: 'PFW_INVALID_ARGUMENT', message: 'locate: bytes must be a Uint8Array' }),
    );
  });

  it('rejects a link type that is not a non-negative integer', () => {
    expect(() => locate(new Uint8Array(1), 1.5)).toThrow('locate: linkType must be a non-negative integer (a DLT_/LINKTYPE_ value), got 1.5');
  });

  it('rejects a VLAN TCI outside -1..65535', () => {
    expect(() => locate(new Uint8Array(1), 1, 70000)).toThrow('locate: vlanTci must be -1 (none) or a 16-bit TCI, got 70000');
  });
});
