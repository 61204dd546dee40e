/**
 * The cluster index of a capture file (cpp/cluster_index.h): the software
 * equivalent of the kernel's fanout for N workers reading one file.
 *
 * Without it, every ring with a `clusterSlot` reads, locates and hashes every
 * record of the file and keeps its share, so N workers together read the file
 * N times. The index is built once, by a thread of the process that creates
 * it, while the workers read: each worker's ring (`clusterIndexFd`) then reads
 * only the records of its slot (plus every IP fragment, which its fragment
 * cache must see), and gets exactly the packets, hashes and flow records it
 * would have kept by reading everything.
 *
 * The index lives in an anonymous shared memory file (memfd): give its `fd`
 * to each worker (e.g. in child_process stdio) and open the worker's ring
 * with `{ file, cluster, clusterSlot: { index, count }, clusterIndexFd }`.
 * Each slot has a ring of `slotBytes` (8 bytes per packet), taken when the
 * index is created and reused lap after lap, so the memory does not grow with
 * the file. The writer waits when a slot's ring is full until its reader
 * consumes: read every slot at the same time (one ring per slot, as workers
 * do); a slot nobody reads holds the others back once its ring is full
 * (`status().waitingFor` names it).
 *
 * A slot is read through the index by one ring, once. When its ring closes or
 * its process dies, call `release(slot)`: true if it had read nothing (a new
 * ring may take the slot through the index), false otherwise: the writer goes
 * on without that slot, and its next reader reads the whole file with its
 * `clusterSlot` and no `clusterIndexFd` (the same packets, more slowly).
 *
 * @example
 *   const index = createClusterIndex({ file: 'big.pcap', clusterType: 'per-flow-5-tuple', count: 4 });
 *   // fork worker i with stdio [..., index.fd]; in the worker:
 *   Ring.open({ file: 'big.pcap', cluster: { id: 1, type: 'per-flow-5-tuple' }, clusterSlot: { index: i, count: 4 }, clusterIndexFd: 4 });
 *   // when every worker is done:
 *   index.close();
 */
import path from 'node:path';
import { CLUSTER_TYPE_NAMES, ClusterType } from './cluster.js';
import { fromNative, invalidArgument } from './errors.js';
import { loadNative } from './loader.js';
import { clusterTypeOf, MAX_SNAPLEN, RING_DEFAULTS } from './options.js';
import type { ClusterTypeName } from './types.js';

const MIN_SLOT_BYTES = 4096;
const MAX_SLOT_BYTES = 2 ** 30;
const DEFAULT_SLOT_BYTES = 4 * 2 ** 20;
const DEFAULT_TOTAL_BYTES = 256 * 2 ** 20;

/** 4 MiB per slot, halved while all slots would take more than 256 MiB (past 64 slots). */
function defaultSlotBytes(count: unknown): number {
  let bytes = DEFAULT_SLOT_BYTES;
  if (Number.isInteger(count)) while ((count as number) * bytes > DEFAULT_TOTAL_BYTES && bytes > MIN_SLOT_BYTES) bytes /= 2;
  return bytes;
}

export interface ClusterIndexOptions {
  /** The capture file (a classic pcap file; others throw PFW_NOT_SUPPORTED). */
  file: string;
  /** A hashed cluster type, by name or PF_RING number (round-robin needs no index). */
  clusterType: ClusterTypeName | number;
  /** Slots (workers), 2 to 1024. */
  count: number;
  /** The snaplen the workers' rings use (locate sees what they see); default as Ring.open. */
  snaplen?: number;
  /** Start indexing now (default); false: at start() (e.g. once the workers are up, not competing with their start-up). */
  start?: boolean;
  /**
   * Each slot's ring (bytes, a power of two from 4 KiB to 1 GiB; 8 bytes per
   * packet): how far one slot's reader may fall behind the writer before the
   * writer waits for it. Default: 4 MiB (~500,000 packets), less past 64
   * slots (256 MiB in all at most).
   */
  slotBytes?: number;
}

export interface ClusterIndexStatus {
  /** The index is complete (workers read on from handoverOffset by themselves). */
  done: boolean;
  /** Records of the file indexed so far. */
  records: number;
  /** Where the index ended (the end of the file, or the record libpcap must read); 0 until done. */
  handoverOffset: number;
  /** Memory the index holds (bytes): its rings, taken at creation. */
  bytes: number;
  /** The slot whose full ring the writer waits for (its reader is behind, or there is none yet), or null. */
  waitingFor: number | null;
  /**
   * What the writer's thread has cost (updated once per block of records):
   * wall time since start() (until done), its CPU time, and the part of the
   * wall time it waited for a worker a ring behind. Much waiting: the
   * workers are the bound; CPU close to the wall time and little waiting:
   * the index is (one thread walks the whole file for all the workers).
   */
  seconds: number;
  cpuSeconds: number;
  waitedSeconds: number;
}

export interface ClusterIndex {
  /** The shared memory descriptor (close-on-exec: hand it to children explicitly). */
  readonly fd: number;
  readonly clusterType: ClusterTypeName;
  readonly count: number;
  /** Starts indexing (if not started yet); readers wait until it has. Idempotent. */
  start(): void;
  status(): ClusterIndexStatus;
  /**
   * After the ring reading `slot` through the index closed or its process
   * died: true if it had read nothing (another ring may read the slot through
   * the index); false: the writer no longer waits for the slot, whose next
   * reader must read the whole file (clusterSlot without clusterIndexFd).
   */
  release(slot: number): boolean;
  /**
   * No ring will read `slot` through the index: the writer stops waiting for
   * it (its reader, if any, reads the whole file with clusterSlot and no
   * clusterIndexFd). A ring that opens the slot through the index afterwards
   * is refused (PFW_CLUSTER_MISMATCH).
   */
  detach(slot: number): void;
  /** Stops indexing (workers read the rest of the file themselves) and closes this process's descriptor. Idempotent. */
  close(): void;
}

/**
 * Starts indexing `file` for a cluster of `count` slots.
 * @throws PfwError PFW_NOT_SUPPORTED (with the reason) when the file cannot be indexed
 *   (pcapng, PPI, a link type pfwork does not decode, not found, not readable):
 *   the workers then read the whole file each, which always works;
 *   PFW_INVALID_ARGUMENT for bad options
 */
export function createClusterIndex(o: ClusterIndexOptions): ClusterIndex {
  const problems: string[] = [];
  if (typeof o?.file !== 'string' || o.file === '') problems.push(`file must be a path, got ${JSON.stringify(o?.file)}`);
  const type = clusterTypeOf(o?.clusterType);
  if (type === null || type === ClusterType.RoundRobin) {
    problems.push(`clusterType must be a hashed cluster type (${CLUSTER_TYPE_NAMES.filter((n) => n !== 'round-robin').join(', ')}), got ${JSON.stringify(o?.clusterType)}`);
  }
  if (!Number.isInteger(o?.count) || o.count < 2 || o.count > 1024) problems.push(`count must be an integer from 2 to 1024, got ${JSON.stringify(o?.count)}`);
  const snaplen = o?.snaplen ?? RING_DEFAULTS.snaplen;
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > MAX_SNAPLEN) problems.push(`snaplen must be an integer from 1 to ${MAX_SNAPLEN}, got ${JSON.stringify(o?.snaplen)}`);
  const slotBytes = o?.slotBytes ?? defaultSlotBytes(o?.count);
  if (!Number.isInteger(slotBytes) || slotBytes < MIN_SLOT_BYTES || slotBytes > MAX_SLOT_BYTES || (slotBytes & (slotBytes - 1)) !== 0) {
    problems.push(`slotBytes must be a power of two from ${MIN_SLOT_BYTES} to ${MAX_SLOT_BYTES}, got ${JSON.stringify(o?.slotBytes)}`);
  }
  if (problems.length) throw invalidArgument(`createClusterIndex: ${problems.join('; ')}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let native: any;
  try {
    native = new (loadNative().NativeClusterIndex)(path.resolve(o.file), type!, o.count, snaplen, slotBytes);
  } catch (err) {
    throw fromNative(err);
  }
  const fd = native.fd() as number;
  let closed = false;
  if (o.start !== false) native.start();
  return {
    fd,
    clusterType: CLUSTER_TYPE_NAMES[type!]!,
    count: o.count,
    start: () => {
      if (!closed) native.start();
    },
    status: () =>
      closed ? { done: true, records: 0, handoverOffset: 0, bytes: 0, waitingFor: null, seconds: 0, cpuSeconds: 0, waitedSeconds: 0 } : native.status(),
    release: (slot) => !closed && native.release(slot),
    detach: (slot) => {
      if (!closed) native.detach(slot);
    },
    close: () => {
      if (closed) return;
      closed = true;
      native.close();
    },
  };
}
