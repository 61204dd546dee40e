/**
 * dns-counter: counts DNS queries per name and responses per rcode. Parsing
 * DNS allocates (names are strings), so it runs in the offload pool: the
 * packet hook only copies the UDP payload of port-53 packets and hands it
 * over. When the pool's queue is full the task is dropped and counted
 * (`offloadDropped` in the stats): capture never waits for parsing.
 */
import { defineHandler } from '@pfwork/core';
import { z } from 'zod';
import type { DnsSummary } from './parse-dns.js';

const queries = new Map<string, number>();
const rcodes = new Map<string, number>();
let malformed = 0;

function count(s: DnsSummary): void {
  if (!s.ok) {
    malformed++;
    return;
  }
  if (s.response) rcodes.set(s.rcode, (rcodes.get(s.rcode) ?? 0) + 1);
  else queries.set(`${s.name} ${s.type}`, (queries.get(`${s.name} ${s.type}`) ?? 0) + 1);
}

interface Part {
  queries: [string, number][];
  rcodes: [string, number][];
  malformed: number;
  top: number;
}

export default defineHandler({
  name: 'dns-counter',
  offload: './parse-dns.ts',
  config: z.object({
    /** UDP port DNS runs on. */
    port: z.number().int().min(1).max(65535).default(53),
    /** Names listed in the merged report. */
    top: z.number().int().positive().default(10),
  }),
  packet(pkt, ctx) {
    if (pkt.proto !== 17 || (pkt.srcPort !== ctx.config.port && pkt.dstPort !== ctx.config.port)) return;
    if (pkt.payloadOff === 0xffff) return;
    // the payload must be copied: pkt.data is only valid during this call
    const payload = pkt.data.slice(pkt.payloadOff);
    ctx.offload?.run(payload)?.then((s) => count(s as DnsSummary));
  },
  report(ctx): Part {
    return { queries: [...queries], rcodes: [...rcodes], malformed, top: ctx.config.top };
  },
  merge(parts) {
    const q = new Map<string, number>();
    const r = new Map<string, number>();
    let bad = 0;
    for (const p of parts) {
      for (const [k, v] of p.queries) q.set(k, (q.get(k) ?? 0) + v);
      for (const [k, v] of p.rcodes) r.set(k, (r.get(k) ?? 0) + v);
      bad += p.malformed;
    }
    const top = [...q].sort((a, b) => b[1] - a[1]).slice(0, parts[0]?.top ?? 10);
    return {
      queries: [...q.values()].reduce((a, b) => a + b, 0),
      top: top.map(([query, n]) => ({ query, n })),
      rcodes: Object.fromEntries(r),
      malformed: bad,
    };
  },
});
