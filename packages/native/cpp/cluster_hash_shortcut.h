// The cluster hash of an Ethernet frame without locate(), for the frames that
// make up nearly all traffic: Ethernet II, at most one VLAN tag, IPv4 without
// options and not a fragment, or IPv6 without extension headers. Anything else
// (MPLS, PPPoE, QinQ, IP options, fragments, extension headers, a frame cut
// before the bytes the hash needs, a malformed header) returns false and the
// caller takes the full path: locate(), cluster_hash(), the fragment cache.
//
// Why a second parser: the cluster index writer (cluster_index.cc) hashes
// every record of a file once for all workers, on the same cores as the
// workers, and needs nothing of locate()'s result but the hash: locate() is
// 40% of its instructions (docs/bench.md, "What bounds the targets"). Where
// this returns true its hash is cluster_hash(locate(frame)) exactly, and a
// non-fragment leaves the fragment cache alone, so a worker reading on without
// the index keeps the same slots (packages/native/test/cluster-hash-shortcut.test.ts
// compares both on every frame of the shared captures and on mutated frames).
#pragma once
#include <cstdint>

#include "byte_order.h"
#include "cluster_hash.h"
#include "locate.h"

namespace pfw {

// `type` must be a hashed cluster type (cluster_type_hashed). No read at or
// past `caplen`.
[[gnu::always_inline]] inline bool ethernet_cluster_hash(const uint8_t* d, uint32_t caplen, int type, uint32_t* hash) {
  PlainEthernet e;
  if (!plain_ethernet(d, caplen, &e)) return false;
  const uint16_t eth = e.type;
  uint32_t off = e.off;
  const uint32_t vlan = e.vid;
  uint32_t h;
  uint8_t proto;
  if (eth == 0x0800) {
    if (caplen < off + 20) return false;
    const uint8_t* ip = d + off;
    if (!plain_ipv4(ip)) return false;  // options or a fragment: locate walks them
    h = be32(ip + 12) + be32(ip + 16);
    proto = ip[9];
    off += 20;
  } else if (eth == 0x86DD) {
    if (caplen < off + 40) return false;
    const uint8_t* ip = d + off;
    if ((ip[0] >> 4) != 6) return false;
    proto = ip[6];
    // Hop-by-hop, routing, fragment, destination options, AH: locate walks them.
    if (proto == 0 || proto == 43 || proto == 44 || proto == 60 || proto == 51) return false;
    h = ipv6_addr_sum(ip + 8) + ipv6_addr_sum(ip + 24);
    off += 40;
  } else {
    return false;
  }
  // From here as cluster_hash() (cluster_hash.h), with locate's ports rule:
  // TCP, UDP and SCTP carry ports (a frame cut inside them goes the full path).
  if (type == kClusterPerFlow2Tuple || (type == kClusterPerFlowTcp5Tuple && proto != 6)) {
    *hash = h;
    return true;
  }
  if (type == kClusterPerFlow) h += vlan;
  if (type != kClusterPerFlow4Tuple) h += proto;
  if (proto == 6 || proto == 17 || proto == 132) {
    if (caplen < off + 4) return false;
    h += uint32_t(be16(d + off)) + be16(d + off + 2);
  }
  *hash = h;
  return true;
}

}  // namespace pfw
