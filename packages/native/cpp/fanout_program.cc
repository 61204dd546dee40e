#include "fanout_program.h"

#include <map>

#include "cluster_hash.h"
#include "errors.h"

namespace pfw {

std::string cluster_type_name(int t) {
  switch (t) {
    case kClusterPerFlow: return "per-flow";
    case kClusterRoundRobin: return "round-robin";
    case kClusterPerFlow2Tuple: return "per-flow-2-tuple";
    case kClusterPerFlow4Tuple: return "per-flow-4-tuple";
    case kClusterPerFlow5Tuple: return "per-flow-5-tuple";
    case kClusterPerFlowTcp5Tuple: return "per-flow-tcp-5-tuple";
    default: return "cluster type " + std::to_string(t);
  }
}

const std::vector<sock_filter>& fanout_program(int cluster_type) {
  // Placeholder until the hash helper's generator (cbpf_fanout) is merged.
  throw Error("PFW_NOT_SUPPORTED", "hashed fanout programs are not built yet (" + cluster_type_name(cluster_type) + ")");
}

}  // namespace pfw
