/**
 * The tuple each cluster type balances on (DESIGN section 4), as a string key
 * built from a per-packet record: two packets with the same key must land on
 * the same worker. Direction-free (endpoints sorted). Null for packets no key
 * applies to (not IP, IP fragments: those follow their first fragment).
 */

export interface PacketFields {
  proto: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  vlan: number;
  frag: number;
}

const PORTED = new Set([6, 17, 132]);

export function flowKey(r: PacketFields, clusterType: string): string | null {
  if (!r.src || r.frag) return null;
  const ports = PORTED.has(r.proto);
  const a = ports ? `${r.src}#${r.sport}` : r.src;
  const b = ports ? `${r.dst}#${r.dport}` : r.dst;
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const [loAddr, hiAddr] = r.src < r.dst ? [r.src, r.dst] : [r.dst, r.src];
  switch (clusterType) {
    case 'per-flow':
      return `${r.vlan}|${r.proto}|${lo}|${hi}`;
    case 'per-flow-2-tuple':
      return `${loAddr}|${hiAddr}`;
    case 'per-flow-4-tuple':
      return `${lo}|${hi}`;
    case 'per-flow-5-tuple':
      return `${r.proto}|${lo}|${hi}`;
    case 'per-flow-tcp-5-tuple':
      return r.proto === 6 ? `${r.proto}|${lo}|${hi}` : `${loAddr}|${hiAddr}`;
    default:
      throw new Error(`no flow key for cluster type ${clusterType}`);
  }
}

/** Keys found under more than one worker, with the workers. */
export function splitFlows(records: (PacketFields & { worker: number })[], clusterType: string): Map<string, Set<number>> {
  const seen = new Map<string, Set<number>>();
  for (const r of records) {
    const k = flowKey(r, clusterType);
    if (k === null) continue;
    let s = seen.get(k);
    if (!s) seen.set(k, (s = new Set()));
    s.add(r.worker);
  }
  for (const [k, s] of seen) if (s.size < 2) seen.delete(k);
  return seen;
}
