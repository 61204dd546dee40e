/**
 * The checks of a cluster run, shared by the in-process and the
 * child-process fanout tests: given the traffic sent and what each of the N
 * members read, every packet arrived exactly once, on the member its hash
 * names, both directions of every flow on one member; round-robin spreads
 * evenly.
 */
import { expect } from 'vitest';
import { clusterHash } from '../../src/cluster.js';
import type { ClusterTypeName } from '../../src/types.js';
import type { Traffic } from './fanout-traffic.js';

/** What one member read: the sequence number (last 4 bytes) and batch `hash` of each packet. */
export interface MemberRead {
  seqs: ArrayLike<number>;
  hashes: ArrayLike<number>;
}

interface Expected {
  /** seq -> index of the member it must arrive on (-1: any, round-robin). */
  ring: Map<number, number>;
  /** seq -> flow. */
  flow: Map<number, number>;
}

/**
 * What must arrive for `type` on N members. Hashed types (FLAG_DEFRAG): every
 * unfragmented frame, and each fragmented datagram once, reassembled (known by
 * its last fragment's number). Round-robin: every frame, fragments one by one.
 */
export function expectedArrivals(t: Traffic, type: ClusterTypeName, n: number): Expected {
  const ring = new Map<number, number>();
  const flow = new Map<number, number>();
  const rr = type === 'round-robin';
  for (const f of t.frames) {
    if (f.datagram >= 0 && !rr) continue;
    ring.set(f.seq, rr ? -1 : clusterHash(f.bytes, type) % n);
    flow.set(f.seq, f.flow);
  }
  if (!rr) {
    for (const d of t.datagrams) {
      ring.set(d.seq, clusterHash(d.whole, type) % n);
      flow.set(d.seq, d.flow);
    }
  }
  return { ring, flow };
}

const few = (xs: number[]) => xs.slice(0, 8).join(', ') + (xs.length > 8 ? `, ... (${xs.length})` : '');

/** Asserts the cluster's delivery (vitest expect); `label` names the run in failures. */
export function checkCluster(t: Traffic, type: ClusterTypeName, members: MemberRead[], label: string): void {
  const n = members.length;
  const exp = expectedArrivals(t, type, n);
  const where = new Map<number, number>();
  const twice: number[] = [];
  members.forEach((m, k) => {
    for (let i = 0; i < m.seqs.length; i++) {
      const s = m.seqs[i]!;
      if (where.has(s)) twice.push(s);
      where.set(s, k);
    }
  });
  const missing = [...exp.ring.keys()].filter((s) => !where.has(s));
  const extra = [...where.keys()].filter((s) => !exp.ring.has(s));
  expect(twice, `${label}: packets that arrived more than once: ${few(twice)}`).toEqual([]);
  expect(missing, `${label}: packets that never arrived: ${few(missing)}`).toEqual([]);
  expect(extra, `${label}: packets that should not have arrived: ${few(extra)}`).toEqual([]);

  const counts = members.map((m) => m.seqs.length);
  if (type === 'round-robin') {
    expect(Math.max(...counts) - Math.min(...counts), `${label}: round-robin counts ${counts.join('/')}`).toBeLessThanOrEqual(1);
    return;
  }
  const wrong: number[] = [];
  for (const [s, k] of where) if (exp.ring.get(s) !== k) wrong.push(s);
  expect(wrong, `${label}: packets on another member than clusterHash(frame) % ${n}: ${few(wrong)}`).toEqual([]);
  // the Ring's own hash column agrees with where the kernel put each packet
  members.forEach((m, k) => {
    const off: number[] = [];
    for (let i = 0; i < m.hashes.length; i++) if (m.hashes[i]! % n !== k) off.push(m.seqs[i]!);
    expect(off, `${label}: member ${k} has packets whose batch hash % ${n} is not ${k}: ${few(off)}`).toEqual([]);
  });
  // both directions of every flow on one member
  const flowRing = new Map<number, Set<number>>();
  for (const [s, k] of where) {
    const f = exp.flow.get(s)!;
    if (!flowRing.has(f)) flowRing.set(f, new Set());
    flowRing.get(f)!.add(k);
  }
  const split = [...flowRing].filter(([, ks]) => ks.size > 1).map(([f]) => f);
  expect(split, `${label}: flows split across members: ${few(split)}`).toEqual([]);
  expect(counts.every((c) => c > 0), `${label}: a member got nothing (${counts.join('/')})`).toBe(true);
}
