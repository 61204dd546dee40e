/**
 * The public shape of @pfwork/native, written before its implementation so that
 * @pfwork/workers can be built against it. Implementations live in ring.ts,
 * batch.ts, cluster.ts, flows.ts; index.ts re-exports.
 *
 * Times: nanoseconds since the epoch are split into `tsSec` (whole seconds, a
 * float64 holding an integer: exact) and `tsNsec` (0..999_999_999), so no
 * precision is lost and nothing is allocated per packet.
 */

export type BackendName = 'afpacket' | 'pfring' | 'pcap';
export type DirectionName = 'rx' | 'tx' | 'both';
export type SocketModeName = 'read' | 'write' | 'both';
export type ClusterTypeName =
  | 'per-flow'
  | 'round-robin'
  | 'per-flow-2-tuple'
  | 'per-flow-4-tuple'
  | 'per-flow-5-tuple'
  | 'per-flow-tcp-5-tuple';

import type { FlowBatch, FlowTableOptions } from './flows.js';

/** User input for Ring.open(); see options.ts for defaults and validation. */
export interface RingOptions {
  /** Interface name for live capture. Exactly one of device / file. */
  device?: string;
  /** pcap or pcapng file to read (libpcap). */
  file?: string;
  backend?: 'auto' | BackendName;
  snaplen?: number;
  promiscuous?: boolean;
  /** Ask for hardware timestamps (SO_TIMESTAMPING) where the NIC has them. */
  hwTimestamp?: boolean;
  /** tpacket_req3.tp_block_size (bytes; a multiple of the page size, a power of two). */
  blockSize?: number;
  /** tpacket_req3.tp_block_nr. */
  blockCount?: number;
  /** tpacket_req3.tp_retire_blk_tov (ms): a partly filled block is handed over after this. */
  retireTimeoutMs?: number;
  /** Most packets one batch returns. */
  maxBatch?: number;
  /** An already configured AF_PACKET socket to adopt (supervisor-owned rings). */
  fd?: number;
  /** Files: the software cluster slot this ring keeps (index of count). Needs `cluster`. */
  clusterSlot?: { index: number; count: number };
  /**
   * Files: read the slot through a cluster index (createClusterIndex(); its
   * `fd`, inherited from the process that built it) instead of reading every
   * record of the file. Needs clusterSlot with a count of 2 or more and a
   * hashed cluster type matching the index's.
   */
  clusterIndexFd?: number;
  // --- added by the ring branch (all optional; see options.ts for defaults) ---
  /** tpacket_req3.tp_frame_size (bytes; only a hint for TPACKET_V3). */
  frameSize?: number;
  /** PF_RING pfring_open() flag bits (Flag.*); `promiscuous`/`hwTimestamp` set the same things. */
  flags?: number;
  /** A BPF filter applied before the first packet (see Ring.setBPFFilter). */
  bpf?: string;
  /** Which packets to receive (see Ring.setDirection); default 'both'. */
  direction?: DirectionName | number;
  /** What the ring is for (see Ring.setSocketMode); default 'read' for files, 'both' live. */
  socketMode?: SocketModeName | number;
  /** Keep 1 of every n packets (see Ring.setSamplingRate); default 1. */
  samplingRate?: number;
  /** Cluster membership (see Ring.setCluster); for files, with clusterSlot. */
  cluster?: { id: number; type: ClusterTypeName | number };
  /** PF_RING's application name (see Ring.setApplicationName). */
  applicationName?: string;
  /** Enable the ring before open() returns (default true; PF_RING's pfring_open leaves it disabled). */
  enabled?: boolean;
  // --- added by the flows branch ---
  /**
   * Track flows in C++ while each batch is built (`true` for the defaults, or
   * FlowTable options): finished flows come with each batch (`batch.flows`);
   * see Ring.flushFlows and docs/flows.md. Default: no flow tracking.
   */
  flows?: boolean | FlowTableOptions;
  /**
   * Descriptor rows (default true). `false`: batches carry `count`, `bytes`,
   * `data` and `flows` only, every column is empty (length 0), and the ring
   * neither writes rows nor computes the cluster hash per packet unless it
   * must choose a file's cluster slot: for readers that never look at a
   * single packet (a flows-only worker), ~100 instructions per packet less.
   */
  rows?: boolean;
}

export interface RingStats {
  /**
   * Packets the ring took in since open (running totals). afpacket: packets
   * the kernel put into the ring (tp_packets - tp_drops), so received +
   * dropped is every packet that passed the socket filter (docs/afpacket.md);
   * pfring: pfring_stats recv; files: packets of this ring's cluster slot that
   * passed direction and BPF.
   */
  received: number;
  /** Packets lost because the ring was full (files: always 0). */
  dropped: number;
  /** Packets handed to the application (after sampling). Added by the ring branch. */
  delivered: number;
}

/** Capture info of one packet (readPacketDataTo). */
export interface CaptureInfo {
  tsSec: number;
  tsNsec: number;
  /** Bytes captured (may exceed what fit in the caller's buffer). */
  caplen: number;
  /** Length on the wire. */
  len: number;
  /** Interface index, 0 when unknown (files other than LINUX_SLL2). */
  ifindex: number;
}

/** A packet and its capture info, copied out of the ring. */
export interface PacketData {
  data: Uint8Array;
  tsSec: number;
  tsNsec: number;
  caplen: number;
  len: number;
  ifindex: number;
}

/**
 * One batch: the packets of one ring block (or up to maxBatch packets of a
 * file), described by a struct-of-arrays descriptor table.
 *
 * VALIDITY: `data` and every column are valid only until the next call to
 * nextBatch()/readBatch() or release() on the same ring, or close(). After
 * that `data` is detached (byteLength 0): a stale read yields undefined, never
 * a crash. Copy what you keep (`data.slice(off, off + caplen)`).
 */
export interface Batch {
  readonly count: number;
  /**
   * Rings opened with `flows`: the flows that finished while this batch was
   * built (timeouts, TCP closes, evictions); at the end of a file, one last
   * batch with count 0 carries every flow still open. Undefined without `flows`.
   * (Added by the flows branch.)
   */
  readonly flows?: FlowBatch;
  /** Sum of `len` (wire bytes) over the batch. Added by the ring branch. */
  readonly bytes: number;
  /** The bytes of all packets of the batch; packet i starts at dataOff[i]. */
  readonly data: Uint8Array;
  readonly dataOff: Uint32Array;
  readonly tsSec: Float64Array;
  readonly tsNsec: Uint32Array;
  readonly caplen: Uint32Array;
  readonly len: Uint32Array;
  /** Offsets relative to the packet's start; 0xFFFF = absent. */
  readonly l3Off: Uint16Array;
  readonly l4Off: Uint16Array;
  readonly payloadOff: Uint16Array;
  readonly ipVersion: Uint8Array;
  /** IP protocol number, 0 if not IP. */
  readonly proto: Uint8Array;
  readonly sport: Uint16Array;
  readonly dport: Uint16Array;
  /** Outer VLAN id (in-band or from kernel metadata), 0 if untagged. */
  readonly vlan: Uint16Array;
  /** IPv4 addresses as host-order u32 (0 when not IPv4). */
  readonly src4: Uint32Array;
  readonly dst4: Uint32Array;
  /** The cluster hash (DESIGN section 4) for the ring's cluster type (per-flow-5-tuple if none). */
  readonly hash: Uint32Array;
  /** Bit flags from locate (see MetaFlag). */
  readonly flags: Uint16Array;
  readonly ifindex: Uint32Array;
  /** 0 rx, 1 tx, 2 unknown (files that record no direction); see PacketDirection. */
  readonly direction: Uint8Array;
  // --- added by the ring branch ---
  /** IPv4 total length / IPv6 40 + payload length (Zeek's ip bytes), 0 if not IP. */
  readonly ipLen: Uint16Array;
  /** TCP flags byte, 0 if not TCP. */
  readonly tcpFlags: Uint8Array;
}

/** The outcome of a non-waiting read. */
export type NextResultName = 'ok' | 'no-packet' | 'not-enabled' | 'end';
