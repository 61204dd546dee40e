/**
 * Cluster options: how packets are balanced over the workers. Type names and
 * numbers are PF_RING's cluster_type enum (pf_ring.h); afpacket implements
 * them with PACKET_FANOUT (DESIGN section 4).
 */
import type { z } from 'zod';
import { choiceField, intField, section } from './fields.js';

/** PF_RING's cluster_type values for the supported types. */
export const CLUSTER_TYPES = {
  'per-flow': 0,
  'round-robin': 1,
  'per-flow-2-tuple': 2,
  'per-flow-4-tuple': 3,
  'per-flow-5-tuple': 4,
  'per-flow-tcp-5-tuple': 5,
} as const;

export type ClusterTypeName = keyof typeof CLUSTER_TYPES;

export const CLUSTER_TYPE_NAMES = Object.keys(CLUSTER_TYPES) as [ClusterTypeName, ...ClusterTypeName[]];

/**
 * PF_RING's number for a cluster type name.
 *
 * @example clusterTypeNumber('per-flow-5-tuple') // 4
 */
export function clusterTypeNumber(name: ClusterTypeName): number {
  return CLUSTER_TYPES[name];
}

export const clusterSchema = section('cluster', {
  id: intField('an integer from 0 to 65535', 0, 65535)
    .default(99)
    .describe('The cluster every worker joins: pfring_set_cluster clusterId; the PACKET_FANOUT group id (16 bits, per network namespace). Give concurrent runs on one host different ids.'),
  type: choiceField(CLUSTER_TYPE_NAMES)
    .default('per-flow')
    .describe('Balancing (PF_RING cluster_type 0-5): per-flow (vlan, proto, addresses, ports), round-robin, per-flow-2-tuple (addresses), per-flow-4-tuple (addresses, ports), per-flow-5-tuple (+ proto), per-flow-tcp-5-tuple (5-tuple for TCP, 2-tuple otherwise). Hashed types are symmetric: both directions of a flow reach one worker.'),
});

export type ClusterOptions = z.input<typeof clusterSchema>;
export type ResolvedClusterOptions = z.output<typeof clusterSchema>;
