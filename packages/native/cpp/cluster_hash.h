// PF_RING's cluster types and the symmetric additive hash (DESIGN.md section 4).
// One implementation shared by the file backend, the flow table, the native
// clusterHash() export, and (by definition) the generated fanout cBPF programs.
#pragma once
#include <cstring>

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

// Inline: cluster_hash() and the batch builder ask on every packet.
inline bool cluster_type_valid(int type) { return type >= kClusterPerFlow && type <= kClusterPerFlowTcp5Tuple; }
inline bool cluster_type_hashed(int type) { return cluster_type_valid(type) && type != kClusterRoundRobin; }  // every type but round-robin

// A(addr) of DESIGN section 4: the four 32-bit words of the address, each
// read little-endian, summed. Inline: the index writer's shortcut
// (cluster_hash_shortcut.h) adds two per IPv6 record.
// Read as words (GCC does not merge the byte-by-byte form into loads: that
// loop was ~110 instructions per IPv6 packet).
inline uint32_t ipv6_addr_sum(const uint8_t a[16]) {
  uint32_t w[4];
  std::memcpy(w, a, 16);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  for (uint32_t& x : w) x = __builtin_bswap32(x);
#endif
  return w[0] + w[1] + w[2] + w[3];
}

// The hash of a located packet. Round-robin has no hash: returns 0.
//
//   hash = [vlan_id]                 per-flow only
//        + A(src) + A(dst)           every hashed type
//        + proto                     per-flow, 5-tuple, tcp-5-tuple (TCP only)
//        + sport + dport             per-flow, 4-tuple, 5-tuple, tcp-5-tuple (TCP only)
//   in uint32_t (wraps). A(IPv4) = host-order u32; A(IPv6) = sum of the four
//   32-bit words of the address, each read little-endian. Ports are 0 unless
//   kMetaHasPorts (TCP/UDP/SCTP; never ICMP type/code; not in later fragments).
//   tcp-5-tuple on a non-TCP packet is the 2-tuple hash; non-IP hashes to 0.
//
// Cut-short packets hash exactly as the kernel's fanout program does, whose
// out-of-bounds load ends the program with 0: a type that needs the protocol
// of an IPv6 packet whose extension chain is cut (kMetaProtoTruncated), or the
// ports of a TCP/UDP/SCTP packet whose port bytes are cut (kMetaPortsTruncated),
// hashes to 0.
//
// Inline (DESIGN.md section 4, word for word; cbpf_fanout.cc computes the
// same function inside the kernel, and the tests run both on every vector and
// every shared capture): the batch builder asks on every packet.
inline uint32_t cluster_hash(const PacketMeta& m, int type) {
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
