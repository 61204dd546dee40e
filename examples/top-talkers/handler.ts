/**
 * top-talkers: bytes and packets per source address, merged across workers.
 *
 * Every worker counts the packets of its own flows; report() sends its
 * per-address table, merge() (in the supervisor) adds the tables up and keeps
 * the top N. A host's flows are spread over several workers, so the tables are
 * summed, not the per-worker top lists.
 *
 * Hot path: IPv4 sources are counted under their numeric address (no string
 * per packet); text is made in report(), once per address.
 */
import { defineHandler, formatIPv4 } from '@pfwork/core';
import { z } from 'zod';

interface Talker {
  addr: string;
  bytes: number;
  packets: number;
}

const v4 = new Map<number, { bytes: number; packets: number }>();
const other = new Map<string, { bytes: number; packets: number }>();

export default defineHandler({
  name: 'top-talkers',
  config: z.object({
    /** How many talkers the merged report lists. */
    top: z.number().int().positive().default(10),
    /** Rank by bytes on the wire or by packets. */
    by: z.enum(['bytes', 'packets']).default('bytes'),
    /** Most addresses one worker reports (its largest); beyond that the totals are approximate. */
    reportLimit: z.number().int().positive().default(10_000),
  }),
  packet(pkt) {
    let e;
    if (pkt.ipVersion === 4) {
      const k = pkt.src4;
      e = v4.get(k);
      if (!e) v4.set(k, (e = { bytes: 0, packets: 0 }));
    } else if (pkt.ipVersion === 6) {
      const k = pkt.srcAddr;
      e = other.get(k);
      if (!e) other.set(k, (e = { bytes: 0, packets: 0 }));
    } else {
      return;
    }
    e.bytes += pkt.len;
    e.packets++;
  },
  report(ctx): { by: 'bytes' | 'packets'; top: number; talkers: Talker[] } {
    const { by, top, reportLimit } = ctx.config;
    const talkers: Talker[] = [];
    for (const [k, e] of v4) talkers.push({ addr: formatIPv4(k), ...e });
    for (const [k, e] of other) talkers.push({ addr: k, ...e });
    talkers.sort((a, b) => b[by] - a[by]);
    return { by, top, talkers: talkers.slice(0, reportLimit) };
  },
  merge(parts) {
    const by = parts[0]?.by ?? 'bytes';
    const top = parts[0]?.top ?? 10;
    const sum = new Map<string, Talker>();
    for (const part of parts) {
      for (const t of part.talkers) {
        const s = sum.get(t.addr);
        if (s) {
          s.bytes += t.bytes;
          s.packets += t.packets;
        } else {
          sum.set(t.addr, { ...t });
        }
      }
    }
    const ranked = [...sum.values()].sort((a, b) => b[by] - a[by]);
    return { by, talkers: ranked.slice(0, top), addresses: ranked.length };
  },
});
