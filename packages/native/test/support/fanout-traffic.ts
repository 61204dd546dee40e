/**
 * Generated traffic for the cluster (fanout) live tests: many bidirectional
 * flows mixing IPv4 and IPv6, VLAN-tagged and untagged, TCP, UDP and ICMP, plus
 * fragmented IPv4 UDP datagrams. Every frame carries a unique sequence number
 * in its last 4 bytes (big-endian), so a received frame - or a datagram the
 * kernel reassembled from fragments - says which frame (or datagram) it is.
 *
 * Frames come from @pfwork/core's craft, imported by path (native must not
 * depend on core at run time).
 */
import { buildFrame, buildIPv4Fragments, PcapWriter } from '../../../core/src/craft/index.js';
import type { FrameSpec, L4Spec } from '../../../core/src/craft/index.js';

export interface TrafficFrame {
  /** The frame as sent (VLAN tags in the bytes). */
  bytes: Uint8Array;
  seq: number;
  flow: number;
  /** 0 = originator to responder, 1 = the reverse. */
  dir: 0 | 1;
  /** For a fragment: the datagram it belongs to (index into `datagrams`), else -1. */
  datagram: number;
}

export interface TrafficDatagram {
  /** The whole datagram as one frame: what the kernel's reassembly yields (and what its hash is computed on). */
  whole: Uint8Array;
  /** Sequence number of its last fragment: the last 4 bytes of the reassembled datagram. */
  seq: number;
  flow: number;
  fragments: number;
}

export interface Traffic {
  frames: TrafficFrame[];
  datagrams: TrafficDatagram[];
  flows: number;
}

export interface TrafficOptions {
  /** Number of flows (default 520). */
  flows?: number;
  /** Frames per flow and direction, unfragmented flows (default 10). */
  perDirection?: number;
  /** Every `fragEvery`-th flow (IPv4 UDP) sends 3-fragment datagrams instead (default 13). */
  fragEvery?: number;
  seed?: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const v4 = (r: number) => `10.${(r >>> 16) & 0xff}.${(r >>> 8) & 0xff}.${(r & 0xfe) + 1}`;
const v6 = (a: number, b: number) =>
  `fd00:${(a >>> 16).toString(16)}:${(a & 0xffff).toString(16)}::${(b >>> 16).toString(16)}:${(b & 0xffff).toString(16) || '1'}`;

function tail(bytes: Uint8Array, seq: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(bytes.length - 4, seq);
}

/** The sequence number carried by a frame's (or reassembled datagram's) last 4 bytes. */
export function seqOf(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 4);
}

/**
 * Builds the traffic. Flow f: IPv6 when f % 3 == 1; VLAN-tagged (id 100 + f % 40)
 * when f % 4 == 2; TCP, UDP or ICMP by f % 5 (0-1 TCP, 2-3 UDP, 4 ICMP); every
 * `fragEvery`-th flow is IPv4 UDP sending datagrams cut in 3 fragments.
 * Directions alternate, so both directions of each flow are interleaved.
 */
export function buildTraffic(opts: TrafficOptions = {}): Traffic {
  const nflows = opts.flows ?? 520;
  const per = opts.perDirection ?? 10;
  const fragEvery = opts.fragEvery ?? 13;
  const rand = rng(opts.seed ?? 0x5eed);
  const frames: TrafficFrame[] = [];
  const datagrams: TrafficDatagram[] = [];
  let seq = 1;
  for (let f = 0; f < nflows; f++) {
    const fragFlow = fragEvery > 0 && f % fragEvery === 0;
    const ipv6 = !fragFlow && f % 3 === 1;
    const a = ipv6 ? v6(rand(), rand()) : v4(rand());
    const b = ipv6 ? v6(rand(), rand()) : v4(rand());
    const vlan = f % 4 === 2 ? [100 + (f % 40)] : undefined;
    const kind = fragFlow ? 'udp' : (['tcp', 'tcp', 'udp', 'udp', 'icmp'] as const)[f % 5]!;
    const sport = 1024 + (rand() % 60000);
    const dport = [80, 443, 53, 123, 8080][f % 5]!;
    const l4For = (dir: 0 | 1, i: number): L4Spec => {
      if (kind === 'icmp') {
        const type = ipv6 ? (dir ? 129 : 128) : dir ? 0 : 8;
        return { kind: ipv6 ? 'icmp6' : 'icmp', type, code: 0, id: f & 0xffff, seq: i };
      }
      const [s, d] = dir ? [dport, sport] : [sport, dport];
      if (kind === 'tcp') return { kind: 'tcp', sport: s, dport: d, flags: i === 0 && dir === 0 ? 'S' : 'A', seq: i };
      return { kind: 'udp', sport: s, dport: d };
    };
    for (let i = 0; i < per; i++) {
      for (const dir of [0, 1] as const) {
        const spec: FrameSpec = {
          vlan,
          srcMac: dir ? '02:00:00:00:00:02' : '02:00:00:00:00:01',
          dstMac: dir ? '02:00:00:00:00:01' : '02:00:00:00:00:02',
          ip: { src: dir ? b : a, dst: dir ? a : b, id: (f * 64 + i * 2 + dir) & 0xffff },
          l4: l4For(dir, i),
        };
        if (fragFlow) {
          // 3 fragments of 64 bytes of datagram each: the last 4 bytes of every
          // fragment's slice carry that fragment's sequence number.
          const payload = new Uint8Array(3 * 64 - 8);
          const dv = new DataView(payload.buffer);
          for (let k = 0; k < 3; k++) dv.setUint32((k + 1) * 64 - 8 - 4, seq + k);
          const whole = buildFrame({ ...spec, payload });
          const frags = buildIPv4Fragments({ ...spec, ip: spec.ip!, l4: spec.l4!, payload }, 64);
          const d = datagrams.length;
          frags.forEach((bytes, k) => frames.push({ bytes, seq: seq + k, flow: f, dir, datagram: d }));
          datagrams.push({ whole, seq: seq + frags.length - 1, flow: f, fragments: frags.length });
          seq += frags.length;
        } else {
          const payload = new Uint8Array(24 + (f % 7) * 4);
          tail(payload, seq); // before the checksums are computed
          const bytes = buildFrame({ ...spec, payload });
          frames.push({ bytes, seq, flow: f, dir, datagram: -1 });
          seq++;
        }
      }
    }
  }
  return { frames, datagrams, flows: nflows };
}

/** Writes the frames to a pcap file, in order, for test/support/inject.ts. */
export function writeTraffic(file: string, frames: { bytes: Uint8Array }[]): void {
  const w = new PcapWriter(file);
  const t = Math.floor(Date.now() / 1000);
  frames.forEach((fr, i) => w.write({ tsSec: t, tsNsec: i, data: fr.bytes }));
  w.close();
}
