/**
 * Bench row "per-packet JS handler": reads every packet's 5-tuple (and VLAN)
 * and counts packets per flow in JS, both directions under one key, in an
 * open-addressing table over typed arrays: nothing allocated per packet for
 * IPv4 (src4/dst4 are numbers); IPv6 addresses are read from the packet bytes.
 */
import { defineHandler, type Packet } from '@pfwork/core';
import { z } from 'zod';
import { startProbe } from './probe.js';

/** u32 words per entry: proto|vlan, ports, 4 words low address, 4 words high address, count. */
const W = 11;
let cap = 1 << 18;
let keys = new Uint32Array(cap * W);
let used = 0;
const a = new Uint32Array(4);
const b = new Uint32Array(4);

function addrWords(pkt: Packet, out: Uint32Array, at: number, v4: number): void {
  if (pkt.ipVersion === 4) {
    out[0] = v4;
    out[1] = out[2] = out[3] = 0;
    return;
  }
  const d = pkt.data;
  for (let i = 0; i < 4; i++) {
    const o = at + i * 4;
    out[i] = ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
  }
}

/** -1, 0, 1 comparing (x, xp) with (y, yp). */
function cmp(x: Uint32Array, xp: number, y: Uint32Array, yp: number): number {
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return xp - yp;
}

function slotOf(hash: number, mask: number): number {
  return (Math.imul(hash, 0x9e3779b1) >>> 0) & mask;
}

function grow(): void {
  const old = keys;
  const oldCap = cap;
  cap *= 2;
  keys = new Uint32Array(cap * W);
  for (let i = 0; i < oldCap; i++) {
    const e = i * W;
    if (old[e + 10] === 0) continue;
    // re-place by the same symmetric mix of the key words
    let s = slotOf(mix(old, e), cap - 1);
    while (keys[s * W + 10] !== 0) s = (s + 1) & (cap - 1);
    keys.set(old.subarray(e, e + W), s * W);
  }
}

/** The table's own hash of an entry's key (the cluster hash is not stored). */
function mix(k: Uint32Array, e: number): number {
  let h = k[e]! ^ k[e + 1]!;
  for (let i = 2; i < 10; i++) h = Math.imul(h ^ k[e + i]!, 0x01000193);
  return h >>> 0;
}

function count(pkt: Packet): void {
  const proto = pkt.proto;
  if (pkt.ipVersion === 0) return;
  const l3 = pkt.l3Off;
  addrWords(pkt, a, l3 + 8, pkt.src4);
  addrWords(pkt, b, l3 + 24, pkt.dst4);
  // Packet's ports are 0 for protocols without ports (ICMP included).
  const sp = pkt.srcPort;
  const dp = pkt.dstPort;
  const srcLow = cmp(a, sp, b, dp) <= 0;
  const lo = srcLow ? a : b;
  const hi = srcLow ? b : a;
  const w0 = (proto | (pkt.vlan << 8)) >>> 0;
  const w1 = ((srcLow ? sp : dp) * 65536 + (srcLow ? dp : sp)) >>> 0;
  // hash the canonical key the same way grow() does
  let h = w0 ^ w1;
  for (let i = 0; i < 4; i++) h = Math.imul(h ^ lo[i]!, 0x01000193);
  for (let i = 0; i < 4; i++) h = Math.imul(h ^ hi[i]!, 0x01000193);
  const mask = cap - 1;
  let s = slotOf(h >>> 0, mask);
  for (;;) {
    const e = s * W;
    if (keys[e + 10] === 0) {
      keys[e] = w0;
      keys[e + 1] = w1;
      for (let i = 0; i < 4; i++) {
        keys[e + 2 + i] = lo[i]!;
        keys[e + 6 + i] = hi[i]!;
      }
      keys[e + 10] = 1;
      if (++used * 2 > cap) grow();
      return;
    }
    if (
      keys[e] === w0 && keys[e + 1] === w1 &&
      keys[e + 2] === lo[0] && keys[e + 3] === lo[1] && keys[e + 4] === lo[2] && keys[e + 5] === lo[3] &&
      keys[e + 6] === hi[0] && keys[e + 7] === hi[1] && keys[e + 8] === hi[2] && keys[e + 9] === hi[3]
    ) {
      keys[e + 10]!++;
      return;
    }
    s = (s + 1) & mask;
  }
}

let probe: Awaited<ReturnType<typeof startProbe>> | undefined;
let packets = 0;

export default defineHandler({
  name: 'bench-count-5tuple',
  config: z.object({ out: z.string(), cpuProfDir: z.string().optional() }),
  async setup(ctx) {
    probe = await startProbe(ctx.worker.index, ctx.worker.count, ctx.config.out, ctx.config.cpuProfDir);
  },
  packet(pkt) {
    packets++;
    count(pkt);
  },
  report() {
    return { packets, flows: used };
  },
  async close() {
    await probe?.finish({ packets, flows: used });
  },
});
