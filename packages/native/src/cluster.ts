/**
 * PF_RING's cluster types and the symmetric cluster hash (DESIGN.md section 4),
 * computed by the one C++ implementation (cpp/cluster_hash.h), and the
 * classic-BPF fanout programs that compute the same hash in the kernel
 * (cpp/cbpf_fanout.cc). See docs/cluster-hash.md.
 */
import { loadNative } from './loader.js';
import { checkFrameArgs, LinkType } from './locate.js';
import type { ClusterTypeName } from './types.js';

/**
 * The cluster types, by name and by PF_RING's numeric value
 * (`ClusterType.PerFlow5Tuple === 4`, `ClusterType['per-flow-5-tuple'] === 4`).
 */
export const ClusterType = {
  PerFlow: 0,
  RoundRobin: 1,
  PerFlow2Tuple: 2,
  PerFlow4Tuple: 3,
  PerFlow5Tuple: 4,
  PerFlowTcp5Tuple: 5,
  'per-flow': 0,
  'round-robin': 1,
  'per-flow-2-tuple': 2,
  'per-flow-4-tuple': 3,
  'per-flow-5-tuple': 4,
  'per-flow-tcp-5-tuple': 5,
} as const;

/** The user-facing names, indexed by PF_RING's number. */
export const CLUSTER_TYPE_NAMES: readonly ClusterTypeName[] = [
  'per-flow',
  'round-robin',
  'per-flow-2-tuple',
  'per-flow-4-tuple',
  'per-flow-5-tuple',
  'per-flow-tcp-5-tuple',
];

function invalid(message: string): TypeError & { code: string } {
  const err = new TypeError(message) as TypeError & { code: string };
  err.code = 'PFW_INVALID_ARGUMENT';
  return err;
}

/**
 * PF_RING's number for a cluster type given by name or number.
 * @throws TypeError (code PFW_INVALID_ARGUMENT) for an unknown type, listing the valid ones
 * @example clusterTypeNumber('per-flow-5-tuple') // 4
 */
export function clusterTypeNumber(type: ClusterTypeName | number): number {
  if (typeof type === 'number' && Number.isInteger(type) && type >= 0 && type < CLUSTER_TYPE_NAMES.length) return type;
  if (typeof type === 'string') {
    const n = CLUSTER_TYPE_NAMES.indexOf(type);
    if (n >= 0) return n;
  }
  throw invalid(
    `unknown cluster type ${JSON.stringify(type)}: use one of ${CLUSTER_TYPE_NAMES.map((n, i) => `${n} (${i})`).join(', ')}`,
  );
}

/** The name of a cluster type given by PF_RING's number or name. Throws like {@link clusterTypeNumber}. */
export function clusterTypeName(type: ClusterTypeName | number): ClusterTypeName {
  return CLUSTER_TYPE_NAMES[clusterTypeNumber(type)]!;
}

/**
 * The cluster hash of one frame: the value whose `hash % N` names the member
 * (worker) of an N-member cluster that gets the frame. Round-robin has no hash (0).
 *
 * @param bytes the captured frame
 * @param type cluster type, by name or PF_RING number
 * @param linkType libpcap link type, default 1 (Ethernet)
 * @param vlanTciFromMeta a VLAN TCI stripped into packet metadata (tp_vlan_tci), counted as the outer tag; default -1 (none)
 * @returns an unsigned 32-bit integer
 * @throws TypeError (code PFW_INVALID_ARGUMENT) for bad arguments
 * @example
 *   const worker = clusterHash(frame, 'per-flow-5-tuple') % workers;
 */
export function clusterHash(
  bytes: Uint8Array,
  type: ClusterTypeName | number,
  linkType: number = LinkType.Ethernet,
  vlanTciFromMeta = -1,
): number {
  const t = clusterTypeNumber(type);
  checkFrameArgs('clusterHash', bytes, linkType, vlanTciFromMeta, 'vlanTciFromMeta');
  return loadNative().clusterHash(bytes, t, linkType, vlanTciFromMeta) as number;
}

/** One classic-BPF instruction, as in `struct sock_filter`: [code, jt, jf, k] (k unsigned). */
export type CbpfInsn = [code: number, jt: number, jf: number, k: number];

/**
 * The classic-BPF program that, set with PACKET_FANOUT_DATA on a
 * PACKET_FANOUT_CBPF group, returns {@link clusterHash} of each packet (the
 * kernel then takes it modulo the number of members). Generated from the same
 * definitions as the C++ hash; see docs/cluster-hash.md for the kernel's view
 * of the packet that it relies on.
 *
 * @param type a hashed cluster type (round-robin has no program: use PACKET_FANOUT_LB)
 * @throws TypeError (code PFW_INVALID_ARGUMENT) for an unknown type or round-robin
 * @example
 *   const prog = fanoutProgram('per-flow');   // [[code, jt, jf, k], ...]
 */
export function fanoutProgram(type: ClusterTypeName | number): CbpfInsn[] {
  const t = clusterTypeNumber(type);
  if (t === ClusterType.RoundRobin) {
    throw invalid('round-robin has no fanout program: the kernel balances it itself (PACKET_FANOUT_LB)');
  }
  return loadNative().fanoutProgram(t) as CbpfInsn[];
}
