/**
 * The flows of a benchmark capture, decided up front: each flow's protocol,
 * family, VLAN, endpoints, packet budget, and its two header templates (one
 * per direction) built once with core's buildFrame. The generator then only
 * copies a template and patches a few fields per packet.
 *
 * Memory layout: one Uint8Array `mem` holds a scratch frame per layout
 * (payload pre-filled, never overwritten) followed by every template, so a
 * packet is assembled with copyWithin (a memmove, no allocation).
 */
import { buildFrame, parseIPv6, type L4Spec } from '@pfwork/core/craft';
import { onesSum, prefixSums } from './checksum.js';
import { MIX, TCP, UDP, ICMP } from './mix.js';
import type { Rng } from './rng.js';

/** Largest header (VLAN + IPv6 + TCP = 14 + 4 + 40 + 20) rounded up. */
export const TEMPLATE_SLOT = 80;
/** Largest frame: VLAN + IP length 1500. */
export const MAX_FRAME = 14 + 4 + MIX.largeIpLen;
const SCRATCH_SLOT = 1536;
export const LAYOUTS = 12;

export interface Layout {
  vlan: boolean;
  v6: boolean;
  kind: number;
  l3Off: number;
  ipHdr: number;
  l4Off: number;
  hlen: number;
  /** Start of this layout's scratch frame in mem. */
  scratch: number;
  /** Unfolded one's-complement sum of the first n payload bytes, for every n. */
  paySum: Float64Array;
}

export interface FlowPlan {
  flows: number;
  mem: Uint8Array;
  layouts: Layout[];
  /** Per flow. */
  layout: Uint8Array;
  budget: Uint32Array;
  /** Per flow and direction (index f * 2 + dir). */
  l4Base: Float64Array;
  ipBase: Float64Array;
  seq: Uint32Array;
  ipId: Uint16Array;
  /** Start of template (f, dir) in mem. */
  templateAt(f: number, dir: number): number;
}

/** Layout index from its three properties. */
export function layoutIndex(vlan: boolean, v6: boolean, kind: number): number {
  return (vlan ? 1 : 0) | (v6 ? 2 : 0) | (kind << 2);
}

function makeLayouts(pattern: Uint8Array, mem: Uint8Array): Layout[] {
  const out: Layout[] = [];
  for (let i = 0; i < LAYOUTS; i++) {
    const vlan = (i & 1) === 1;
    const v6 = (i & 2) === 2;
    const kind = i >> 2;
    const l3Off = 14 + (vlan ? 4 : 0);
    const ipHdr = v6 ? 40 : 20;
    const l4Off = l3Off + ipHdr;
    const hlen = l4Off + (kind === TCP ? 20 : 8);
    const scratch = i * SCRATCH_SLOT;
    const room = MAX_FRAME - hlen;
    mem.set(pattern.subarray(0, room), scratch + hlen);
    out.push({ vlan, v6, kind, l3Off, ipHdr, l4Off, hlen, scratch, paySum: prefixSums(mem, scratch + hlen, room) });
  }
  return out;
}

/** Pareto-distributed weights, capped, turned into integer budgets summing to exactly `packets`. */
function budgets(rng: Rng, flows: number, packets: number): Uint32Array {
  const w = new Float64Array(flows);
  let total = 0;
  for (let f = 0; f < flows; f++) {
    const x = Math.min(MIX.paretoCap, Math.pow(1 - rng.float(), -1 / MIX.paretoAlpha));
    w[f] = x;
    total += x;
  }
  const out = new Uint32Array(flows);
  const spare = packets - flows;
  let given = 0;
  for (let f = 0; f < flows; f++) {
    out[f] = 1 + Math.floor((spare * w[f]!) / total);
    given += out[f]!;
  }
  for (; given < packets; given++) out[rng.below(flows)]! += 1;
  return out;
}

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[rng.below(list.length)]!;
}

/** The layout's header for one direction, built once with buildFrame; flows patch addresses, ports, VLAN and ids into a copy. */
function prototype(L: Layout, dir: number): Uint8Array {
  const src = L.v6 ? '2001:db8::1' : '10.0.0.1';
  const dst = L.v6 ? '2001:db8::2' : '10.0.0.2';
  let l4: L4Spec;
  if (L.kind === TCP) l4 = { kind: 'tcp', sport: 0, dport: 0, flags: '', seq: 0, ack: 0, window: dir === 0 ? 64240 : 65535 };
  else if (L.kind === UDP) l4 = { kind: 'udp', sport: 0, dport: 0 };
  else l4 = { kind: L.v6 ? 'icmp6' : 'icmp', type: L.v6 ? (dir === 0 ? 128 : 129) : dir === 0 ? 8 : 0, code: 0, id: 0, seq: 0 };
  const frame = buildFrame({
    srcMac: dir === 0 ? '02:00:00:00:00:01' : '02:00:00:00:00:02',
    dstMac: dir === 0 ? '02:00:00:00:00:02' : '02:00:00:00:00:01',
    vlan: L.vlan ? [1] : undefined,
    ip: { src, dst, ttl: dir === 0 ? 64 : 57, id: 0 },
    l4,
  });
  if (frame.length !== L.hlen) throw new Error(`prototype length ${frame.length} != layout ${L.hlen}`);
  return frame;
}

/** The client address of flow f: a bijection of f keeps every client (hence every 5-tuple) distinct. */
export function clientAddress(f: number, v6: boolean, out: Uint8Array): Uint8Array {
  if (v6) {
    out.set(V6_CLIENT_PREFIX);
    out[12] = (f >>> 24) & 0xff;
    out[13] = (f >>> 16) & 0xff;
    out[14] = (f >>> 8) & 0xff;
    out[15] = f & 0xff;
  } else {
    const c = Math.imul(f + 1, 0x9e3779b1) & 0xffffff;
    out[0] = 10;
    out[1] = c >>> 16;
    out[2] = (c >>> 8) & 0xff;
    out[3] = c & 0xff;
  }
  return out;
}

/** Server number s (1..servers) as an address. */
export function serverAddress(s: number, v6: boolean, out: Uint8Array): Uint8Array {
  if (v6) {
    out.set(V6_SERVER_PREFIX);
    out[14] = s >>> 8;
    out[15] = s & 0xff;
  } else {
    out[0] = 172;
    out[1] = 16 + (s >>> 8);
    out[2] = s & 0xff;
    out[3] = 1 + (s % 254);
  }
  return out;
}

const V6_CLIENT_PREFIX = parseIPv6('2001:db8:c::');
const V6_SERVER_PREFIX = parseIPv6('2001:db8:5::');

/**
 * Decides every flow and builds its templates. `flows` must be <= `packets`
 * (every flow has at least one packet) and < 2^24 (client addresses are unique
 * per flow, which keeps 5-tuples distinct without a set).
 */
export function planFlows(rng: Rng, flows: number, packets: number): FlowPlan {
  const pattern = new Uint8Array(MAX_FRAME);
  for (let i = 0; i < pattern.length; i++) pattern[i] = rng.u32() & 0xff;
  const templatesAt = LAYOUTS * SCRATCH_SLOT;
  const mem = new Uint8Array(templatesAt + flows * 2 * TEMPLATE_SLOT);
  const layouts = makeLayouts(pattern, mem);
  const protos = layouts.map((L) => [prototype(L, 0), prototype(L, 1)] as const);
  const layout = new Uint8Array(flows);
  const l4Base = new Float64Array(flows * 2);
  const ipBase = new Float64Array(flows * 2);
  const seq = new Uint32Array(flows * 2);
  const ipId = new Uint16Array(flows * 2);
  const templateAt = (f: number, dir: number): number => templatesAt + (f * 2 + dir) * TEMPLATE_SLOT;
  const client = new Uint8Array(16);
  const server = new Uint8Array(16);

  for (let f = 0; f < flows; f++) {
    const r = rng.float();
    const kind = r < MIX.tcp ? TCP : r < MIX.tcp + MIX.udp ? UDP : ICMP;
    const v6 = rng.float() < MIX.ipv6;
    const vlanId = rng.float() < MIX.vlan ? 1 + rng.below(4094) : 0;
    const alen = v6 ? 16 : 4;
    clientAddress(f, v6, client);
    serverAddress(1 + rng.below(MIX.servers), v6, server);
    const cport = 1024 + rng.below(65536 - 1024);
    const sport = kind === TCP ? pick(rng, MIX.tcpPorts) : pick(rng, MIX.udpPorts);
    const icmpId = rng.below(65536);
    const li = layoutIndex(vlanId !== 0, v6, kind);
    const L = layouts[li]!;
    layout[f] = li;
    for (let dir = 0; dir < 2; dir++) {
      const t = templateAt(f, dir);
      mem.set(protos[li]![dir]!, t);
      const ip = t + L.l3Off;
      const l4At = t + L.l4Off;
      if (vlanId) {
        mem[t + 14] = vlanId >>> 8;
        mem[t + 15] = vlanId & 0xff;
      }
      const a = dir === 0 ? client : server;
      const b = dir === 0 ? server : client;
      const addrAt = ip + (v6 ? 8 : 12);
      for (let i = 0; i < alen; i++) {
        mem[addrAt + i] = a[i]!;
        mem[addrAt + alen + i] = b[i]!;
      }
      if (kind === ICMP) {
        mem[l4At + 4] = icmpId >>> 8;
        mem[l4At + 5] = icmpId & 0xff;
      } else {
        const sp = dir === 0 ? cport : sport;
        const dp = dir === 0 ? sport : cport;
        mem[l4At] = sp >>> 8;
        mem[l4At + 1] = sp & 0xff;
        mem[l4At + 2] = dp >>> 8;
        mem[l4At + 3] = dp & 0xff;
      }
      // zero what varies per packet, so the bases below leave it out
      const csumAt = kind === TCP ? 16 : kind === UDP ? 6 : 2;
      mem[l4At + csumAt] = 0;
      mem[l4At + csumAt + 1] = 0;
      if (kind === UDP) mem[l4At + 4] = mem[l4At + 5] = 0;
      let base = onesSum(mem, l4At, t + L.hlen);
      if (kind !== ICMP || v6) {
        base += onesSum(mem, addrAt, addrAt + 2 * alen) + (kind === TCP ? 6 : kind === UDP ? 17 : 58);
      }
      l4Base[f * 2 + dir] = base;
      if (!v6) {
        mem[ip + 10] = mem[ip + 11] = 0;
        // total length and id are added per packet
        ipBase[f * 2 + dir] = onesSum(mem, ip, ip + 2) + onesSum(mem, ip + 6, ip + 20);
      }
      seq[f * 2 + dir] = rng.u32();
      ipId[f * 2 + dir] = rng.below(65536);
    }
  }
  return { flows, mem, layouts, layout, budget: budgets(rng, flows, packets), l4Base, ipBase, seq, ipId, templateAt };
}
