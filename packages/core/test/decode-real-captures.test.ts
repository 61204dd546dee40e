/**
 * The decoders on traffic nobody on this project wrote: every packet of the
 * shared Ethernet captures (without tunnels or fragments) is decoded
 * layer by layer, and the per-flow packet and IP-byte counts, addresses
 * (IPv6 as RFC 5952 text) and ports must equal tshark's table beside the
 * capture. Also: no decoder throws on any packet of any capture, damaged
 * ones included.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPcaps, SHARED_PCAPS_SKIP, readTsharkFlows } from '../../../test/support/pcaps.js';
import {
  decodeDns,
  decodeEthernet,
  decodeICMP,
  decodeICMPv6,
  decodeIPv4,
  decodeIPv6,
  decodeTCP,
  decodeUDP,
  decodeVlan,
  EthernetHeader,
  formatIPv4,
  formatIPv6,
  IcmpHeader,
  Icmpv6Header,
  IPv4Header,
  IPv6Header,
  isVlanTpid,
  TcpHeader,
  UdpHeader,
  VlanTag,
} from '../src/decode/index.js';
import { readCapture } from './support/read-capture.js';

const rows = sharedPcaps();
const TUNNELS = /vxlan|gre|ip-in-ip|teredo|geneve|gtp|erspan|frag|DAMAGED|UNSUPPORTED|malformed/;
const chosen = (rows ?? []).filter((r) => r.linkType === 'Ethernet' && !r.features.some((f) => TUNNELS.test(f)));

interface Flow {
  proto: string;
  a: string;
  ap: string;
  b: string;
  bp: string;
  pab: number;
  pba: number;
  ipab: number;
  ipba: number;
}

// Reused result objects: the way a handler uses them on the hot path.
const eth = new EthernetHeader();
const tag = new VlanTag();
const ip4 = new IPv4Header();
const ip6 = new IPv6Header();
const tcp = new TcpHeader();
const udp = new UdpHeader();
const icmp = new IcmpHeader();
const icmp6 = new Icmpv6Header();

/** proto, src, sport, dst, dport, IP bytes of one packet; 'non-ip' for other ethertypes; null for other IP protocols. */
function decodePacket(d: Uint8Array): [string, string, string, string, string, number] | 'non-ip' | null {
  if (!decodeEthernet(d, 0, eth).ok) return null;
  let type = eth.etherType;
  let at = eth.payloadOffset;
  while (isVlanTpid(type)) {
    if (!decodeVlan(d, at, tag).ok) return null;
    type = tag.etherType;
    at = tag.payloadOffset;
  }
  let src: string;
  let dst: string;
  let proto: number;
  let l4: number;
  let ipBytes: number;
  if (type === 0x0800) {
    if (!decodeIPv4(d, at, ip4).ok) return null;
    [src, dst, proto, l4, ipBytes] = [formatIPv4(ip4.src), formatIPv4(ip4.dst), ip4.protocol, ip4.payloadOffset, ip4.totalLength];
  } else if (type === 0x86dd) {
    if (!decodeIPv6(d, at, ip6).ok) return null;
    [src, dst, proto, l4, ipBytes] = [formatIPv6(d, ip6.srcOffset), formatIPv6(d, ip6.dstOffset), ip6.protocol, ip6.payloadOffset, 40 + ip6.payloadLength];
  } else return 'non-ip';
  if (proto === 6 && decodeTCP(d, l4, tcp).ok) return ['TCP', src, String(tcp.srcPort), dst, String(tcp.dstPort), ipBytes];
  if (proto === 17 && decodeUDP(d, l4, udp).ok) return ['UDP', src, String(udp.srcPort), dst, String(udp.dstPort), ipBytes];
  if (proto === 1 && decodeICMP(d, l4, icmp).ok) return ['ICMP', src, '-', dst, '-', ipBytes];
  if (proto === 58 && decodeICMPv6(d, l4, icmp6).ok) return ['ICMPV6', src, '-', dst, '-', ipBytes];
  return null;
}

describe.skipIf(!rows)('decoders on the shared captures', () => {
  if (!rows) it.skip(SHARED_PCAPS_SKIP, () => {});

  it('chose captures to compare', () => {
    expect(chosen.length).toBeGreaterThanOrEqual(5);
  });

  it.each(chosen.map((r) => [r.localPath, r] as const))('%s: flows equal tshark\'s table', (_name, row) => {
    const flows = new Map<string, Flow>();
    let nonIp = 0;
    for (const p of readCapture(row.file)) {
      if (p.linkType !== 1) continue;
      const t = decodePacket(p.data);
      if (t === 'non-ip') nonIp++;
      if (!t || t === 'non-ip') continue;
      const [proto, s, sp, d, dp, bytes] = t;
      const fwd = `${proto}|${s}|${sp}|${d}|${dp}`;
      const rev = `${proto}|${d}|${dp}|${s}|${sp}`;
      const f = flows.get(fwd) ?? flows.get(rev);
      if (!f) flows.set(fwd, { proto, a: s, ap: sp, b: d, bp: dp, pab: 1, pba: 0, ipab: bytes, ipba: 0 });
      else if (f.a === s && f.ap === sp) {
        f.pab++;
        f.ipab += bytes;
      } else {
        f.pba++;
        f.ipba += bytes;
      }
    }
    const tshark = readTsharkFlows(`${row.file}.tshark-flows.tsv`);
    expect(nonIp, 'non-IP packets (after the VLAN tags)').toBe(tshark.filter((r) => r.proto === 'non-ip').reduce((n, r) => n + +r.pkts!, 0));
    const table = tshark
      .filter((r) => ['TCP', 'UDP', 'ICMP', 'ICMPV6'].includes(r.proto!))
      .map((r) => ({ proto: r.proto!, a: r.a_addr!, ap: r.a_port!, b: r.b_addr!, bp: r.b_port!, pab: +r.pkts_a2b!, pba: +r.pkts_b2a!, ipab: +r.ip_bytes_a2b!, ipba: +r.ip_bytes_b2a! }));
    expect(table.length + nonIp, 'something to compare').toBeGreaterThan(0);
    const sort = (l: Flow[]) => [...l].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    expect(sort([...flows.values()])).toEqual(sort(table));
  });

  it('no decoder throws on any packet of any capture (damaged and unsupported ones too), at any offset', () => {
    let packets = 0;
    let dns = 0;
    for (const r of rows ?? []) {
      if (!existsSync(r.file)) continue;
      let caps;
      try {
        caps = readCapture(r.file);
      } catch {
        continue; // not a format this small reader knows; libpcap's reader is tested in native
      }
      for (const p of caps) {
        packets++;
        const d = p.data;
        // Every decoder from every offset of the first 96 bytes: garbage in, a status out.
        for (let o = 0; o < Math.min(d.length, 96); o++) {
          decodeEthernet(d, o, eth);
          decodeVlan(d, o, tag);
          decodeIPv4(d, o, ip4);
          decodeIPv6(d, o, ip6);
          decodeTCP(d, o, tcp);
          decodeUDP(d, o, udp);
          decodeICMP(d, o, icmp);
          decodeICMPv6(d, o, icmp6);
          if (decodeDns(d, o).ok) dns++;
        }
      }
    }
    expect(packets).toBeGreaterThan(1000);
    expect(dns).toBeGreaterThan(0);
  });
});
