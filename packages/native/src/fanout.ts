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
 *   slot — no flow moves to another worker, and packets that arrive while the
 *   worker is down wait in its ring (up to the ring's size, then are counted
 *   as dropped);
 * - workers without CAP_NET_RAW: mapping and reading an inherited ring needs
 *   no capability.
 */
import { AFPACKET_DEFAULTS, resolveAfpacketGeometry, type AfpacketGeometry } from './afpacket.js';
import { clusterTypeNumber, clusterTypeName } from './cluster.js';
import { loadNative } from './loader.js';
import type { ClusterTypeName, DirectionName } from './types.js';
import { closeSync } from 'node:fs';

/** Options of {@link createFanoutGroup}. */
export interface FanoutGroupOptions extends Partial<Omit<AfpacketGeometry, 'snaplen'>> {
  /** Interface to capture on (in this process's network namespace). */
  device: string;
  /** Number of members (workers), 1 to 256 (the kernel's limit per group). */
  count: number;
  /** PACKET_FANOUT group id, 0 to 65535; unique per network namespace. */
  clusterId: number;
  /** Cluster type by name or PF_RING number; round-robin = PACKET_FANOUT_LB, the rest PACKET_FANOUT_CBPF. */
  clusterType: ClusterTypeName | number;
  /** Default 65535. */
  snaplen?: number;
  /** PACKET_MR_PROMISC membership for each socket. Default false. */
  promiscuous?: boolean;
  /** Hardware receive timestamps (SO_TIMESTAMPING); throws PFW_NO_HW_TIMESTAMP where the NIC has none. Default false. */
  hwTimestamp?: boolean;
  /** Packet direction kept: 'rx', 'tx' or 'both' (default). */
  direction?: DirectionName;
  /** A BPF expression (libpcap syntax) attached to every member. */
  bpf?: string;
}

/** What a worker passes to `Ring.open()` besides its `fd`: the group's device and geometry. */
export interface FanoutRingOptions extends AfpacketGeometry {
  device: string;
}

export interface FanoutGroup {
  /** The member descriptors in slot order: fds[i] receives the packets whose queue is i. */
  readonly fds: readonly number[];
  readonly clusterId: number;
  readonly clusterType: ClusterTypeName;
  /** The options a worker adopts its descriptor with: `Ring.open({ fd, ...group.ringOptions })`. */
  readonly ringOptions: Readonly<FanoutRingOptions>;
  /** Closes this process's copies of the descriptors (the group ends when every copy is closed). Idempotent. */
  close(): void;
}

const DIRECTIONS: Record<DirectionName, number> = { rx: 0, tx: 1, both: 2 };

function invalid(message: string): TypeError & { code: string } {
  const err = new TypeError(message) as TypeError & { code: string };
  err.code = 'PFW_INVALID_ARGUMENT';
  return err;
}

/**
 * Creates the member sockets of a fanout group (ring configured, filter
 * attached, joined in order) and returns their descriptors. Needs CAP_NET_RAW.
 * The descriptors are close-on-exec: give them to a child explicitly, e.g. in
 * `child_process.fork(..., { stdio: ['inherit', 'inherit', 'inherit', 'ipc', fd] })`
 * (the child then sees it as descriptor 4).
 *
 * Defaults: snaplen 65535, blockSize 4 MiB, blockCount 64, frameSize 2048,
 * retireTimeoutMs 10, direction both, not promiscuous.
 *
 * @throws TypeError/RangeError (PFW_INVALID_ARGUMENT) for bad options (geometry
 *   problems name the conflicting values); PFW_NO_CAP_NET_RAW,
 *   PFW_NO_SUCH_DEVICE, PFW_CLUSTER_MISMATCH (the group exists with other
 *   settings), PFW_CLUSTER_FULL, PFW_NO_CBPF_FANOUT, PFW_BPF from the kernel.
 * @example
 *   const group = createFanoutGroup({ device: 'eth0', count: 4, clusterId: 7, clusterType: 'per-flow' });
 *   const child = fork('worker.js', [], { stdio: ['inherit', 'inherit', 'inherit', 'ipc', group.fds[0]] });
 *   // in the child: Ring.open({ fd: 4, ...ringOptions })
 */
export function createFanoutGroup(options: FanoutGroupOptions): FanoutGroup {
  const o = options;
  if (typeof o?.device !== 'string' || o.device.length === 0) {
    throw invalid(`device must be a non-empty interface name, got ${JSON.stringify(o?.device)}`);
  }
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > 256) {
    throw invalid(`count (${o.count}) must be an integer from 1 to 256 (the kernel's limit per fanout group)`);
  }
  if (!Number.isInteger(o.clusterId) || o.clusterId < 0 || o.clusterId > 0xffff) {
    throw invalid(`clusterId (${o.clusterId}) must be an integer from 0 to 65535 (a PACKET_FANOUT group id)`);
  }
  const type = clusterTypeNumber(o.clusterType);
  const direction = DIRECTIONS[o.direction ?? 'both'];
  if (direction === undefined) {
    throw invalid(`direction must be 'rx', 'tx' or 'both', got ${JSON.stringify(o.direction)}`);
  }
  const geometry = resolveAfpacketGeometry({
    snaplen: o.snaplen ?? 65535,
    blockSize: o.blockSize ?? AFPACKET_DEFAULTS.blockSize,
    blockCount: o.blockCount ?? AFPACKET_DEFAULTS.blockCount,
    frameSize: o.frameSize ?? AFPACKET_DEFAULTS.frameSize,
    retireTimeoutMs: o.retireTimeoutMs ?? AFPACKET_DEFAULTS.retireTimeoutMs,
  });
  const native = loadNative();
  const bpfProgram = o.bpf !== undefined && o.bpf.trim() !== '' ? compileFilter(o.bpf, geometry.snaplen) : undefined;
  const fds = native.createFanoutGroup({
    device: o.device,
    count: o.count,
    clusterId: o.clusterId,
    clusterType: type,
    direction,
    promiscuous: o.promiscuous ?? false,
    hwTimestamp: o.hwTimestamp ?? false,
    bpfProgram,
    ...geometry,
  }) as number[];
  let open = true;
  return {
    fds: Object.freeze([...fds]),
    clusterId: o.clusterId,
    clusterType: clusterTypeName(type),
    ringOptions: Object.freeze({ device: o.device, ...geometry }),
    close() {
      if (!open) return;
      open = false;
      for (const fd of fds) {
        try {
          closeSync(fd);
        } catch {
          /* already closed by the caller */
        }
      }
    },
  };
}

/** Compiles a BPF expression for Ethernet frames into struct sock_filter bytes (libpcap). */
function compileFilter(expr: string, snaplen: number): Uint8Array {
  return loadNative().compileBpf(expr, 1, snaplen) as Uint8Array;
}
