/**
 * Flows inside tunnels (cpp/tunnel.cc): every encapsulation the walk knows
 * puts the flow on the innermost IP layer, with the outer layers as tunnel
 * parents; what it must not enter (non-IP payloads, failed header checks,
 * truncation) leaves the flow on the carrying layer; depth is bounded.
 */
import { describe, expect, it } from 'vitest';
import { FlowKeyFlag, FlowTable } from '../src/flows.js';
import {
  batchOf,
  buildFrame,
  buildIpPacket,
  concat,
  erspan2,
  erspan3,
  flowRows,
  full,
  geneve,
  gre,
  gtpu,
  innerEthernet,
  innerUdp,
  innerUdpReply,
  ipInIp,
  outerUdp,
  pptpGre,
  teredo,
  vxlan,
  type FlowRow,
} from './support/flow-frames.js';

const T0 = 1_700_000_000;
const u16 = (v: number) => Uint8Array.of(v >> 8, v & 0xff);

function flowsOf(...frames: Uint8Array[]): FlowRow[] {
  const t = new FlowTable();
  t.update(batchOf(frames.map((data, i) => ({ t: T0 + i * 0.001, data }))));
  const rows = flowRows(t.flush('end'));
  t.close();
  return rows;
}

const O4 = { src: '192.0.2.1', dst: '192.0.2.2' };
const O6 = { src: full('2001:db8:ff::1'), dst: full('2001:db8:ff::2') };

/** The inner UDP flow, both directions, with the expected IP bytes. */
function expectInner(rows: FlowRow[], v6 = false) {
  expect(rows).toHaveLength(1);
  const ipLen = (v6 ? 40 : 20) + 8 + 12;
  expect(rows[0]).toMatchObject({
    proto: 17,
    orig: v6 ? full('2001:db8:9::1') : '10.9.0.1',
    origPort: 1111,
    resp: v6 ? full('2001:db8:9::2') : '10.9.0.2',
    respPort: 2222,
    origPkts: 1,
    origBytes: ipLen,
    respPkts: 1,
    respBytes: ipLen,
  });
  return rows[0]!;
}

describe('the flow is on the innermost IP layer, with its tunnel parents', () => {
  const cases: [string, (inner: Uint8Array) => Uint8Array, boolean, FlowRow['tunnels'][number]][] = [
    ['IPv4 in IPv4 (protocol 4)', (i) => ipInIp(i), false, { type: 'ip', ...O4, sport: 0, dport: 0, id: null }],
    ['IPv6 in IPv4 (6in4, protocol 41)', (i) => ipInIp(i), true, { type: 'ip', ...O4, sport: 0, dport: 0, id: null }],
    ['IPv4 in IPv6 (4in6)', (i) => ipInIp(i, true), false, { type: 'ip', ...O6, sport: 0, dport: 0, id: null }],
    ['IPv6 in IPv6 (6in6)', (i) => ipInIp(i, true), true, { type: 'ip', ...O6, sport: 0, dport: 0, id: null }],
    ['GRE without key', (i) => gre(0x0800, i), false, { type: 'gre', ...O4, sport: 0, dport: 0, id: null }],
    ['GRE with key', (i) => gre(0x0800, i, { key: 77 }), false, { type: 'gre', ...O4, sport: 0, dport: 0, id: 77 }],
    ['GRE with checksum, key and sequence number', (i) => gre(0x0800, i, { csum: true, key: 5, seq: 9 }), false, { type: 'gre', ...O4, sport: 0, dport: 0, id: 5 }],
    ['GRE carrying IPv6', (i) => gre(0x86dd, i), true, { type: 'gre', ...O4, sport: 0, dport: 0, id: null }],
    ['GRE carrying Ethernet (0x6558, NVGRE-style)', (i) => gre(0x6558, innerEthernet(i), { key: 0x1234 }), false, { type: 'gre', ...O4, sport: 0, dport: 0, id: 0x1234 }],
    ['GRE with Cisco MetaData (0x8909)', (i) => gre(0x8909, concat(u16(0x0800), Uint8Array.of(1, 1, 0, 1, 0, 0), i), { key: 40 }), false, { type: 'gre', ...O4, sport: 0, dport: 0, id: 40 }],
    ['GRE carrying MPLS', (i) => gre(0x8847, concat(Uint8Array.of(0, 0x10, 0x01, 0x40), i)), false, { type: 'gre', ...O4, sport: 0, dport: 0, id: null }],
    ['PPTP enhanced GRE (version 1) with PPP', (i) => pptpGre(i, 7), false, { type: 'gre', ...O4, sport: 0, dport: 0, id: 7 }],
    ['ERSPAN type I (GRE 0x88BE without sequence number)', (i) => gre(0x88be, innerEthernet(i)), false, { type: 'erspan', ...O4, sport: 0, dport: 0, id: null }],
    ['ERSPAN type II', (i) => erspan2(innerEthernet(i), 100), false, { type: 'erspan', ...O4, sport: 0, dport: 0, id: 100 }],
    ['ERSPAN type III', (i) => erspan3(innerEthernet(i), 200), false, { type: 'erspan', ...O4, sport: 0, dport: 0, id: 200 }],
    ['ERSPAN type III with the platform subheader', (i) => erspan3(innerEthernet(i), 201, true), false, { type: 'erspan', ...O4, sport: 0, dport: 0, id: 201 }],
    ['VXLAN (UDP 4789)', (i) => vxlan(innerEthernet(i), 42, 50000), false, { type: 'vxlan', ...O4, sport: 50000, dport: 4789, id: 42 }],
    ['VXLAN with IPv6 inside', (i) => vxlan(innerEthernet(i), 43, 50001), true, { type: 'vxlan', ...O4, sport: 50001, dport: 4789, id: 43 }],
    ['Geneve (UDP 6081) carrying Ethernet, with options', (i) => geneve(innerEthernet(i), 0x6558, 7, 2), false, { type: 'geneve', ...O4, sport: 40000, dport: 6081, id: 7 }],
    ['Geneve carrying IPv4 directly', (i) => geneve(i, 0x0800, 8), false, { type: 'geneve', ...O4, sport: 40000, dport: 6081, id: 8 }],
    ['GTP-U (UDP 2152)', (i) => gtpu(i, 0x1234), false, { type: 'gtp-u', ...O4, sport: 2152, dport: 2152, id: 0x1234 }],
    ['GTP-U with an extension header', (i) => gtpu(i, 0x99, true), false, { type: 'gtp-u', ...O4, sport: 2152, dport: 2152, id: 0x99 }],
    ['GTP-U carrying IPv6', (i) => gtpu(i, 3), true, { type: 'gtp-u', ...O4, sport: 2152, dport: 2152, id: 3 }],
    ['Teredo (UDP 3544)', (i) => teredo(i), true, { type: 'teredo', ...O4, sport: 3544, dport: 40001, id: null }],
    ['Teredo with an origin indication', (i) => teredo(i, true), true, { type: 'teredo', ...O4, sport: 3544, dport: 40001, id: null }],
  ];

  for (const [name, wrap, v6, parent] of cases) {
    it(name, () => {
      const f = expectInner(flowsOf(wrap(innerUdp(v6)), wrap(innerUdpReply(v6))), v6);
      expect(f.tunnels).toEqual([parent]);
    });
  }

  it('nested tunnels list every parent, outermost first (VXLAN inside GRE)', () => {
    const inVxlan = (i: Uint8Array) => buildIpPacket({ src: '198.51.100.1', dst: '198.51.100.2' }, { kind: 'udp', sport: 51000, dport: 4789 },
      concat(Uint8Array.of(0x08, 0, 0, 0, 0, 0, 9, 0), innerEthernet(i)));
    const frame = (i: Uint8Array) => gre(0x0800, inVxlan(i), { key: 1 });
    const f = expectInner(flowsOf(frame(innerUdp()), frame(innerUdpReply())));
    expect(f.tunnels).toEqual([
      { type: 'gre', ...O4, sport: 0, dport: 0, id: 1 },
      { type: 'vxlan', src: '198.51.100.1', dst: '198.51.100.2', sport: 51000, dport: 4789, id: 9 },
    ]);
  });

  it('walks at most 4 tunnels: deeper layers stay inside the 5th IP layer', () => {
    let pkt = innerUdp();
    for (let k = 6; k >= 1; k--) pkt = buildIpPacket({ src: `10.${k}.0.1`, dst: `10.${k}.0.2` }, { kind: 'raw', proto: 4 }, pkt);
    const [f, ...rest] = flowsOf(buildFrame({ ip: O4, l4: { kind: 'raw', proto: 4 }, payload: pkt }));
    expect(rest).toEqual([]);
    // layers: outer, 10.1, 10.2, 10.3, 10.4 (the 5th): its payload is IP-in-IP again
    expect([f!.proto, f!.orig, f!.resp, f!.tunnels.length]).toEqual([4, '10.4.0.1', '10.4.0.2', 4]);
  });
});

describe('what the walk does not enter stays a flow of the carrying layer', () => {
  it('VXLAN carrying ARP: the outer UDP flow', () => {
    const arp = concat(Uint8Array.of(2, 0, 0, 0, 0, 0xbb, 2, 0, 0, 0, 0, 0xaa), u16(0x0806), new Uint8Array(28));
    const [f] = flowsOf(vxlan(arp, 42, 50000));
    expect([f!.proto, f!.orig, f!.origPort, f!.respPort, f!.tunnels]).toEqual([17, '192.0.2.1', 50000, 4789, []]);
  });

  it('a VXLAN header without the I flag is not VXLAN', () => {
    const frame = outerUdp(50000, 4789, concat(new Uint8Array(8), innerEthernet(innerUdp())));
    const [f] = flowsOf(frame);
    expect([f!.orig, f!.origPort, f!.respPort]).toEqual(['192.0.2.1', 50000, 4789]);
  });

  it('GRE carrying ARP over Ethernet: a GRE flow between the outer addresses, without ports', () => {
    const [f] = flowsOf(gre(0x6558, concat(Uint8Array.of(2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2), u16(0x0806), new Uint8Array(28))));
    expect([f!.proto, f!.orig, f!.resp, f!.origPort, f!.respPort]).toEqual([47, '192.0.2.1', '192.0.2.2', 0, 0]);
  });

  it('GTP-U signalling (message type other than G-PDU) is not entered', () => {
    const echo = concat(Uint8Array.of(0x32, 0x01), u16(4), new Uint8Array(4), new Uint8Array(4));
    const [f] = flowsOf(outerUdp(2152, 2152, echo));
    expect([f!.orig, f!.origPort, f!.tunnels]).toEqual(['192.0.2.1', 2152, []]);
  });

  it('Teredo whose IPv6 length does not match the UDP payload is not Teredo', () => {
    const [f] = flowsOf(outerUdp(3544, 40001, concat(innerUdp(true), Uint8Array.of(0))));
    expect([f!.proto, f!.orig, f!.tunnels]).toEqual([17, '192.0.2.1', []]);
  });

  it('a Teredo bubble (IPv6, no next header) is a flow of protocol 59 without ports', () => {
    const bubble = buildIpPacket({ src: '2001:0:c288:1c4c::1', dst: 'fe80::1' }, undefined);
    const [f] = flowsOf(teredo(bubble));
    expect([f!.proto, f!.orig, (f!.keyFlags & FlowKeyFlag.NoPorts) !== 0, f!.tunnels.map((t) => t.type)]).toEqual([
      59, full('2001:0:c288:1c4c::1'), true, ['teredo'],
    ]);
  });

  it('a 4in4 packet whose inner header is IPv6 (protocol 4 says IPv4) is not entered', () => {
    const [f] = flowsOf(buildFrame({ ip: O4, l4: { kind: 'raw', proto: 4 }, payload: innerUdp(true) }));
    expect([f!.proto, f!.orig, f!.tunnels]).toEqual([4, '192.0.2.1', []]);
  });
});

describe('truncated tunnel frames', () => {
  const frames: [string, Uint8Array][] = [
    ['VXLAN', vxlan(innerEthernet(innerUdp()), 42, 50000)],
    ['GRE with key', gre(0x0800, innerUdp(), { key: 1 })],
    ['GTP-U with extension', gtpu(innerUdp(), 5, true)],
    ['Teredo with origin', teredo(innerUdp(true), true)],
    ['Geneve with options', geneve(innerEthernet(innerUdp()), 0x6558, 1, 3)],
    ['ERSPAN III', erspan3(innerEthernet(innerUdp()), 3, true)],
  ];
  for (const [name, whole] of frames) {
    it(`${name}: every cut gives no flow, the carrying layer's flow, the inner flow without ports, then the inner flow`, () => {
      const seen: string[] = [];
      for (let cut = 0; cut <= whole.length; cut++) {
        const rows = flowsOf(whole.slice(0, cut));
        expect(rows.length).toBeLessThanOrEqual(1);
        const f = rows[0];
        if (!f) continue;
        let state: string;
        if (f.orig === '192.0.2.1') {
          expect(f.tunnels).toEqual([]);
          state = 'outer';
        } else {
          expect(f.tunnels).toHaveLength(1);
          state = f.keyFlags & FlowKeyFlag.NoPorts ? 'inner without ports' : 'inner';
          if (state === 'inner') expect([f.origPort, f.respPort]).toEqual([1111, 2222]);
        }
        if (seen[seen.length - 1] !== state) seen.push(state);
      }
      // the inner IP header makes the inner flow (ports once they are captured), and it stays
      expect(seen).toEqual(['outer', 'inner without ports', 'inner']);
    });
  }
});
