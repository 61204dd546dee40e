// The flow key: canonical (lower, higher) endpoint pair + IP protocol + the
// capture's VLAN ids, and the ICMP pairing Zeek uses (type as the originator
// port, the counterpart type or the code as the responder port).
#pragma once
#include <cstddef>
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

// The index hash of a key, keyed with a random seed per table: the 42 bytes
// as five words and a tail, folded with four 64x64->128-bit multiplies
// (wyhash's construction). Keyed because the keys come from the wire: with a
// fixed function, crafted traffic could put every flow in one probe run.
// Nothing a table reports depends on the seed (flows end in deadline order,
// never in index order), so a file still replays the same way every time.
class FlowKeyHash {
 public:
  FlowKeyHash();  // a random seed
  uint32_t operator()(const FlowKey& k) const {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(&k);
    uint16_t tail;
    std::memcpy(&tail, p + 40, 2);
    uint64_t a = mum(word(p, 0) ^ s_[1], word(p, 8) ^ s_[0]);
    uint64_t b = mum(word(p, 16) ^ s_[2], word(p, 24) ^ s_[0]);
    uint64_t c = mum(word(p, 32) ^ s_[3], tail ^ s_[0]);
    uint64_t h = mum(a ^ b ^ s_[1], c ^ s_[2]);
    return uint32_t(h) ^ uint32_t(h >> 32);
  }

 private:
  static uint64_t word(const uint8_t* p, int at) {
    uint64_t v;
    std::memcpy(&v, p + at, 8);
    return v;
  }
  static uint64_t mum(uint64_t x, uint64_t y) {
    __uint128_t r = static_cast<__uint128_t>(x) * y;
    return uint64_t(r) ^ uint64_t(r >> 64);
  }
  uint64_t s_[4];
};

// Zeek's ICMP4_counterpart / ICMP6_counterpart: the type that answers `type`
// (echo request <-> reply and the like), or the code with one_way set.
uint16_t icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code, bool* one_way);

// make_flow_key() without its IPv4 shortcut (the test that compares them).
void make_flow_key_general(const PacketMeta& L, uint16_t vlan, uint16_t inner_vlan, FlowKey* k, bool* sender_is_lo);

// The key of the packet whose flow layer is `L`; vlan ids from the outer layer.
// `*sender_is_lo`: the packet was sent by the key's lower endpoint.
//
// Inline, with a shortcut for IPv4 with ports or without (not ICMP, whose
// ports are Zeek's type pairing): the addresses compared as host-order words,
// which orders them as memcmp orders their big-endian bytes (the rest of the
// 16 are zeros in both). The same key as make_flow_key_general (flow-key.test.ts
// compares both); the flow table builds one per packet.
inline void make_flow_key(const PacketMeta& m, uint16_t vlan, uint16_t inner_vlan, FlowKey* k, bool* sender_is_lo) {
  if (m.ip_version != 4 || (m.flags & kMetaIcmp)) return make_flow_key_general(m, vlan, inner_vlan, k, sender_is_lo);
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the key is written as little-endian words");
  static_assert(offsetof(FlowKey, hi) == 16 && offsetof(FlowKey, lo_port) == 32 && offsetof(FlowKey, hi_port) == 34 &&
                    offsetof(FlowKey, vlan) == 36 && offsetof(FlowKey, inner_vlan) == 38 && offsetof(FlowKey, proto) == 40 &&
                    offsetof(FlowKey, flags) == 41,
                "FlowKey's layout");
  const bool ports = m.flags & kMetaHasPorts;
  const uint16_t sp = ports ? m.sport : 0, dp = ports ? m.dport : 0;
  const bool lo = m.src4 < m.dst4 || (m.src4 == m.dst4 && sp <= dp);
  // Whole words: the address bytes in network order, then zeros; then ports
  // and vlans, then protocol and flags, in FlowKey's field order.
  const uint64_t zero = 0;
  const uint64_t lo_addr = __builtin_bswap32(lo ? m.src4 : m.dst4), hi_addr = __builtin_bswap32(lo ? m.dst4 : m.src4);
  const uint64_t ports_vlans = uint64_t(lo ? sp : dp) | (uint64_t(lo ? dp : sp) << 16) | (uint64_t(vlan) << 32) |
                               (uint64_t(inner_vlan) << 48);
  const uint16_t proto_flags = uint16_t(m.proto | ((ports ? 0 : kKeyNoPorts) << 8));
  uint8_t* out = reinterpret_cast<uint8_t*>(k);
  std::memcpy(out, &lo_addr, 8);
  std::memcpy(out + 8, &zero, 8);
  std::memcpy(out + 16, &hi_addr, 8);
  std::memcpy(out + 24, &zero, 8);
  std::memcpy(out + 32, &ports_vlans, 8);
  std::memcpy(out + 40, &proto_flags, 2);
  *sender_is_lo = lo;
}

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
