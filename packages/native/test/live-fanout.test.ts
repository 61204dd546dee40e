/**
 * Clusters through the kernel (PACKET_FANOUT), in one process: N = 2, 3, 4
 * rings join one cluster of each type on a veth; 12,000 frames over 520 flows
 * (both directions, IPv4/IPv6, VLAN-tagged or not, TCP/UDP/ICMP, fragmented
 * IPv4) are injected, and every packet must arrive exactly once, on the ring
 * its cluster hash names (see support/fanout-check.ts). Then the error cases.
 *
 * One cluster at a time: the kernel shares its IPv4 reassembly queue between
 * all FLAG_DEFRAG groups of a namespace (docs/afpacket.md).
 */
import { close } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, NEEDS_ROOT, createVethPair, type VethPair } from '../../../test/support/netns.js';
import { startInjector, type Injector } from '../../../test/support/inject.js';
import { CLUSTER_TYPE_NAMES } from '../src/cluster.js';
import { createFanoutGroup } from '../src/fanout.js';
import { Ring } from '../src/ring.js';
import type { ClusterTypeName } from '../src/types.js';
import { checkCluster, expectedArrivals } from './support/fanout-check.js';
import { buildTraffic, writeTraffic, type Traffic } from './support/fanout-traffic.js';
import { scratchDir, sleep, waitFor } from './support/live.js';

const root = isRoot();
if (!root) console.warn(`live-fanout.test.ts skipped: ${NEEDS_ROOT}`);

let pair: VethPair;
let injector: Injector;
let scratch: ReturnType<typeof scratchDir>;
let traffic: Traffic;
let trafficFile: string;

const geometry = { snaplen: 2048, blockSize: 1 << 18, blockCount: 16, retireTimeoutMs: 5 };

interface Member {
  ring: Ring;
  seqs: number[];
  hashes: number[];
  done: Promise<void>;
}

function member(ring: Ring): Member {
  const m: Member = { ring, seqs: [], hashes: [], done: Promise.resolve() };
  m.done = (async () => {
    for (;;) {
      const b = await ring.nextBatch();
      if (b === null) return;
      const dv = new DataView(b.data.buffer, b.data.byteOffset, b.data.byteLength);
      for (let i = 0; i < b.count; i++) {
        m.seqs.push(dv.getUint32(b.dataOff[i]! + b.caplen[i]! - 4));
        m.hashes.push(b.hash[i]!);
      }
    }
  })();
  return m;
}

async function runCluster(n: number, type: ClusterTypeName, id: number): Promise<void> {
  // Join all N, then enable: nothing is accepted while the group is incomplete.
  const rings = Array.from({ length: n }, () =>
    Ring.open({ device: pair.captureIf, ...geometry, cluster: { id, type }, enabled: false }),
  );
  for (const r of rings) r.enable();
  const members = rings.map(member);
  const want = expectedArrivals(traffic, type, n).ring.size;
  const report = await injector.inject({ file: trafficFile });
  expect(report.sent).toBe(traffic.frames.length);
  const total = () => members.reduce((s, m) => s + m.seqs.length, 0);
  await waitFor(() => total() >= want, 10_000);
  await sleep(30);
  const stats = rings.map((r) => r.stats());
  for (const r of rings) r.close();
  await Promise.all(members.map((m) => m.done));
  expect(stats.map((s) => s.dropped)).toEqual(rings.map(() => 0));
  checkCluster(traffic, type, members, `${type}, N=${n}`);
}

describe.skipIf(!root)('AF_PACKET clusters (PACKET_FANOUT) in one process', () => {
  beforeAll(() => {
    pair = createVethPair('fanout');
    injector = startInjector(pair);
    scratch = scratchDir('live-fanout');
    traffic = buildTraffic();
    trafficFile = scratch.file('traffic.pcap');
    writeTraffic(trafficFile, traffic.frames);
  });
  afterAll(async () => {
    await injector?.close();
    pair?.cleanup();
    scratch?.cleanup();
  });

  it('the traffic is what the issue asks for', () => {
    expect(traffic.flows).toBeGreaterThanOrEqual(500);
    expect(expectedArrivals(traffic, 'per-flow', 2).ring.size).toBeGreaterThanOrEqual(10_000);
    expect(traffic.datagrams.length).toBeGreaterThan(0);
  });

  for (const n of [2, 3, 4]) {
    for (const [t, type] of CLUSTER_TYPE_NAMES.entries()) {
      it(`${type}, ${n} rings: every packet once, on the ring its hash names`, async () => {
        await runCluster(n, type, 200 + n * 10 + t);
      });
    }
  }

  it('removeFromCluster: the ring leaves the group and receives everything again', async () => {
    const a = Ring.open({ device: pair.captureIf, ...geometry, cluster: { id: 300, type: 'round-robin' } });
    const b = Ring.open({ device: pair.captureIf, ...geometry, cluster: { id: 300, type: 'round-robin' } });
    a.removeFromCluster();
    expect(a.cluster).toBeNull();
    const [ma, mb] = [member(a), member(b)];
    const small = scratch.file('small.pcap');
    writeTraffic(small, traffic.frames.slice(0, 50));
    await injector.inject({ file: small });
    await waitFor(() => ma.seqs.length >= 50 && mb.seqs.length >= 50, 3000);
    await sleep(30);
    a.close();
    b.close();
    await Promise.all([ma.done, mb.done]);
    expect(ma.seqs).toEqual(traffic.frames.slice(0, 50).map((f) => f.seq));
    expect(mb.seqs).toEqual(ma.seqs); // alone in the group now
  });

  it('a group that exists with another type or on another device: PFW_CLUSTER_MISMATCH', () => {
    const a = Ring.open({ device: pair.captureIf, ...geometry, cluster: { id: 301, type: 'round-robin' } });
    try {
      expect(() => Ring.open({ device: pair.captureIf, ...geometry, cluster: { id: 301, type: 'per-flow' } })).toThrow(
        expect.objectContaining({
          code: 'PFW_CLUSTER_MISMATCH',
          message:
            `Cannot join cluster 301 (per-flow, PACKET_FANOUT_CBPF|DEFRAG) on '${pair.captureIf}': fanout group 301 ` +
            'already exists in this network namespace with other settings (another cluster type, or on another ' +
            'device); every member must use the same device and cluster type, or pick another cluster id',
        }),
      );
      expect(() => Ring.open({ device: 'lo', ...geometry, cluster: { id: 301, type: 'round-robin' } })).toThrow(
        expect.objectContaining({ code: 'PFW_CLUSTER_MISMATCH' }),
      );
    } finally {
      a.close();
    }
  });

  it('a full group (256 members): PFW_CLUSTER_FULL', async () => {
    // 256 members made at once by createFanoutGroup (each socket costs the
    // kernel an RCU grace period to set up and one to close).
    const group = createFanoutGroup({
      device: pair.captureIf,
      count: 256,
      clusterId: 302,
      clusterType: 'per-flow',
      snaplen: 128,
      blockSize: 4096,
      blockCount: 1,
      promiscuous: false,
    });
    try {
      expect(() => Ring.open({ device: pair.captureIf, ...geometry, cluster: { id: 302, type: 'per-flow' } })).toThrow(
        expect.objectContaining({
          code: 'PFW_CLUSTER_FULL',
          message:
            `Cannot join cluster 302 (per-flow, PACKET_FANOUT_CBPF|DEFRAG) on '${pair.captureIf}': fanout group 302 is ` +
            'full (the kernel allows 256 members per group); use fewer rings or another cluster id',
        }),
      );
    } finally {
      // in parallel on libuv's thread pool: the closes' grace periods overlap
      await Promise.all(group.fds.map((fd) => new Promise((r) => close(fd, r))));
    }
  });
});
