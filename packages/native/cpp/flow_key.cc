// Flow keys: see flow_key.h.
#include "flow_key.h"

#include <chrono>
#include <cstdint>
#include <random>

namespace pfw {

namespace {

inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

void put4(uint8_t* out, uint32_t host_order) {
  out[0] = uint8_t(host_order >> 24);
  out[1] = uint8_t(host_order >> 16);
  out[2] = uint8_t(host_order >> 8);
  out[3] = uint8_t(host_order);
}

// Orders the two endpoints; returns true when the sender is the lower one.
bool order(FlowKey* k, const uint8_t* src, uint16_t sp, const uint8_t* dst, uint16_t dp) {
  // memcmp order of the 16 address bytes, as two big-endian words (a call to
  // memcmp here was ~3% of the flow path's samples).
  uint64_t s0 = __builtin_bswap64(load64(src)), d0 = __builtin_bswap64(load64(dst));
  uint64_t s1 = __builtin_bswap64(load64(src + 8)), d1 = __builtin_bswap64(load64(dst + 8));
  int c = s0 != d0 ? (s0 < d0 ? -1 : 1) : s1 != d1 ? (s1 < d1 ? -1 : 1) : 0;
  bool sender_lo = c < 0 || (c == 0 && sp <= dp);
  if (sender_lo) {
    std::memcpy(k->lo, src, 16);
    std::memcpy(k->hi, dst, 16);
    k->lo_port = sp;
    k->hi_port = dp;
  } else {
    std::memcpy(k->lo, dst, 16);
    std::memcpy(k->hi, src, 16);
    k->lo_port = dp;
    k->hi_port = sp;
  }
  return sender_lo;
}

}  // namespace

FlowKeyHash::FlowKeyHash() {
  try {
    std::random_device rd;  // getrandom() on Linux
    for (uint64_t& w : s_) w = (uint64_t(rd()) << 32) ^ rd();
  } catch (...) {
    // No entropy source (a sandbox without getrandom or /dev/urandom): a
    // seed that still differs per table and per run, mixed by the hash.
    uint64_t x = uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                 uint64_t(reinterpret_cast<uintptr_t>(this));
    for (uint64_t& w : s_) {
      x += 0x9E3779B97F4A7C15ull;  // splitmix64
      uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      w = z ^ (z >> 31);
    }
  }
}

uint16_t icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code, bool* one_way) {
  *one_way = false;
  if (proto == 1) {
    switch (type) {
      case 8: return 0;    // echo -> echo reply
      case 0: return 8;
      case 13: return 14;  // timestamp
      case 14: return 13;
      case 15: return 16;  // information request
      case 16: return 15;
      case 10: return 9;   // router solicitation -> advertisement
      case 9: return 10;
      case 17: return 18;  // address mask
      case 18: return 17;
      default: break;
    }
  } else {
    switch (type) {
      case 128: return 129;  // echo request -> reply
      case 129: return 128;
      case 133: return 134;  // router solicitation -> advertisement
      case 134: return 133;
      case 135: return 136;  // neighbor solicitation -> advertisement
      case 136: return 135;
      case 130: return 131;  // MLD query -> report
      case 131: return 130;
      case 139: return 140;  // node information query -> response
      case 140: return 139;
      case 144: return 145;  // home agent address discovery
      case 145: return 144;
      default: break;
    }
  }
  *one_way = true;
  return code;
}

void layer_addrs(const PacketMeta& m, uint8_t* src, uint8_t* dst) {
  std::memset(src, 0, 16);
  std::memset(dst, 0, 16);
  if (m.ip_version == 6) {
    std::memcpy(src, m.src6, 16);
    std::memcpy(dst, m.dst6, 16);
  } else {
    put4(src, m.src4);
    put4(dst, m.dst4);
  }
}

void make_flow_key_general(const PacketMeta& m, uint16_t vlan, uint16_t inner_vlan, FlowKey* k, bool* sender_is_lo) {
  std::memset(k, 0, sizeof(*k));
  uint8_t src[16], dst[16];
  layer_addrs(m, src, dst);
  k->proto = m.proto;
  k->vlan = vlan;
  k->inner_vlan = inner_vlan;
  if (m.ip_version == 6) k->flags |= kKeyV6;
  uint16_t sp = 0, dp = 0;
  if (m.flags & kMetaIcmp) {
    bool one_way;
    sp = m.sport;
    dp = icmp_counterpart(m.proto, uint8_t(m.sport), uint8_t(m.dport), &one_way);
    if (one_way) {
      // Zeek keys one-way ICMP as sent: A->B and B->A are two connections.
      k->flags |= kKeyOneWay;
      std::memcpy(k->lo, src, 16);
      std::memcpy(k->hi, dst, 16);
      k->lo_port = sp;
      k->hi_port = dp;
      *sender_is_lo = true;
      return;
    }
  } else if (m.flags & kMetaHasPorts) {
    sp = m.sport;
    dp = m.dport;
  } else {
    k->flags |= kKeyNoPorts;
  }
  *sender_is_lo = order(k, src, sp, dst, dp);
}

void make_portless_key(const uint8_t* src, const uint8_t* dst, bool v6, uint8_t proto, uint16_t vlan,
                       uint16_t inner_vlan, FlowKey* k, bool* sender_is_lo) {
  std::memset(k, 0, sizeof(*k));
  k->proto = proto;
  k->vlan = vlan;
  k->inner_vlan = inner_vlan;
  k->flags = uint8_t(kKeyNoPorts | (v6 ? kKeyV6 : 0));
  *sender_is_lo = order(k, src, 0, dst, 0);
}

}  // namespace pfw
