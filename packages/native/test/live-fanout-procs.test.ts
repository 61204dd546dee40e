/**
 * Clusters through the kernel with supervisor-owned sockets (DESIGN section 8):
 * createFanoutGroup() makes the N members in this process, and N child
 * processes each adopt one inherited descriptor (Ring.open({ fd })). The same
 * traffic and checks as live-fanout.test.ts, for N = 2, 3, 4 and every type;
 * then a worker restart keeps its slot, and a worker without CAP_NET_RAW reads
 * its inherited ring.
 *
 * Process starts are what costs here, so 4 workers serve all 18 clusters:
 * worker i holds slot i of every group with more than i members. Each group
 * has its own veth pair (all inject ends in one namespace, one injector)
 * because the kernel shares its IPv4 reassembly queue between all FLAG_DEFRAG
 * groups of a namespace: two hashed groups must not see the same fragments
 * at once, so each cluster's traffic goes to its own pair, one after another.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, NEEDS_ROOT, createVethPair, type VethPair } from '../../../test/support/netns.js';
import { startInjector, type Injector } from '../../../test/support/inject.js';
import { clusterHash, CLUSTER_TYPE_NAMES } from '../src/cluster.js';
import { createFanoutGroup, type FanoutGroup } from '../src/fanout.js';
import type { ClusterTypeName, RingStats } from '../src/types.js';
import { checkCluster, expectedArrivals } from './support/fanout-check.js';
import { buildTraffic, writeTraffic, type Traffic } from './support/fanout-traffic.js';
import { scratchDir, waitFor } from './support/live.js';

const root = isRoot();
if (!root) console.warn(`live-fanout-procs.test.ts skipped: ${NEEDS_ROOT}`);

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const memberScript = path.join(here, 'fixtures/fanout-member.ts');

let pair: VethPair;
/** More pairs whose inject ends are in pair.ns (one per cluster under test). */
const morePairs: VethPair[] = [];
let injector: Injector;
let scratch: ReturnType<typeof scratchDir>;
let traffic: Traffic;
let trafficFile: string;

const geometry = { snaplen: 2048, blockSize: 1 << 18, blockCount: 16, retireTimeoutMs: 5 };

interface Result {
  seqs: number[];
  hashes: number[];
  stats: RingStats;
}

/** A child process adopting `fd` as its descriptor 4 (see fixtures/fanout-member.ts). */
class Worker {
  readonly child: ChildProcess;
  readonly #messages: { type: string; [k: string]: unknown }[] = [];
  #waiters: (() => void)[] = [];
  counts: number[] = [];

  /** `fds` become the child's descriptors 4, 5, ... */
  constructor(fds: number[], dropCaps = false) {
    const stdio: ('inherit' | 'ipc' | number)[] = ['inherit', 'inherit', 'inherit', 'ipc', ...fds];
    this.child = dropCaps
      ? // root without any capability: an empty bounding set drops them all at exec
        spawn('setpriv', ['--bounding-set=-all', '--inh-caps=-all', '--', process.execPath, '--import', 'tsx', memberScript], {
          cwd: repoRoot,
          stdio,
        })
      : fork(memberScript, [], { cwd: repoRoot, execArgv: ['--import', 'tsx'], stdio });
    this.child.on('message', (m: { type: string; counts?: number[] }) => {
      if (m.type === 'progress') this.counts = m.counts!;
      this.#messages.push(m);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  async next(type: string, timeoutMs = 15_000): Promise<{ [k: string]: unknown }> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#messages.findIndex((m) => m.type === type);
      if (i >= 0) return this.#messages.splice(i, 1)[0]!;
      if (Date.now() > end || this.child.exitCode !== null) throw new Error(`worker sent no '${type}' message`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** Opens one ring per group (the child's descriptor 4 + k for groups[k]). */
  start(groups: FanoutGroup[], probeDevice?: string): Promise<{ [k: string]: unknown }> {
    const rings = groups.map((g) => ({ ringOptions: g.ringOptions, cluster: { id: g.clusterId, type: g.clusterType } }));
    this.child.send({ type: 'start', rings, probeDevice });
    return this.next('ready');
  }

  count(ring = 0): number {
    return this.counts[ring] ?? 0;
  }

  /** What ring k read so far (forgotten by the child afterwards). */
  async take(ring: number): Promise<Result> {
    this.child.send({ type: 'take', ring });
    return (await this.next('taken')) as unknown as Result;
  }

  poll(): void {
    this.child.send({ type: 'poll' });
  }

  /** Closes the rings; what each read since the last take. */
  async stop(): Promise<Result[]> {
    this.child.send({ type: 'stop' });
    const r = (await this.next('result')) as unknown as { rings: Result[] };
    await new Promise((res) => (this.child.exitCode !== null ? res(null) : this.child.once('exit', res)));
    return r.rings;
  }

  kill(): Promise<void> {
    return new Promise((res) => {
      this.child.once('exit', () => res());
      this.child.kill('SIGKILL');
    });
  }
}

/** Polls the workers until together they read `want` packets on ring k (or 10 s). */
async function readAll(workers: Worker[], want: number, ring = 0): Promise<void> {
  await waitFor(
    () => {
      for (const w of workers) w.poll();
      return workers.reduce((s, w) => s + w.count(ring), 0) >= want;
    },
    10_000,
    20,
  );
}

function kill(workers: Worker[]): void {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
}

describe.skipIf(!root)('AF_PACKET clusters with supervisor-owned sockets, in N processes', () => {
  beforeAll(() => {
    pair = createVethPair('procs');
    injector = startInjector(pair);
    scratch = scratchDir('live-fanout-procs');
    traffic = buildTraffic();
    trafficFile = scratch.file('traffic.pcap');
    writeTraffic(trafficFile, traffic.frames);
  });
  afterAll(async () => {
    await injector?.close();
    for (const p of morePairs) p.cleanup();
    pair?.cleanup();
    scratch?.cleanup();
  });

  describe('N = 2, 3, 4 worker processes, every cluster type', () => {
    const clusters = [2, 3, 4].flatMap((n) => CLUSTER_TYPE_NAMES.map((type, t) => ({ n, type, t })));
    const pairs: VethPair[] = [];
    const groups: FanoutGroup[] = [];
    /** slots[i]: the clusters (indexes into `clusters`) worker i holds, in its descriptor order. */
    const slots: number[][] = [[], [], [], []];
    let workers: Worker[] = [];
    beforeAll(async () => {
      for (const [c, { n, type, t }] of clusters.entries()) {
        const p = createVethPair('procs', { namespace: pair.ns });
        morePairs.push(p);
        pairs.push(p);
        groups.push(createFanoutGroup({ device: p.captureIf, count: n, clusterId: 400 + n * 10 + t, clusterType: type, ...geometry }));
        for (let i = 0; i < n; i++) slots[i]!.push(c);
      }
      workers = slots.map((cs, i) => new Worker(cs.map((c) => groups[c]!.fds[i]!)));
      await Promise.all(workers.map((w, i) => w.start(slots[i]!.map((c) => groups[c]!))));
    });
    afterAll(async () => {
      await Promise.all(workers.map((w) => (w.child.exitCode === null ? w.stop() : null)));
      kill(workers);
      for (const g of groups) g.close();
    });

    for (const [c, { n, type }] of clusters.entries()) {
      it(`${type}, ${n} processes: every packet once, on the process its hash names`, async () => {
        const members = workers.slice(0, n);
        const ringIn = (i: number) => slots[i]!.indexOf(c);
        const report = await injector.inject({ file: trafficFile, device: pairs[c]!.injectIf });
        expect(report.sent).toBe(traffic.frames.length);
        const want = expectedArrivals(traffic, type, n).ring.size;
        await waitFor(
          () => {
            for (const w of members) w.poll();
            return members.reduce((sum, w, i) => sum + w.count(ringIn(i)), 0) >= want;
          },
          10_000,
          20,
        );
        const results = await Promise.all(members.map((w, i) => w.take(ringIn(i))));
        expect(results.map((r) => r.stats.dropped)).toEqual(results.map(() => 0));
        checkCluster(traffic, type as ClusterTypeName, results, `${type}, ${n} processes`);
      });
    }
  });

  it('a worker that restarts and adopts the same descriptor keeps its slot', async () => {
    const n = 2;
    const type = 'per-flow';
    const group = createFanoutGroup({ device: pair.captureIf, count: n, clusterId: 450, clusterType: type, ...geometry });
    const half = traffic.frames.filter((f) => f.datagram < 0);
    const first = half.slice(0, 2000);
    const second = half.slice(2000, 4000);
    const third = half.slice(4000, 6000);
    const file = (name: string, frames: typeof half) => {
      const f = scratch.file(name);
      writeTraffic(f, frames);
      return f;
    };
    const slotOf = (frames: typeof half, k: number) => frames.filter((f) => clusterHash(f.bytes, type) % n === k).map((f) => f.seq);
    let w0 = new Worker([group.fds[0]!]);
    const w1 = new Worker([group.fds[1]!]);
    try {
      await Promise.all([w0.start([group]), w1.start([group])]);
      await injector.inject({ file: file('first.pcap', first) });
      await readAll([w0, w1], first.length);
      // worker 0 dies; its slot stays in the group (this process holds the descriptor)
      await w0.kill();
      await injector.inject({ file: file('second.pcap', second) });
      w0 = new Worker([group.fds[0]!]);
      await w0.start([group]);
      await injector.inject({ file: file('third.pcap', third) });
      const want = slotOf(second, 0).length + slotOf(third, 0).length;
      await waitFor(() => (w0.poll(), w0.count() >= want), 10_000, 20);
      const [[r0], [r1]] = await Promise.all([w0.stop(), w1.stop()]);
      // what arrived while no worker read slot 0 waited in its ring, then went to the new worker
      expect(r0!.seqs).toEqual([...slotOf(second, 0), ...slotOf(third, 0)]);
      expect(r1!.seqs).toEqual([...slotOf(first, 1), ...slotOf(second, 1), ...slotOf(third, 1)]);
      expect(r0!.stats.dropped).toBe(0);
    } finally {
      kill([w0, w1]);
      group.close();
    }
  });

  it('createFanoutGroup checks its options before any system call', () => {
    const base = { device: pair.captureIf, count: 2, clusterId: 452, clusterType: 'per-flow' as const };
    expect(() => createFanoutGroup({ ...base, count: 0 })).toThrow(
      expect.objectContaining({
        code: 'PFW_INVALID_ARGUMENT',
        message: "createFanoutGroup: count (0) must be an integer from 1 to 256 (the kernel's limit per fanout group)",
      }),
    );
    expect(() => createFanoutGroup({ ...base, clusterId: 70000 })).toThrow(
      expect.objectContaining({
        code: 'PFW_INVALID_ARGUMENT',
        message: 'createFanoutGroup: clusterId (70000) must be an integer from 0 to 65535 (a PACKET_FANOUT group id)',
      }),
    );
    expect(() => createFanoutGroup({ ...base, blockSize: 5000, snaplen: 1500 })).toThrow(
      expect.objectContaining({
        code: 'PFW_INVALID_OPTION',
        message: 'invalid ring options: blockSize (5000) must be a multiple of the page size (4096)',
      }),
    );
    expect(() => createFanoutGroup({ ...base, device: 'pfwnosuchdev0' })).toThrow(
      expect.objectContaining({
        code: 'PFW_NO_SUCH_DEVICE',
        message: "No network device named 'pfwnosuchdev0' in this network namespace; `ip link` lists the devices that exist",
      }),
    );
    expect(() => createFanoutGroup({ ...base, bpf: 'tcp port' })).toThrow(expect.objectContaining({ code: 'PFW_BPF_INVALID' }));
  });

  it('a worker without CAP_NET_RAW reads its inherited ring, filtered by the group\'s BPF', async () => {
    const group = createFanoutGroup({ device: pair.captureIf, count: 1, clusterId: 451, clusterType: 'round-robin', bpf: 'udp', ...geometry });
    const w = new Worker([group.fds[0]!], true);
    try {
      const ready = await w.start([group], pair.captureIf);
      // it cannot open a socket of its own...
      expect(ready.probe).toBe('PFW_NO_CAP_NET_RAW');
      const frames = traffic.frames.filter((f) => f.datagram < 0).slice(0, 1000);
      const f = scratch.file('nocap.pcap');
      writeTraffic(f, frames);
      await injector.inject({ file: f });
      // The kernel has moved an outer VLAN tag to metadata before the filter
      // runs, so 'udp' matches tagged UDP frames too.
      const untagged = (b: Uint8Array) => (b[12] === 0x81 && b[13] === 0x00 ? new Uint8Array([...b.subarray(0, 12), ...b.subarray(16)]) : b);
      const isUdp = (b: Uint8Array) =>
        (b[12] === 0x08 && b[13] === 0x00 && b[23] === 17) || (b[12] === 0x86 && b[13] === 0xdd && b[20] === 17);
      const want = frames.filter((fr) => isUdp(untagged(fr.bytes))).map((fr) => fr.seq);
      expect(want.length).toBeGreaterThan(100);
      expect(want.length).toBeLessThan(frames.length);
      await waitFor(() => (w.poll(), w.count() >= want.length), 10_000, 20);
      // ...and still reads, through the one it inherited, exactly what the filter keeps
      const [r] = await w.stop();
      expect(r!.seqs).toEqual(want);
    } finally {
      kill([w]);
      group.close();
    }
  });
});
