/**
 * Hand-built packet sequences for the flow-table tests: TCP segments with
 * real sequence numbers, the tunnel encapsulations of cpp/tunnel.cc, and
 * batches (the columns FlowTable.update reads) from timed frames. Frames come
 * from @pfwork/core's craft, imported by path (native does not depend on core).
 */
import { buildFrame, buildIpPacket, concat } from '../../../core/src/craft/index.js';
import { FLOW_END_NAMES, TUNNEL_TYPE_NAMES, type FlowBatch, type FlowInput } from '../../src/flows.js';

export { buildFrame, buildIpPacket, concat };

/** A frame and its time in seconds (fractions allowed; nanoseconds kept exact via nsec). */
export interface Timed {
  t: number;
  nsec?: number;
  data: Uint8Array;
}

/** The columns FlowTable.update reads, for these frames in order. */
export function batchOf(frames: Timed[]): FlowInput {
  const data = concat(...frames.map((f) => f.data));
  const dataOff = new Uint32Array(frames.length);
  const caplen = new Uint32Array(frames.length);
  const tsSec = new Float64Array(frames.length);
  const tsNsec = new Uint32Array(frames.length);
  let off = 0;
  frames.forEach((f, i) => {
    dataOff[i] = off;
    caplen[i] = f.data.length;
    const whole = Math.floor(f.t);
    tsSec[i] = whole;
    tsNsec[i] = f.nsec ?? Math.round((f.t - whole) * 1e6) * 1000; // t is a float: microseconds are exact
    off += f.data.length;
  });
  return { count: frames.length, data, dataOff, caplen, tsSec, tsNsec };
}

const u16 = (v: number) => Uint8Array.of((v >> 8) & 0xff, v & 0xff);
const u32 = (v: number) => Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

/**
 * A TCP conversation between a client and a server: each call returns one
 * frame with correct sequence and acknowledgment numbers for what was sent.
 */
export class TcpTalk {
  #seq = { c: 1000, s: 5000 };
  constructor(
    readonly client: string,
    readonly cport: number,
    readonly server: string,
    readonly sport: number,
    readonly opts: { vlan?: number[] } = {},
  ) {}

  /** A segment from 'c' (client) or 's' (server) with these flags and payload bytes. */
  send(from: 'c' | 's', flags: string, payloadLen = 0): Uint8Array {
    const to = from === 'c' ? 's' : 'c';
    const seq = this.#seq[from];
    const ack = flags.includes('A') ? this.#seq[to] : 0;
    const frame = buildFrame({
      ...(this.opts.vlan ? { vlan: this.opts.vlan } : {}),
      ip: from === 'c' ? { src: this.client, dst: this.server } : { src: this.server, dst: this.client },
      l4: {
        kind: 'tcp',
        sport: from === 'c' ? this.cport : this.sport,
        dport: from === 'c' ? this.sport : this.cport,
        flags,
        seq,
        ack,
      },
      payload: new Uint8Array(payloadLen),
    });
    this.#seq[from] = (seq + payloadLen + (flags.includes('S') ? 1 : 0) + (flags.includes('F') ? 1 : 0)) >>> 0;
    return frame;
  }
}

/** A UDP datagram frame. */
export function udp(src: string, sport: number, dst: string, dport: number, payloadLen = 8, vlan?: number[]): Uint8Array {
  return buildFrame({ ...(vlan ? { vlan } : {}), ip: { src, dst }, l4: { kind: 'udp', sport, dport }, payload: new Uint8Array(payloadLen) });
}

/** An ICMP (or ICMPv6 for IPv6 addresses) message frame. */
export function icmp(src: string, dst: string, type: number, code = 0): Uint8Array {
  const v6 = src.includes(':');
  return buildFrame({ ip: { src, dst }, l4: { kind: v6 ? 'icmp6' : 'icmp', type, code, id: 1, seq: 1 }, payload: new Uint8Array(8) });
}

// ---- tunnels: each wraps an inner IP packet (or Ethernet frame) in an outer frame ----

/** The inner packet every tunnel test carries: UDP 10.9.0.1:1111 -> 10.9.0.2:2222 (or IPv6). */
export function innerUdp(v6 = false, payloadLen = 12): Uint8Array {
  return buildIpPacket(
    v6 ? { src: '2001:db8:9::1', dst: '2001:db8:9::2' } : { src: '10.9.0.1', dst: '10.9.0.2' },
    { kind: 'udp', sport: 1111, dport: 2222 },
    new Uint8Array(payloadLen),
  );
}

/** The reply direction of innerUdp. */
export function innerUdpReply(v6 = false, payloadLen = 12): Uint8Array {
  return buildIpPacket(
    v6 ? { src: '2001:db8:9::2', dst: '2001:db8:9::1' } : { src: '10.9.0.2', dst: '10.9.0.1' },
    { kind: 'udp', sport: 2222, dport: 1111 },
    new Uint8Array(payloadLen),
  );
}

/** An Ethernet frame (no FCS) around an IP packet, as VXLAN/Geneve/ERSPAN carry. */
export function innerEthernet(ipPacket: Uint8Array, etherType = (ipPacket[0]! >> 4) === 6 ? 0x86dd : 0x0800): Uint8Array {
  return concat(Uint8Array.of(2, 0, 0, 0, 0, 0xbb, 2, 0, 0, 0, 0, 0xaa), u16(etherType), ipPacket);
}

const OUTER4 = { src: '192.0.2.1', dst: '192.0.2.2' };
const OUTER6 = { src: '2001:db8:ff::1', dst: '2001:db8:ff::2' };

/** IP-in-IP: protocol 4 (IPv4 inside) or 41 (IPv6 inside), over an IPv4 or IPv6 outer header. */
export function ipInIp(inner: Uint8Array, outerV6 = false): Uint8Array {
  const proto = (inner[0]! >> 4) === 6 ? 41 : 4;
  return buildFrame({ ip: outerV6 ? OUTER6 : OUTER4, l4: { kind: 'raw', proto }, payload: inner });
}

/** GRE (version 0) with optional checksum, key and sequence number fields. */
export function gre(protoType: number, payload: Uint8Array, o: { key?: number; csum?: boolean; seq?: number } = {}): Uint8Array {
  const flags = (o.csum ? 0x8000 : 0) | (o.key !== undefined ? 0x2000 : 0) | (o.seq !== undefined ? 0x1000 : 0);
  const parts = [u16(flags), u16(protoType)];
  if (o.csum) parts.push(new Uint8Array(4));
  if (o.key !== undefined) parts.push(u32(o.key));
  if (o.seq !== undefined) parts.push(u32(o.seq));
  return buildFrame({ ip: OUTER4, l4: { kind: 'raw', proto: 47 }, payload: concat(...parts, payload) });
}

/** PPTP's enhanced GRE (version 1, key = length + call id) carrying PPP (address/control, protocol 0x0021). */
export function pptpGre(inner: Uint8Array, callId = 7): Uint8Array {
  const ppp = concat(Uint8Array.of(0xff, 0x03), u16(0x0021), inner);
  const hdr = concat(u16(0x2000 | 0x1000 | 0x0001), u16(0x880b), u16(ppp.length), u16(callId), u32(1));
  return buildFrame({ ip: OUTER4, l4: { kind: 'raw', proto: 47 }, payload: concat(hdr, ppp) });
}

/** ERSPAN type II (GRE 0x88BE with sequence number, 8-byte header) around an Ethernet frame. */
export function erspan2(ethernet: Uint8Array, session = 100): Uint8Array {
  const hdr = concat(u16(0x1000 | 0), u16((0 << 13) | session), u32(0));
  return gre(0x88be, concat(hdr, ethernet), { seq: 1 });
}

/** ERSPAN type III (GRE 0x22EB, 12-byte header, optional 8-byte platform subheader). */
export function erspan3(ethernet: Uint8Array, session = 200, platform = false): Uint8Array {
  const hdr = concat(u16(0x2000), u16(session), u32(0x12345678), u16(0), Uint8Array.of(0, platform ? 1 : 0));
  return gre(0x22eb, concat(hdr, platform ? new Uint8Array(8) : new Uint8Array(0), ethernet), { seq: 1 });
}

/** A UDP datagram from the outer endpoints carrying `payload`. */
export function outerUdp(sport: number, dport: number, payload: Uint8Array, outerV6 = false): Uint8Array {
  return buildFrame({ ip: outerV6 ? OUTER6 : OUTER4, l4: { kind: 'udp', sport, dport }, payload });
}

export function vxlan(ethernet: Uint8Array, vni = 42, sport = 50000): Uint8Array {
  return outerUdp(sport, 4789, concat(Uint8Array.of(0x08, 0, 0, 0), u32(vni << 8), ethernet));
}

/** Geneve with `optWords` 4-byte option words, carrying Ethernet (0x6558) or IP by ethertype. */
export function geneve(payload: Uint8Array, protoType = 0x6558, vni = 7, optWords = 0): Uint8Array {
  const hdr = concat(Uint8Array.of(optWords & 0x3f, 0), u16(protoType), u32(vni << 8), new Uint8Array(optWords * 4));
  return outerUdp(40000, 6081, concat(hdr, payload));
}

/** GTPv1-U G-PDU; with `ext`, the sequence flag and one 4-byte extension header (PDU session container). */
export function gtpu(inner: Uint8Array, teid = 0x1234, ext = false): Uint8Array {
  const flags = 0x30 | (ext ? 0x04 : 0);
  const opt = ext ? concat(u16(0), Uint8Array.of(0, 0x85), Uint8Array.of(1, 0x10, 0x01, 0)) : new Uint8Array(0);
  const hdr = concat(Uint8Array.of(flags, 0xff), u16(opt.length + inner.length), u32(teid), opt);
  return outerUdp(2152, 2152, concat(hdr, inner));
}

/** Teredo: optional origin indication (00 00 port addr), then the IPv6 packet. */
export function teredo(inner6: Uint8Array, origin = false): Uint8Array {
  const o = origin ? concat(u16(0), u16(0xffff ^ 3544), u32(0xffffffff ^ 0xc0000201)) : new Uint8Array(0);
  return outerUdp(3544, 40001, concat(o, inner6));
}

// ---- reading FlowBatches in tests ----

function addr(bytes: Uint8Array, row: number, v: number): string {
  const b = bytes.subarray(row * 16, row * 16 + 16);
  if (v === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return words.join(':'); // uncompressed: tests compare with full() below
}

/** IPv6 text without compression, as addr() writes it: full('2001:db8::1') = '2001:db8:0:0:0:0:0:1'. */
export function full(v6: string): string {
  const [head, tail = ''] = v6.split('::');
  const h = head ? head.split(':') : [];
  const t = v6.includes('::') && tail ? tail.split(':') : [];
  const fill = v6.includes('::') ? new Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((w) => parseInt(w, 16).toString(16)).join(':');
}

export interface FlowRow {
  proto: number;
  orig: string;
  origPort: number;
  resp: string;
  respPort: number;
  origPkts: number;
  origBytes: number;
  respPkts: number;
  respBytes: number;
  history: string;
  end: string;
  vlan: number;
  innerVlan: number;
  keyFlags: number;
  firstNs: bigint;
  lastNs: bigint;
  tunnels: { type: string; src: string; dst: string; sport: number; dport: number; id: number | null }[];
}

/** The rows of a FlowBatch as plain objects (addresses as text; IPv6 uncompressed). */
export function flowRows(b: FlowBatch): FlowRow[] {
  const out: FlowRow[] = [];
  for (let i = 0; i < b.count; i++) {
    const v = b.ipVersion[i]!;
    const tunnels: FlowRow['tunnels'] = [];
    for (let k = 0; k < b.tunnelCount[i]!; k++) {
      const r = b.tunnelStart[i]! + k;
      const tv = b.tunnels.ipVersion[r]!;
      tunnels.push({
        type: TUNNEL_TYPE_NAMES[b.tunnels.type[r]!]!,
        src: addr(b.tunnels.src, r, tv),
        dst: addr(b.tunnels.dst, r, tv),
        sport: b.tunnels.sport[r]!,
        dport: b.tunnels.dport[r]!,
        id: b.tunnels.hasId[r] ? b.tunnels.id[r]! : null,
      });
    }
    out.push({
      proto: b.proto[i]!,
      orig: addr(b.origAddr, i, v),
      origPort: b.origPort[i]!,
      resp: addr(b.respAddr, i, v),
      respPort: b.respPort[i]!,
      origPkts: b.origPkts[i]!,
      origBytes: b.origBytes[i]!,
      respPkts: b.respPkts[i]!,
      respBytes: b.respBytes[i]!,
      history: b.history(i),
      end: FLOW_END_NAMES[b.endReason[i]!]!,
      vlan: b.vlan[i]!,
      innerVlan: b.innerVlan[i]!,
      keyFlags: b.keyFlags[i]!,
      firstNs: BigInt(b.firstSec[i]!) * 1_000_000_000n + BigInt(b.firstNsec[i]!),
      lastNs: BigInt(b.lastSec[i]!) * 1_000_000_000n + BigInt(b.lastNsec[i]!),
      tunnels,
    });
  }
  return out;
}
