/**
 * Fixture writers for the Ring's capture-file tests: classic pcap comes from
 * @pfwork/core's craft (imported by path: native must not depend on core at run
 * time); here are the link-layer wrappers and a minimal pcapng writer (SHB, one
 * IDB with if_tsresol, EPBs) that craft does not have.
 */
import { writeFileSync } from 'node:fs';
import { concat } from '../../../core/src/craft/index.js';

export { buildFrame, buildIpPacket, concat, writePcapFile, PcapWriter } from '../../../core/src/craft/index.js';
export type { PcapRecord } from '../../../core/src/craft/index.js';

const u16be = (v: number) => Uint8Array.of(v >> 8, v & 0xff);

/** sll_pkttype values. */
export const PKT_HOST = 0;
export const PKT_OUTGOING = 4;

/** Linux cooked v1 (16 bytes): pkttype, hatype 1, halen 6, addr[8], protocol. */
export function sllFrame(pkttype: number, protocol: number, l3: Uint8Array): Uint8Array {
  const h = new Uint8Array(16);
  h.set(u16be(pkttype), 0);
  h.set(u16be(1), 2);
  h.set(u16be(6), 4);
  h.set([2, 0, 0, 0, 0, 1], 6);
  h.set(u16be(protocol), 14);
  return concat(h, l3);
}

/** Linux cooked v2 (20 bytes): protocol, reserved, ifindex, hatype, pkttype, halen, addr[8]. */
export function sll2Frame(pkttype: number, ifindex: number, protocol: number, l3: Uint8Array): Uint8Array {
  const h = new Uint8Array(20);
  const d = new DataView(h.buffer);
  d.setUint16(0, protocol);
  d.setUint32(4, ifindex);
  d.setUint16(8, 1);
  h[10] = pkttype;
  h[11] = 6;
  h.set([2, 0, 0, 0, 0, 1], 12);
  return concat(h, l3);
}

/** A PPI header (8 bytes, no fields) around a frame of link type `dlt`. */
export function ppiFrame(dlt: number, frame: Uint8Array): Uint8Array {
  const h = new Uint8Array(8);
  const d = new DataView(h.buffer);
  d.setUint16(2, 8, true);
  d.setUint32(4, dlt, true);
  return concat(h, frame);
}

export interface PcapngRecord {
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
  len?: number;
}

/** Writes a pcapng file: one interface of `linkType` with nanosecond (if_tsresol 9) or microsecond (6) timestamps. */
export function writePcapng(file: string, records: PcapngRecord[], opts: { linkType?: number; tsresol?: 6 | 9 } = {}): void {
  const resol = opts.tsresol ?? 9;
  const blocks: Uint8Array[] = [];
  const block = (type: number, body: Uint8Array) => {
    const padded = (body.length + 3) & ~3;
    const total = 12 + padded;
    const b = new Uint8Array(total);
    const d = new DataView(b.buffer);
    d.setUint32(0, type, true);
    d.setUint32(4, total, true);
    b.set(body, 8);
    d.setUint32(total - 4, total, true);
    blocks.push(b);
  };
  const shb = new Uint8Array(16);
  const s = new DataView(shb.buffer);
  s.setUint32(0, 0x1a2b3c4d, true);
  s.setUint16(4, 1, true);
  s.setUint16(6, 0, true);
  s.setInt32(8, -1, true);
  s.setInt32(12, -1, true);
  block(0x0a0d0d0a, shb);
  const idb = new Uint8Array(8 + 8 + 4);
  const i = new DataView(idb.buffer);
  i.setUint16(0, opts.linkType ?? 1, true);
  i.setUint32(4, 262144, true);
  i.setUint16(8, 9, true); // if_tsresol
  i.setUint16(10, 1, true);
  idb[12] = resol;
  // opt_endofopt at 16..19 (zeros)
  block(0x00000001, idb);
  const unit = resol === 9 ? 1_000_000_000n : 1_000_000n;
  for (const r of records) {
    const ts = BigInt(r.tsSec) * unit + BigInt(resol === 9 ? r.tsNsec : Math.floor(r.tsNsec / 1000));
    const body = new Uint8Array(20 + r.data.length);
    const d = new DataView(body.buffer);
    d.setUint32(0, 0, true);
    d.setUint32(4, Number(ts >> 32n), true);
    d.setUint32(8, Number(ts & 0xffffffffn), true);
    d.setUint32(12, r.data.length, true);
    d.setUint32(16, r.len ?? r.data.length, true);
    body.set(r.data, 20);
    block(0x00000006, body);
  }
  writeFileSync(file, concat(...blocks));
}

import { buildFrame as frame } from '../../../core/src/craft/index.js';

/** One generated packet and what it is. */
export interface MixedPacket {
  data: Uint8Array;
  /** Flow key, the same for both directions ('' for non-IP). */
  flow: string;
  kind: 'tcp' | 'udp' | 'icmp' | 'frag' | 'arp';
  /** VLAN tags (0, 1 or 2): BPF's plain primitives (udp, tcp...) match untagged frames only, as in tcpdump. */
  tags: number;
  /** IPv6 (else IPv4, or not IP). */
  v6: boolean;
  /** For fragments: the datagram key. */
  datagram?: string;
}

/**
 * Mixed traffic for cluster, filter and sampling tests: `flows` flows, each in
 * both directions, IPv4 and IPv6, tagged and untagged, TCP, UDP and ICMP, plus
 * fragmented IPv4 UDP datagrams (3 fragments each) and ARP. Deterministic.
 */
export function mixedTraffic(flows: number): MixedPacket[] {
  const out: MixedPacket[] = [];
  for (let f = 0; f < flows; f++) {
    const v6 = f % 3 === 2;
    const a = v6 ? `2001:db8::${(f % 200) + 1}` : `10.${f % 7}.${(f >> 3) % 250}.${(f % 250) + 1}`;
    const b = v6 ? `2001:db8:1::${(f % 97) + 1}` : `172.16.${f % 5}.${(f % 200) + 1}`;
    const vlan = f % 4 === 1 ? [100 + (f % 10)] : f % 4 === 3 ? [10, 20 + (f % 5)] : undefined;
    const kindNo = f % 5;
    const flow = `${f}`;
    for (let k = 0; k < 4; k++) {
      const fwd = k % 2 === 0;
      const src = fwd ? a : b;
      const dst = fwd ? b : a;
      if (kindNo <= 1) {
        const sp = 30000 + f;
        out.push({ flow, kind: 'tcp', tags: vlan?.length ?? 0, v6, data: frame({ vlan, ip: { src, dst }, l4: { kind: 'tcp', sport: fwd ? sp : 443, dport: fwd ? 443 : sp, flags: k === 0 ? 'S' : 'A' } }) });
      } else if (kindNo <= 3) {
        const sp = 40000 + f;
        out.push({ flow, kind: 'udp', tags: vlan?.length ?? 0, v6, data: frame({ vlan, ip: { src, dst }, l4: { kind: 'udp', sport: fwd ? sp : 53, dport: fwd ? 53 : sp }, payload: new Uint8Array(k * 3) }) });
      } else {
        out.push({ flow, kind: 'icmp', tags: vlan?.length ?? 0, v6, data: frame({ vlan, ip: { src, dst }, l4: v6 ? { kind: 'icmp6', type: fwd ? 128 : 129, code: 0, id: f } : { kind: 'icmp', type: fwd ? 8 : 0, code: 0, id: f } }) });
      }
    }
    if (f % 10 === 0) {
      // a fragmented IPv4 UDP datagram: 3 fragments of 16 bytes of transport data each
      const src = `192.168.${f % 250}.1`;
      const dst = '192.168.200.2';
      const datagram = `${src}>${dst}#${f}`;
      const udp = new Uint8Array(48);
      new DataView(udp.buffer).setUint16(0, 5000 + f);
      new DataView(udp.buffer).setUint16(2, 9999);
      new DataView(udp.buffer).setUint16(4, 48);
      for (let o = 0; o < 48; o += 16) {
        out.push({
          flow: `frag${f}`, kind: 'frag', tags: 0, v6: false, datagram,
          data: frame({ ip: { src, dst, id: 1000 + f, fragOffset: o, moreFragments: o < 32 }, l4: { kind: 'raw', proto: 17 }, payload: udp.subarray(o, o + 16) }),
        });
      }
    }
    if (f % 25 === 0) out.push({ flow: '', kind: 'arp', tags: 0, v6: false, data: frame({ etherType: 0x0806 }) });
  }
  return out;
}
