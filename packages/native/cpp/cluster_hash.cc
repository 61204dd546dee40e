// cluster_hash(): DESIGN.md section 4, word for word. cbpf_fanout.cc computes
// the same function inside the kernel; the tests run both on every vector and
// every shared capture.
#include "cluster_hash.h"

namespace pfw {

uint32_t cluster_hash(const PacketMeta& m, int type) {
  if (!cluster_type_hashed(type)) return 0;
  uint32_t h;
  if (m.flags & kMetaIPv4) h = m.src4 + m.dst4;
  else if (m.flags & kMetaIPv6) h = ipv6_addr_sum(m.src6) + ipv6_addr_sum(m.dst6);
  else return 0;
  if (type == kClusterPerFlow2Tuple) return h;

  // Every other type needs the protocol (to know whether there are ports).
  if (m.flags & kMetaProtoTruncated) return 0;
  bool tcp = m.proto == 6;
  if (type == kClusterPerFlowTcp5Tuple && !tcp) return h;  // the 2-tuple hash
  if (type == kClusterPerFlow) h += m.vlan_id & 0x0FFF;
  if (type != kClusterPerFlow4Tuple) h += m.proto;
  if (m.flags & kMetaPortsTruncated) return 0;
  if (m.flags & kMetaHasPorts) h += uint32_t(m.sport) + m.dport;
  return h;
}

}  // namespace pfw
