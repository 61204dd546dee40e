export type * from './types.js';
export * from './cluster.js';
export * from './locate.js';
export { Ring } from './ring.js';
export { RingBatch } from './batch.js';
export { Flag, KNOWN_FLAGS, Direction, SocketMode, NextResult, PacketDirection } from './constants.js';
export type { NextOutcome } from './constants.js';
export { PfwError, PfwArgumentError, isPfwError } from './errors.js';
export { resolveRingOptions, RING_DEFAULTS, MAX_SNAPLEN } from './options.js';
export type { ResolvedRingOptions, OptionsEnv } from './options.js';
export { loadNative } from './loader.js';
export { createFanoutGroup } from './fanout.js';
export type { FanoutGroup, FanoutGroupOptions, FanoutRingOptions } from './fanout.js';
export { createClusterIndex } from './cluster-index.js';
export { dieWithParent } from './process.js';
export type { ClusterIndex, ClusterIndexOptions, ClusterIndexStatus } from './cluster-index.js';
export {
  probePfring, chooseLiveBackend, pfringLoadError, pfringCandidatePaths, parsePfringInfoVersion,
  PFRING_LIBRARY_ENV, PFRING_INFO_PATH, PFRING_MAX_CLUSTER_QUEUES,
} from './pfring.js';
export type { PfringProbe, PfringProbeOptions, LiveBackendChoice } from './pfring.js';
export * from './flows.js';
