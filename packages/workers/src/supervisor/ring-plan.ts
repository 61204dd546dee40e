/**
 * How the workers get their rings, decided once in the supervisor:
 * - files (`--read`): every worker opens the file itself and keeps the packets
 *   of its cluster slot (slot = worker index; the hash is computed natively);
 * - afpacket: the supervisor creates the N member sockets of the fanout group
 *   (ring, filter, fanout) BEFORE any worker runs, so the group is complete
 *   before the first packet is read; worker i inherits socket i, and a
 *   restarted worker inherits the same socket: its flows never move;
 * - pfring: each worker opens PF_RING and joins the kernel cluster itself.
 */
import * as native from '@pfwork/native';
import type { ResolvedOptions } from '@pfwork/core';
import { pfwError } from '../errors.js';
import type { WorkerRingOptions } from '../protocol.js';

export type BackendChoice = 'pcap' | 'afpacket' | 'pfring';

export interface FanoutGroup {
  /** One member socket per worker, index = worker index. */
  readonly fds: readonly number[];
  /** Closes every member socket (the supervisor's copies). */
  close(): void;
}

export interface RingPlan {
  backend: BackendChoice;
  /** What every worker passes to Ring.open (plus its fd or clusterSlot). */
  ring: WorkerRingOptions;
  fanout?: FanoutGroup;
  /** One line for the log: what was chosen and why. */
  why: string;
}

type NativeExtras = {
  pfringAvailable?: () => boolean;
  createFanoutGroup?: (options: Record<string, unknown>) => FanoutGroup | readonly number[];
};

/** The ring options every worker shares, from the resolved options. */
export function workerRingOptions(o: ResolvedOptions, backend: BackendChoice): WorkerRingOptions {
  const c = o.capture;
  const ring: Record<string, unknown> = {
    backend,
    snaplen: c.snaplen,
    promiscuous: c.promiscuous,
    hwTimestamp: c.hwTimestamp,
    blockSize: c.blockSize,
    blockCount: c.blockCount,
    retireTimeoutMs: c.retireTimeoutMs,
    maxBatch: c.batchSize,
    direction: c.direction,
    samplingRate: c.samplingRate,
    cluster: { id: o.cluster.id, type: o.cluster.type },
  };
  if (c.read !== undefined) ring.file = c.read;
  if (c.interface !== undefined) ring.device = c.interface;
  if (c.bpf !== undefined) ring.bpf = c.bpf;
  return ring as WorkerRingOptions;
}

/** Picks the backend: pcap for files, else the one asked for, else pfring when loaded, else afpacket. */
export function chooseBackend(o: ResolvedOptions): { backend: BackendChoice; why: string } {
  if (o.capture.read !== undefined) return { backend: 'pcap', why: `reading ${o.capture.read}` };
  if (o.capture.backend !== 'auto') return { backend: o.capture.backend as BackendChoice, why: `--backend ${o.capture.backend}` };
  const probe = (native as unknown as NativeExtras).pfringAvailable;
  if (typeof probe === 'function' && probe()) return { backend: 'pfring', why: 'auto: PF_RING is loaded' };
  return { backend: 'afpacket', why: 'auto: PF_RING is not loaded' };
}

/**
 * Decides the backend and, for afpacket, creates the fanout group's sockets.
 *
 * @throws PFW_FANOUT_UNAVAILABLE when this build of @pfwork/native cannot create
 *   fanout groups; whatever createFanoutGroup throws (no CAP_NET_RAW, no such interface...).
 */
export function planRings(o: ResolvedOptions): RingPlan {
  const { backend, why } = chooseBackend(o);
  const ring = workerRingOptions(o, backend);
  if (backend !== 'afpacket') return { backend, ring, why };
  const create = (native as unknown as NativeExtras).createFanoutGroup;
  if (typeof create !== 'function') {
    throw pfwError('PFW_FANOUT_UNAVAILABLE', '@pfwork/native has no createFanoutGroup in this build: live afpacket capture needs it; run npm run build:native');
  }
  const made = create({ ...ring, device: o.capture.interface, count: o.workers.count, clusterId: o.cluster.id, clusterType: o.cluster.type });
  const fanout: FanoutGroup = Array.isArray(made)
    ? { fds: made as readonly number[], close: () => {} }
    : (made as FanoutGroup);
  return { backend, ring, fanout, why };
}
