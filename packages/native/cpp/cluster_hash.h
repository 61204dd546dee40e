// PF_RING's cluster types and the symmetric additive hash (DESIGN.md section 4).
// One implementation shared by the file backend, the flow table, the native
// clusterHash() export, and (by definition) the generated fanout cBPF programs.
#pragma once
#include "packet_meta.h"

namespace pfw {

// PF_RING's numeric values (cluster_type in pf_ring.h).
enum ClusterType : int {
  kClusterPerFlow = 0,
  kClusterRoundRobin = 1,
  kClusterPerFlow2Tuple = 2,
  kClusterPerFlow4Tuple = 3,
  kClusterPerFlow5Tuple = 4,
  kClusterPerFlowTcp5Tuple = 5,
};

bool cluster_type_valid(int type);
bool cluster_type_hashed(int type);  // every type but round-robin

// The hash of a located packet. Round-robin has no hash: returns 0.
uint32_t cluster_hash(const PacketMeta& m, int type);

}  // namespace pfw
