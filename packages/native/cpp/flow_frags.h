// Fragments in flows: every fragment of a datagram counts in the flow of its
// first fragment (the one that carries the ports). Fragments that arrive
// before their first fragment are held (counts only, no bytes kept) until it
// shows up; if it never does (timeout, cache full, end of input) they are
// counted in a flow without ports between the same addresses, never dropped.
//
// A datagram is (src, dst, id, protocol, VLAN ids) at one IP layer. Outer
// layers that are fragmented (a tunnel packet split on the way) map to the
// inner flow the first fragment revealed; their later fragments then add a
// packet but no IP bytes to it (the inner IP length was counted whole).
#pragma once
#include <cstdint>
#include <deque>
#include <unordered_map>

#include "flow_key.h"

namespace pfw {

class FlowTable;

struct FragKey {
  uint8_t src[16], dst[16];
  uint32_t id;
  uint16_t vlan, inner_vlan;
  uint8_t proto;
  uint8_t v6;
  uint16_t _pad;
};
static_assert(sizeof(FragKey) == 44, "FragKey must have no padding");

inline bool operator==(const FragKey& a, const FragKey& b) { return std::memcmp(&a, &b, sizeof(FragKey)) == 0; }

struct FragKeyHash {
  size_t operator()(const FragKey& k) const;
};

// Where a datagram's fragments are counted.
struct FragTarget {
  FlowKey key;
  bool sender_is_lo;  // the first fragment's sender is the key's lower endpoint
  bool same_layer;    // the flow is on the fragmented layer (count IP bytes) or inside it (count none)
};

// The datagram a fragment at layer `m` belongs to (vlan ids from the outer layer).
FragKey make_frag_key(const PacketMeta& m, uint16_t vlan, uint16_t inner_vlan);

class FragTracker {
 public:
  FragTracker(uint64_t timeout_ns, uint32_t max_entries) : timeout_(timeout_ns), max_(max_entries) {}

  // The first fragment of `fk` was counted in `t`; held fragments join it.
  void first(const FragKey& fk, const FragTarget& t, uint64_t ts, FlowTable& table);
  // A later fragment. True (and *t) when its first fragment was seen; false
  // when it is held until then.
  bool later(const FragKey& fk, uint32_t ip_bytes, uint64_t ts, FragTarget* t, FlowTable& table);
  // Forgets datagrams older than the timeout (held fragments go to a flow
  // without ports). Asked on every packet; most captures hold no fragment.
  void expire(uint64_t now, FlowTable& table) {
    if (!order_.empty()) expire_due(now, table);
  }
  void flush(FlowTable& table);

  size_t size() const { return map_.size(); }
  uint64_t memory_bytes() const;

 private:
  struct Entry {
    FragTarget target;
    bool resolved;
    uint64_t created;
    uint64_t pend_pkts, pend_bytes;
    uint64_t pend_first, pend_last;
  };
  using Map = std::unordered_map<FragKey, Entry, FragKeyHash>;
  Entry& add(const FragKey& fk, uint64_t ts, FlowTable& table);
  void expire_due(uint64_t now, FlowTable& table);
  void settle(Map::iterator it, FlowTable& table);

  uint64_t timeout_;
  uint32_t max_;
  Map map_;
  std::deque<std::pair<FragKey, uint64_t>> order_;  // creation order, for expiry
};

}  // namespace pfw
