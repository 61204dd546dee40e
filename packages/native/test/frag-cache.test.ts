import { describe, expect, it } from 'vitest';
import { clusterHash } from '../src/cluster.js';
import { locate, MetaFlag } from '../src/locate.js';
import { loadNative } from '../src/loader.js';
import { sharedPcaps, SHARED_PCAPS_SKIP } from '../../../test/support/pcaps.js';
import { buildFrame, buildIPv4Fragments } from './support/frames.js';

interface Result {
  hashes: number[];
  queues: number[];
  size: number;
  stats: { followed: number; firsts: number; orphans: number; completed: number; expired: number; evicted: number };
}
function run(
  packets: Uint8Array[],
  type = 4,
  count = 4,
  ts: number[] = [],
  opts?: { maxEntries?: number; timeoutNs?: number },
  linkType = 1,
): Result {
  return loadNative().softwareClusterForTest(packets, linkType, type, count, ts, opts) as Result;
}

const ip = { src: '10.0.0.1', dst: '10.0.0.2', id: 4242 };
const udp = { kind: 'udp', sport: 5000, dport: 53 } as const;
const payload = new Uint8Array(100).fill(7);
// A 108-byte UDP datagram in 32-byte pieces: offsets 0, 32, 64, 96.
const frags = buildIPv4Fragments({ ip, l4: udp, payload }, 32);
const whole = buildFrame({ ip, l4: udp, payload });
const FIVE = 4;

describe('frag cache: fragments follow their datagram', () => {
  it('non-fragments keep their own hash and leave the cache empty', () => {
    const r = run([whole, whole]);
    expect(r.hashes).toEqual([clusterHash(whole, FIVE), clusterHash(whole, FIVE)]);
    expect(r.size).toBe(0);
  });

  it('in order: every fragment takes the first fragment hash, ports included', () => {
    expect(frags).toHaveLength(4);
    const first = clusterHash(frags[0]!, FIVE);
    expect(first).toBe(clusterHash(whole, FIVE)); // the first fragment hashes like the unfragmented datagram
    expect(clusterHash(frags[1]!, FIVE)).not.toBe(first); // alone, a later fragment has no ports
    const r = run(frags);
    expect(r.hashes).toEqual([first, first, first, first]);
    expect(r.stats).toMatchObject({ firsts: 1, followed: 3, orphans: 0, completed: 1 });
  });

  it('last-first order: the datagram stays together, on the hash of the fragment seen first', () => {
    const reversed = [...frags].reverse();
    const own = clusterHash(reversed[0]!, FIVE); // addresses + proto, no ports
    const r = run(reversed);
    expect(r.hashes).toEqual([own, own, own, own]);
    expect(r.stats).toMatchObject({ orphans: 1, followed: 3, completed: 1 });
  });

  it('interleaved datagrams each follow their own first fragment', () => {
    const other = buildIPv4Fragments({ ip: { ...ip, id: 4243 }, l4: { kind: 'udp', sport: 6000, dport: 53 }, payload }, 32);
    const seq = [frags[0]!, other[0]!, frags[1]!, other[1]!, other[2]!, frags[2]!, frags[3]!, other[3]!];
    const a = clusterHash(frags[0]!, FIVE);
    const b = clusterHash(other[0]!, FIVE);
    expect(a).not.toBe(b);
    expect(run(seq).hashes).toEqual([a, b, a, b, b, a, a, b]);
  });

  it('the same id with another protocol is another datagram (IPv4 key includes proto)', () => {
    const tcpFrags = buildIPv4Fragments({ ip, l4: { kind: 'tcp', sport: 1, dport: 2 }, payload }, 32);
    const r = run([frags[0]!, tcpFrags[1]!]);
    expect(r.hashes[1]).toBe(clusterHash(tcpFrags[1]!, FIVE));
    expect(r.stats.orphans).toBe(1);
  });

  it('a late duplicate follows its completed datagram; a new first fragment with the same id starts a new one', () => {
    const reused = buildIPv4Fragments({ ip, l4: { kind: 'udp', sport: 7777, dport: 53 }, payload }, 32);
    const r = run([...frags, frags[2]!, reused[0]!, reused[1]!]);
    const a = clusterHash(frags[0]!, FIVE);
    const b = clusterHash(reused[0]!, FIVE);
    expect(a).not.toBe(b);
    expect(r.hashes).toEqual([a, a, a, a, a, b, b]);
  });

  it('an entry ages out in packet time', () => {
    const r = run([frags[0]!, frags[1]!], FIVE, 4, [0, 31e9], { timeoutNs: 30e9 });
    expect(r.hashes[1]).toBe(clusterHash(frags[1]!, FIVE));
    expect(r.stats.expired).toBe(1);
    const fresh = run([frags[0]!, frags[1]!], FIVE, 4, [0, 29e9], { timeoutNs: 30e9 });
    expect(fresh.hashes[1]).toBe(fresh.hashes[0]);
  });

  it('is bounded: the oldest entry goes when the cache is full', () => {
    const d = [1, 2, 3].map((id) => buildIPv4Fragments({ ip: { ...ip, id }, l4: { kind: 'udp', sport: 100 + id, dport: 9 }, payload }, 32));
    const r = run([d[0]![0]!, d[1]![0]!, d[2]![0]!, d[0]![1]!, d[2]![1]!], FIVE, 4, [], { maxEntries: 2 });
    expect(r.stats.evicted).toBeGreaterThanOrEqual(1);
    expect(r.size).toBe(2);
    expect(r.hashes[3]).toBe(clusterHash(d[0]![1]!, FIVE)); // datagram 1 was evicted: its fragment is an orphan
    expect(r.hashes[4]).toBe(clusterHash(d[2]![0]!, FIVE));
  });

  it('IPv6 fragments follow their first fragment', () => {
    const ip6 = { src: '2001:db8::1', dst: '2001:db8::2' };
    const first = buildFrame({ ip: { ...ip6, frag6: { offset: 0, more: true, id: 9 } }, l4: udp, payload: new Uint8Array(16) });
    const later = buildFrame({ ip: { ...ip6, frag6: { offset: 24, more: false, id: 9 } }, l4: { kind: 'raw', proto: 17 }, payload: new Uint8Array(8) });
    const r = run([first, later]);
    expect(r.hashes).toEqual([clusterHash(first, FIVE), clusterHash(first, FIVE)]);
    expect(r.stats.completed).toBe(1);
  });
});

describe('software cluster queues', () => {
  it('hashed types: queue = fragment-coherent hash % count', () => {
    const seq = [whole, ...frags];
    for (const count of [1, 2, 3, 4]) {
      const r = run(seq, FIVE, count);
      expect(r.queues).toEqual(r.hashes.map((h) => h % count));
      expect(new Set(r.queues.slice(1)).size).toBe(1);
    }
  });

  it('round-robin: queue = packet number % count', () => {
    const r = run([whole, whole, whole, whole, whole], 1, 3);
    expect(r.queues).toEqual([0, 1, 2, 0, 1]);
  });
});

describe('frag cache over the shared captures', () => {
  const rows = sharedPcaps()?.filter((r) => r.features.includes('frag'));
  it.skipIf(!rows)(rows ? 'fragments of one datagram share a queue; in-order datagrams sit with their flow' : SHARED_PCAPS_SKIP, () => {
    const native = loadNative();
    let datagrams = 0;
    for (const row of rows!) {
      const { linkType, packets } = native.readPcapForTest(row.file) as { linkType: number; packets: Uint8Array[] };
      for (const type of [0, 3, 4, 5]) {
        const r = run(packets, type, 3, [], undefined, linkType);
        const byDatagram = new Map<string, { queues: Set<number>; firstIndex: number; firstSeenFirst: boolean }>();
        packets.forEach((p, i) => {
          const m = locate(p, linkType);
          if (!(m.flags & MetaFlag.Fragment)) return;
          const addr = m.flags & MetaFlag.IPv4 ? `${m.src4}>${m.dst4}/${m.proto}` : `${Array.from(m.src6)}>${Array.from(m.dst6)}`;
          const key = `${addr}#${m.fragId}`;
          let d = byDatagram.get(key);
          if (!d) byDatagram.set(key, (d = { queues: new Set(), firstIndex: -1, firstSeenFirst: m.fragOff === 0 }));
          d.queues.add(r.queues[i]!);
          if (m.fragOff === 0 && d.firstIndex < 0) d.firstIndex = i;
        });
        for (const [key, d] of byDatagram) {
          // Where the offset-0 fragment came first, the datagram sits with its flow's hash.
          if (d.firstSeenFirst && d.firstIndex >= 0) {
            expect(r.queues[d.firstIndex], `${row.localPath} ${key}`).toBe(clusterHash(packets[d.firstIndex]!, type, linkType) % 3);
          }
          if (d.queues.size > 1) {
            expect.fail(`${row.localPath} type ${type}: datagram ${key} split over queues ${[...d.queues]}`);
          }
          datagrams++;
        }
      }
    }
    expect(datagrams).toBeGreaterThan(10);
  });
});

describe('softwareClusterForTest: invalid arguments', () => {
  it('rejects an unknown cluster type', () => {
    expect(() => run([whole], 9)).toThrow('softwareClusterForTest: unknown cluster type');
  });
});
