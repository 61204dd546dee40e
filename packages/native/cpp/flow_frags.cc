// Fragments in flows: see flow_frags.h.
#include "flow_frags.h"

#include "flow_table.h"

namespace pfw {

size_t FragKeyHash::operator()(const FragKey& k) const {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(&k);
  uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a: fragments are rare, simplicity wins
  for (size_t i = 0; i < sizeof(FragKey); ++i) {
    h ^= p[i];
    h *= 0x100000001B3ull;
  }
  return size_t(h ^ (h >> 29));
}

FragKey make_frag_key(const PacketMeta& m, uint16_t vlan, uint16_t inner_vlan) {
  FragKey k;
  std::memset(&k, 0, sizeof(k));
  layer_addrs(m, k.src, k.dst);
  k.id = m.frag_id;
  k.vlan = vlan;
  k.inner_vlan = inner_vlan;
  k.proto = m.proto;
  k.v6 = m.ip_version == 6;
  return k;
}

FragTracker::Entry& FragTracker::add(const FragKey& fk, uint64_t ts, FlowTable& table) {
  while (map_.size() >= max_ && !order_.empty()) {
    auto front = order_.front();
    order_.pop_front();
    auto it = map_.find(front.first);
    if (it != map_.end() && it->second.created == front.second) {
      table.st_.frag_dropped_entries++;
      settle(it, table);
    }
  }
  Entry e{};
  e.resolved = false;
  e.created = ts;
  order_.emplace_back(fk, ts);
  return map_.insert_or_assign(fk, e).first->second;
}

void FragTracker::first(const FragKey& fk, const FragTarget& t, uint64_t ts, FlowTable& table) {
  auto it = map_.find(fk);
  Entry& e = it != map_.end() ? it->second : add(fk, ts, table);
  e.target = t;
  if (!e.resolved && e.pend_pkts) {
    table.add_held(t, e.pend_pkts, e.pend_bytes, e.pend_first, e.pend_last);
    e.pend_pkts = e.pend_bytes = 0;
  }
  e.resolved = true;
}

bool FragTracker::later(const FragKey& fk, uint32_t ip_bytes, uint64_t ts, FragTarget* t, FlowTable& table) {
  auto it = map_.find(fk);
  if (it != map_.end() && it->second.resolved) {
    *t = it->second.target;
    return true;
  }
  Entry& e = it != map_.end() ? it->second : add(fk, ts, table);
  if (e.pend_pkts == 0) e.pend_first = ts;
  e.pend_pkts++;
  e.pend_bytes += ip_bytes;
  e.pend_last = ts > e.pend_last ? ts : e.pend_last;
  if (ts < e.pend_first) e.pend_first = ts;
  return false;
}

void FragTracker::settle(Map::iterator it, FlowTable& table) {
  Entry& e = it->second;
  if (!e.resolved && e.pend_pkts) {
    table.add_unmatched(it->first, e.pend_pkts, e.pend_bytes, e.pend_first, e.pend_last);
  }
  map_.erase(it);
}

void FragTracker::expire_due(uint64_t now, FlowTable& table) {
  while (!order_.empty() && now >= order_.front().second && now - order_.front().second >= timeout_) {
    auto front = order_.front();
    order_.pop_front();
    auto it = map_.find(front.first);
    if (it != map_.end() && it->second.created == front.second) settle(it, table);
  }
}

void FragTracker::flush(FlowTable& table) {
  while (!order_.empty()) {
    auto front = order_.front();
    order_.pop_front();
    auto it = map_.find(front.first);
    if (it != map_.end() && it->second.created == front.second) settle(it, table);
  }
  // Entries re-created under a key still queued above are all settled now.
  while (!map_.empty()) settle(map_.begin(), table);
}

uint64_t FragTracker::memory_bytes() const {
  // unordered_map: one node (value + next pointer + cached hash) per entry and a bucket array.
  uint64_t node = sizeof(Map::value_type) + 2 * sizeof(void*);
  return map_.size() * node + map_.bucket_count() * sizeof(void*) +
         order_.size() * sizeof(std::pair<FragKey, uint64_t>);
}

}  // namespace pfw
