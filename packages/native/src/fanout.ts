/**
 * Supervisor-owned AF_PACKET fanout groups (DESIGN section 8).
 *
 * A privileged process (the supervisor) creates all N member sockets of a
 * PACKET_FANOUT group at once, in slot order, and hands socket i to worker i as
 * an inherited descriptor; the worker adopts it with
 * `Ring.open({ fd, ...group.ringOptions })`. This gives:
 * - a complete group before any packet is accepted (each socket rejects
 *   everything until the last member has joined), so no packet is queued on
 *   the wrong member while the group forms;
 * - stable slots: the kernel keeps members in join order and a member leaves
 *   only when its last descriptor closes, so a worker that restarts and adopts
 *   the same descriptor (the supervisor keeps its copy open) gets the same
 *   slot: no flow moves to another worker, and packets that arrive while the
 *   worker is down wait in its ring (up to the ring's size, then they are
 *   counted as dropped);
 * - workers without CAP_NET_RAW: mapping and reading an inherited ring needs
 *   no capability.
 */
import { closeSync } from 'node:fs';
import { clusterTypeName, clusterTypeNumber } from './cluster.js';
import { fromNative, invalidArgument } from './errors.js';
import { loadNative } from './loader.js';
import { resolveRingOptions } from './options.js';
import type { ClusterTypeName, DirectionName } from './types.js';

/** Options of {@link createFanoutGroup}; the ring options mean what they mean for `Ring.open()`. */
export interface FanoutGroupOptions {
  /** Interface to capture on (in this process's network namespace). */
  device: string;
  /** Number of members (workers), 1 to 256 (the kernel's limit per group). */
  count: number;
  /** PACKET_FANOUT group id, 0 to 65535; one group per id and network namespace. */
  clusterId: number;
  /** Cluster type by name or PF_RING number: round-robin = PACKET_FANOUT_LB, the rest PACKET_FANOUT_CBPF. */
  clusterType: ClusterTypeName | number;
  snaplen?: number;
  promiscuous?: boolean;
  hwTimestamp?: boolean;
  /** tp_block_size. */
  blockSize?: number;
  /** tp_block_nr. */
  blockCount?: number;
  /** tp_frame_size. */
  frameSize?: number;
  /** tp_retire_blk_tov (ms). */
  retireTimeoutMs?: number;
  /** Packet direction kept: 'rx', 'tx' or 'both' (default). */
  direction?: DirectionName;
  /** A BPF expression (libpcap syntax) attached to every member. */
  bpf?: string;
}

/** What a worker passes to `Ring.open()` besides its `fd`: the group's device and geometry. */
export interface FanoutRingOptions {
  device: string;
  snaplen: number;
  blockSize: number;
  blockCount: number;
  frameSize: number;
  retireTimeoutMs: number;
}

export interface FanoutGroup {
  /** The member descriptors in slot order: fds[i] receives the packets whose queue is i. */
  readonly fds: readonly number[];
  readonly clusterId: number;
  readonly clusterType: ClusterTypeName;
  /** The options a worker adopts its descriptor with: `Ring.open({ fd, ...group.ringOptions })`. */
  readonly ringOptions: Readonly<FanoutRingOptions>;
  /** Closes this process's copies of the descriptors (a member leaves when its last copy closes). Idempotent. */
  close(): void;
}

const DIRECTIONS: Record<DirectionName, number> = { rx: 0, tx: 1, both: 2 };

/**
 * Creates the member sockets of a fanout group (ring configured, filter
 * attached, joined in order) and returns their descriptors. Needs CAP_NET_RAW.
 * The descriptors are close-on-exec: give them to a child explicitly, e.g. in
 * `child_process.fork(..., { stdio: ['inherit', 'inherit', 'inherit', 'ipc', fd] })`
 * (the child then sees it as descriptor 4).
 *
 * Defaults are the Ring's (RING_DEFAULTS): snaplen 262144, promiscuous true,
 * blockSize 1 MiB, blockCount 32, frameSize 2048, retireTimeoutMs 10; and
 * direction 'both', no BPF.
 *
 * @throws PfwArgumentError: PFW_INVALID_ARGUMENT (device, count, clusterId,
 *   clusterType, direction, bpf) or PFW_INVALID_OPTION (the ring options, every
 *   problem listed, as Ring.open() reports them); PfwError from the kernel:
 *   PFW_NO_CAP_NET_RAW, PFW_NO_SUCH_DEVICE, PFW_CLUSTER_MISMATCH (the group
 *   exists with other settings), PFW_CLUSTER_FULL, PFW_NO_CBPF_FANOUT,
 *   PFW_BPF_INVALID, PFW_RING_SETUP
 * @example
 *   const group = createFanoutGroup({ device: 'eth0', count: 4, clusterId: 7, clusterType: 'per-flow' });
 *   const child = fork('worker.js', [], { stdio: ['inherit', 'inherit', 'inherit', 'ipc', group.fds[0]] });
 *   child.send(group.ringOptions); // the child: Ring.open({ fd: 4, ...ringOptions })
 */
export function createFanoutGroup(options: FanoutGroupOptions): FanoutGroup {
  const o = options;
  if (typeof o !== 'object' || o === null) throw invalidArgument(`createFanoutGroup: options must be an object, got ${String(o)}`);
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > 256) {
    throw invalidArgument(`createFanoutGroup: count (${o.count}) must be an integer from 1 to 256 (the kernel's limit per fanout group)`);
  }
  if (!Number.isInteger(o.clusterId) || o.clusterId < 0 || o.clusterId > 0xffff) {
    throw invalidArgument(`createFanoutGroup: clusterId (${o.clusterId}) must be an integer from 0 to 65535 (a PACKET_FANOUT group id)`);
  }
  const type = clusterTypeNumber(o.clusterType);
  const direction = DIRECTIONS[o.direction ?? 'both'];
  if (direction === undefined) {
    throw invalidArgument(`createFanoutGroup: direction must be 'rx', 'tx' or 'both', got ${JSON.stringify(o.direction)}`);
  }
  if (o.bpf !== undefined && (typeof o.bpf !== 'string' || o.bpf.trim() === '')) {
    throw invalidArgument(`createFanoutGroup: bpf must be a BPF expression such as 'tcp port 80', got ${JSON.stringify(o.bpf)}`);
  }
  const native = loadNative();
  // The ring options are checked exactly as Ring.open() checks them, so a
  // worker can adopt a member with the same values.
  const r = resolveRingOptions(
    {
      device: o.device,
      backend: 'afpacket',
      snaplen: o.snaplen,
      promiscuous: o.promiscuous,
      hwTimestamp: o.hwTimestamp,
      blockSize: o.blockSize,
      blockCount: o.blockCount,
      frameSize: o.frameSize,
      retireTimeoutMs: o.retireTimeoutMs,
    },
    { pageSize: native.pageSize() as number, pfringAvailable: false },
  );
  const ringOptions: FanoutRingOptions = {
    device: r.device,
    snaplen: r.snaplen,
    blockSize: r.blockSize,
    blockCount: r.blockCount,
    frameSize: r.frameSize,
    retireTimeoutMs: r.retireTimeoutMs,
  };
  let fds: number[];
  try {
    fds = native.createFanoutGroup({
      ...ringOptions,
      count: o.count,
      clusterId: o.clusterId,
      clusterType: type,
      direction,
      promiscuous: r.promiscuous,
      hwTimestamp: r.hwTimestamp,
      bpf: o.bpf,
    }) as number[];
  } catch (err) {
    throw fromNative(err);
  }
  let open = true;
  return {
    fds: Object.freeze([...fds]),
    clusterId: o.clusterId,
    clusterType: clusterTypeName(type),
    ringOptions: Object.freeze(ringOptions),
    close() {
      if (!open) return;
      open = false;
      for (const fd of fds) {
        try {
          closeSync(fd);
        } catch {
          /* the caller closed it already */
        }
      }
    },
  };
}
