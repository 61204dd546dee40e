/**
 * Writes the benchmark capture: `packets` packets over `flows` bidirectional
 * flows (see mix.ts), nanosecond pcap, deterministic for a seed.
 *
 * Speed: no allocation per packet. Each packet is its flow's prebuilt header
 * template copied (copyWithin) into a scratch frame whose payload is already
 * in place, a few fields patched, checksums finished incrementally, and the
 * frame handed to core's PcapWriter through a view made once per length.
 */
import { PcapWriter, type PcapRecord } from '@pfwork/core/craft';
import { finish } from './checksum.js';
import { planFlows, MAX_FRAME } from './flow-plan.js';
import { MIX, TCP, UDP, ICMP } from './mix.js';
import { makeRng } from './rng.js';

export interface GenerateOptions {
  packets: number;
  flows: number;
  seed: number;
}

/** What was written: the counts the runner checks every row against. */
export interface CaptureSummary {
  packets: number;
  flows: number;
  seed: number;
  /** File size in bytes. */
  bytes: number;
  /** Sum of frame lengths. */
  wireBytes: number;
  tcpFlows: number;
  udpFlows: number;
  icmpFlows: number;
  ipv6Flows: number;
  vlanFlows: number;
  smallPackets: number;
  mediumPackets: number;
  largePackets: number;
  firstTs: string;
  lastTs: string;
  seconds: number;
}

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;

function put16(m: Uint8Array, at: number, v: number): void {
  m[at] = v >>> 8;
  m[at + 1] = v & 0xff;
}

function put32(m: Uint8Array, at: number, v: number): void {
  m[at] = v >>> 24;
  m[at + 1] = (v >>> 16) & 0xff;
  m[at + 2] = (v >>> 8) & 0xff;
  m[at + 3] = v & 0xff;
}

/**
 * Generates the capture into `path` (overwriting it). Throws RangeError when
 * flows < 1, flows > packets or flows >= 2^24.
 */
export function generateCapture(path: string, opts: GenerateOptions): CaptureSummary {
  const { packets, flows, seed } = opts;
  if (!(flows >= 1 && flows <= packets)) throw new RangeError(`flows (${flows}) must be between 1 and packets (${packets})`);
  if (flows >= 1 << 24) throw new RangeError(`flows (${flows}) must be below 16777216`);
  const started = performance.now();
  const rng = makeRng(seed);
  const plan = planFlows(rng, flows, packets);
  const { mem, layouts, layout, budget, l4Base, ipBase, seq, ipId } = plan;
  // one view per (layout, frame length), made once: the writer copies from it
  const views: Uint8Array[][] = layouts.map((L) => {
    const v: Uint8Array[] = [];
    for (let n = 0; n <= MAX_FRAME; n++) v.push(mem.subarray(L.scratch, L.scratch + n));
    return v;
  });
  const sent = new Uint32Array(flows);
  const icmpSeq = new Uint16Array(flows);
  const windowSize = Math.max(1, Math.min(flows, Math.round(flows * MIX.activeShare)));
  const active = new Uint32Array(windowSize);
  for (let k = 0; k < windowSize; k++) active[k] = k;
  let activeCount = windowSize;
  let nextFlow = windowSize;

  const sum: CaptureSummary = {
    packets: 0, flows, seed, bytes: 24, wireBytes: 0, tcpFlows: 0, udpFlows: 0, icmpFlows: 0, ipv6Flows: 0, vlanFlows: 0,
    smallPackets: 0, mediumPackets: 0, largePackets: 0, firstTs: '', lastTs: '', seconds: 0,
  };
  for (let f = 0; f < flows; f++) {
    const L = layouts[layout[f]!]!;
    if (L.kind === TCP) sum.tcpFlows++;
    else if (L.kind === UDP) sum.udpFlows++;
    else sum.icmpFlows++;
    if (L.v6) sum.ipv6Flows++;
    if (L.vlan) sum.vlanFlows++;
  }

  let sec = MIX.startSec;
  let nsec = rng.below(1_000_000_000);
  const fmtTs = (): string => `${sec}.${String(nsec).padStart(9, '0')}`;
  sum.firstTs = fmtTs();
  const rec: PcapRecord = { tsSec: sec, tsNsec: nsec, data: views[0]![0]! };
  const w = new PcapWriter(path, { nanosecond: true, snaplen: 65535 });
  try {
    while (activeCount > 0) {
      const k = rng.below(activeCount);
      const f = active[k]!;
      const n = sent[f]!;
      const b = budget[f]!;
      const L = layouts[layout[f]!]!;
      const kind = L.kind;
      let dir: number;
      let flags = 0;
      let plen = -1;
      if (kind === TCP && b >= 4 && n < 2) {
        dir = n;
        flags = n === 0 ? TCP_SYN : TCP_SYN | TCP_ACK;
        plen = 0;
      } else if (kind === TCP && b >= 4 && n >= b - 2) {
        dir = n - (b - 2);
        flags = TCP_FIN | TCP_ACK;
        plen = 0;
      } else if (kind === ICMP) {
        dir = n & 1;
        plen = MIX.icmpPayload;
      } else {
        dir = n < 2 ? n : rng.float() < 0.45 ? 0 : 1; // the second packet is the reply: every flow of 2+ packets is two-way
      }
      if (plen < 0) {
        const r = rng.float();
        const headers = L.hlen - L.l3Off; // IP + transport headers
        if (r < MIX.small) {
          const frame = MIX.smallFrameMin + rng.below(MIX.smallFrameMax - MIX.smallFrameMin + 1);
          plen = Math.max(0, frame - L.hlen);
          sum.smallPackets++;
        } else if (r < MIX.small + MIX.medium) {
          plen = MIX.mediumIpLen - headers;
          sum.mediumPackets++;
        } else {
          plen = MIX.largeIpLen - headers;
          sum.largePackets++;
        }
        if (kind === TCP) flags = plen > 0 ? TCP_PSH | TCP_ACK : TCP_ACK;
      } else {
        sum.smallPackets++;
      }
      const fd = f * 2 + dir;
      const frameLen = L.hlen + plen;
      const s = L.scratch;
      const t = plan.templateAt(f, dir);
      mem.copyWithin(s, t, t + L.hlen);
      const ip = s + L.l3Off;
      const l4 = s + L.l4Off;
      const l4len = frameLen - L.l4Off;
      if (L.v6) {
        put16(mem, ip + 4, l4len);
      } else {
        const total = frameLen - L.l3Off;
        const id = ipId[fd]!;
        ipId[fd] = id + 1;
        put16(mem, ip + 2, total);
        put16(mem, ip + 4, id);
        put16(mem, ip + 10, finish(ipBase[fd]! + total + id));
      }
      let c = l4Base[fd]! + L.paySum[plen]!;
      if (kind === TCP) {
        const mySeq = seq[fd]!;
        const ack = flags === TCP_SYN ? 0 : seq[fd ^ 1]!;
        put32(mem, l4 + 4, mySeq);
        put32(mem, l4 + 8, ack);
        mem[l4 + 13] = flags;
        seq[fd] = (mySeq + plen + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0)) >>> 0;
        c += l4len + flags + (mySeq >>> 16) + (mySeq & 0xffff) + (ack >>> 16) + (ack & 0xffff);
        put16(mem, l4 + 16, finish(c));
      } else if (kind === UDP) {
        put16(mem, l4 + 4, l4len);
        const u = finish(c + l4len + l4len);
        put16(mem, l4 + 6, u === 0 ? 0xffff : u);
      } else {
        const q = icmpSeq[f]!;
        if (dir === 1) icmpSeq[f] = q + 1;
        put16(mem, l4 + 6, q);
        put16(mem, l4 + 2, finish(c + q + (L.v6 ? l4len : 0)));
      }
      rec.tsSec = sec;
      rec.tsNsec = nsec;
      rec.data = views[layout[f]!]![frameLen]!;
      w.write(rec);
      sum.packets++;
      sum.wireBytes += frameLen;
      sum.bytes += 16 + frameLen;

      nsec += 1 + Math.floor(-Math.log(1 - rng.float()) * MIX.meanGapNs);
      if (nsec >= 1_000_000_000) {
        nsec -= 1_000_000_000;
        sec++;
      }
      sent[f] = n + 1;
      if (n + 1 === b) {
        if (nextFlow < flows) active[k] = nextFlow++;
        else active[k] = active[--activeCount]!;
      }
    }
  } finally {
    w.close();
  }
  sum.lastTs = `${rec.tsSec}.${String(rec.tsNsec).padStart(9, '0')}`;
  sum.seconds = (performance.now() - started) / 1000;
  if (sum.packets !== packets) throw new Error(`generator wrote ${sum.packets} packets, expected ${packets}`);
  return sum;
}
