/**
 * How the workers get their rings, decided once in the supervisor:
 * - files (`--read`): every worker opens the file itself and keeps the packets
 *   of its cluster slot (slot = worker index; the hash is computed natively).
 *   With 2 or more workers and a hashed cluster type, the supervisor indexes
 *   the file once (createClusterIndex: a thread here assigns every record to
 *   its slot) and worker i reads only slot i's records through the index,
 *   inherited like a fanout socket (a worker restarted after it read some
 *   reads the whole file: supervisor.ts, #releaseIndexSlot); files the index
 *   cannot take (pcapng, PPI) are read whole by every worker, as with 1 worker;
 * - afpacket: the supervisor creates the N member sockets of the fanout group
 *   (ring, filter, fanout) BEFORE any worker runs, so the group is complete
 *   before the first packet is read; worker i inherits socket i, and a
 *   restarted worker inherits the same socket: its flows never move;
 * - pfring: each worker opens PF_RING and joins the kernel cluster itself.
 */
import { chooseLiveBackend, createClusterIndex, createFanoutGroup, type ClusterIndex, type FanoutGroup } from '@pfwork/native';
import type { ResolvedOptions } from '@pfwork/core';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { WorkerRingOptions } from '../protocol.js';

export type BackendChoice = 'pcap' | 'afpacket' | 'pfring';

export interface RingPlan {
  backend: BackendChoice;
  /** What every worker passes to Ring.open (plus its fd, or its clusterSlot for files). */
  ring: WorkerRingOptions;
  /** afpacket: the group whose member i worker i adopts. */
  fanout?: FanoutGroup;
  /** Files with 2+ workers: the index each worker reads its slot through (the same descriptor for all). */
  clusterIndex?: ClusterIndex;
  /** One line for the log: what was chosen and why. */
  why: string;
}

/** The ring options a worker opens a file or a device (pfring) with. */
export function workerRingOptions(o: ResolvedOptions, backend: BackendChoice): WorkerRingOptions {
  const c = o.capture;
  const ring: WorkerRingOptions = {
    backend,
    snaplen: c.snaplen,
    maxBatch: c.batchSize,
    samplingRate: c.samplingRate,
    cluster: { id: o.cluster.id, type: o.cluster.type },
  };
  if (c.read !== undefined) {
    ring.file = c.read;
  } else {
    Object.assign(ring, { device: c.interface, ...liveRingSettings(c) });
  }
  if (c.bpf !== undefined) ring.bpf = c.bpf;
  return ring;
}

/** The capture settings a live ring takes as they are (a worker's own ring, or the fanout group's members). */
function liveRingSettings(c: ResolvedOptions['capture']) {
  return {
    promiscuous: c.promiscuous,
    hwTimestamp: c.hwTimestamp,
    blockSize: c.blockSize,
    blockCount: c.blockCount,
    retireTimeoutMs: c.retireTimeoutMs,
    direction: c.direction,
  };
}

/** Picks the backend: pcap for files, else the one asked for, else pfring when it is loaded, else afpacket. */
export function chooseBackend(o: ResolvedOptions): { backend: BackendChoice; why: string } {
  if (o.capture.read !== undefined) return { backend: 'pcap', why: `reading ${o.capture.read}` };
  if (o.capture.backend !== 'auto') return { backend: o.capture.backend as BackendChoice, why: `--backend ${o.capture.backend}` };
  const choice = chooseLiveBackend();
  return { backend: choice.backend, why: `auto: ${choice.reason}` };
}

/**
 * Decides the backend and, for afpacket, creates the fanout group's sockets
 * (this needs CAP_NET_RAW; the workers then do not).
 *
 * @throws what createFanoutGroup throws: PFW_NO_CAP_NET_RAW, PFW_NO_SUCH_DEVICE,
 *   PFW_CLUSTER_MISMATCH (the group id is in use with other settings), PFW_BPF_INVALID, ...
 */
export function planRings(o: ResolvedOptions, cwd: string = process.cwd()): RingPlan {
  const { backend, why } = chooseBackend(o);
  if (backend === 'pcap') return planFile(o, why, cwd);
  if (backend !== 'afpacket') return { backend, ring: workerRingOptions(o, backend), why };
  const c = o.capture;
  const fanout = createFanoutGroup({
    device: c.interface!,
    count: o.workers.count,
    clusterId: o.cluster.id,
    clusterType: o.cluster.type,
    snaplen: c.snaplen,
    ...liveRingSettings(c),
    ...(c.bpf !== undefined ? { bpf: c.bpf } : {}),
  });
  // The filter, direction and fanout live on the sockets; a worker adopts its member as is.
  const ring: WorkerRingOptions = { ...fanout.ringOptions, backend: 'afpacket', maxBatch: c.batchSize, samplingRate: c.samplingRate };
  return { backend, ring, fanout, why };
}

/**
 * A file: indexed for 2+ workers and a hashed cluster type, when the index can
 * take it; otherwise (or if indexing fails for any reason) each worker reads
 * the whole file and keeps its slot, which gives the same packets, and a
 * missing or damaged file is reported by the workers as with 1 worker.
 */
function planFile(o: ResolvedOptions, why: string, cwd: string): RingPlan {
  const ring = workerRingOptions(o, 'pcap');
  if (o.workers.count < 2 || o.cluster.type === 'round-robin') return { backend: 'pcap', ring, why };
  // PFWORK_NO_CLUSTER_INDEX=1: every worker reads the whole file (the tests
  // compare both ways, and it turns off the index's back-pressure: a worker
  // far behind the others then holds none of them back).
  const off = process.env.PFWORK_NO_CLUSTER_INDEX;
  if (off && off !== '0') return { backend: 'pcap', ring, why: `${why}, every worker reads the whole file (PFWORK_NO_CLUSTER_INDEX)` };
  try {
    // the workers resolve a relative path from the same directory (their cwd)
    // PFWORK_CLUSTER_INDEX_SLOT_BYTES: each worker's ring in the index (a
    // power of two, default 4 MiB): how far one worker may fall behind before
    // the others wait for it. Invalid: the reason shows in the capture line.
    const slotBytes = process.env.PFWORK_CLUSTER_INDEX_SLOT_BYTES ? Number(process.env.PFWORK_CLUSTER_INDEX_SLOT_BYTES) : undefined;
    const clusterIndex = createClusterIndex({ file: path.resolve(cwd, o.capture.read!), clusterType: o.cluster.type, count: o.workers.count, snaplen: o.capture.snaplen, start: false, ...(slotBytes !== undefined ? { slotBytes } : {}) });
    return { backend: 'pcap', ring, clusterIndex, why: `${why}, indexed once for ${o.workers.count} workers` };
  } catch (err) {
    return { backend: 'pcap', ring, why: `${why}, every worker reads the whole file: ${errorMessage(err)}` };
  }
}
