// The flow key: canonical (lower, higher) endpoint pair + IP protocol + the
// capture's VLAN ids, and the ICMP pairing Zeek uses (type as the originator
// port, the counterpart type or the code as the responder port).
#pragma once
#include <cstdint>
#include <cstring>

#include "tunnel.h"

namespace pfw {

constexpr uint32_t kNil = 0xFFFFFFFFu;

// Timeout classes: each has its own idle list (least recently seen first).
enum FlowClass : uint8_t {
  kClassTcp = 0,
  kClassUdp = 1,
  kClassIcmp = 2,
  kClassOther = 3,
  kClassClosing = 4,  // TCP flows that closed, lingering for tcp_close_delay
  kClassCount = 5,
  kClassFree = 0xFF,
};

// Bits of FlowKey::flags (also the FlowBatch keyFlags column).
enum KeyFlags : uint8_t {
  kKeyV6 = 1,
  kKeyNoPorts = 2,  // no transport ports known: a fragment whose first fragment was not seen, or ports cut off
  kKeyOneWay = 4,   // ICMP message without a counterpart type: keyed as sent, never swapped (as Zeek)
};

// 42 bytes, no padding: compared and hashed as bytes.
struct FlowKey {
  uint8_t lo[16];  // lower endpoint's address (IPv4: the 4 bytes, then zeros)
  uint8_t hi[16];
  uint16_t lo_port, hi_port;
  uint16_t vlan, inner_vlan;
  uint8_t proto;
  uint8_t flags;  // KeyFlags
};
static_assert(sizeof(FlowKey) == 42, "FlowKey must have no padding");

// Five 8-byte words and a 2-byte tail, branch-free: called on every packet's
// probe, where a call to memcmp() showed up in profiles.
inline bool operator==(const FlowKey& a, const FlowKey& b) {
  const uint8_t* x = reinterpret_cast<const uint8_t*>(&a);
  const uint8_t* y = reinterpret_cast<const uint8_t*>(&b);
  uint64_t diff = 0;
  for (int i = 0; i < 40; i += 8) {
    uint64_t u, v;
    std::memcpy(&u, x + i, 8);
    std::memcpy(&v, y + i, 8);
    diff |= u ^ v;
  }
  uint16_t s, t;
  std::memcpy(&s, x + 40, 2);
  std::memcpy(&t, y + 40, 2);
  return (diff | uint16_t(s ^ t)) == 0;
}

uint32_t flow_key_hash(const FlowKey& k);

// Zeek's ICMP4_counterpart / ICMP6_counterpart: the type that answers `type`
// (echo request <-> reply and the like), or the code with one_way set.
uint16_t icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code, bool* one_way);

// The key of the packet whose flow layer is `L`; vlan ids from the outer layer.
// `*sender_is_lo`: the packet was sent by the key's lower endpoint.
void make_flow_key(const PacketMeta& L, uint16_t vlan, uint16_t inner_vlan, FlowKey* k, bool* sender_is_lo);

// The key of a flow without ports between two addresses (16 bytes each).
void make_portless_key(const uint8_t* src, const uint8_t* dst, bool v6, uint8_t proto, uint16_t vlan,
                       uint16_t inner_vlan, FlowKey* k, bool* sender_is_lo);

// A layer's addresses as 16 bytes (IPv4: network order in the first 4).
void layer_addrs(const PacketMeta& m, uint8_t* src, uint8_t* dst);

inline FlowClass class_of(uint8_t proto) {
  switch (proto) {
    case 6: return kClassTcp;
    case 17: return kClassUdp;
    case 1: case 58: return kClassIcmp;
    default: return kClassOther;
  }
}

}  // namespace pfw
