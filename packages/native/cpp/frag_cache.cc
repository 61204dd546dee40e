// FragCache: see frag_cache.h for the rule. An LRU list (front = oldest) plus
// a hash map from the datagram key to its list node.
#include "frag_cache.h"

#include <cstring>

namespace pfw {

bool FragCache::Key::operator==(const Key& o) const {
  return id == o.id && proto == o.proto && version == o.version && std::memcmp(src, o.src, 16) == 0 &&
         std::memcmp(dst, o.dst, 16) == 0;
}

size_t FragCache::KeyHash::operator()(const Key& k) const {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the key's fields
  auto mix = [&](const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  mix(k.src, 16);
  mix(k.dst, 16);
  mix(reinterpret_cast<const uint8_t*>(&k.id), 4);
  mix(&k.proto, 1);
  mix(&k.version, 1);
  return size_t(h);
}

FragCache::FragCache(FragCacheOptions opts) : opts_(opts) {
  if (opts_.max_entries == 0) opts_.max_entries = 1;
}

FragCache::Key FragCache::key_of(const PacketMeta& m) {
  Key k;
  std::memset(&k, 0, sizeof k);
  k.id = m.frag_id;
  if (m.flags & kMetaIPv4) {
    k.version = 4;
    k.proto = m.proto;
    for (int i = 0; i < 4; ++i) {
      k.src[i] = uint8_t(m.src4 >> (24 - 8 * i));
      k.dst[i] = uint8_t(m.dst4 >> (24 - 8 * i));
    }
  } else {
    k.version = 6;  // IPv6 fragments are identified without the protocol (RFC 8200)
    std::memcpy(k.src, m.src6, 16);
    std::memcpy(k.dst, m.dst6, 16);
  }
  return k;
}

void FragCache::expire(uint64_t now_ns) {
  while (!lru_.empty()) {
    const Entry& e = lru_.front();
    if (now_ns <= e.last_ns || now_ns - e.last_ns <= opts_.timeout_ns) break;
    map_.erase(e.key);
    lru_.pop_front();
    stats_.expired++;
  }
}

uint32_t FragCache::resolve_fragment(const PacketMeta& m, uint32_t own_hash, uint64_t ts_ns) {
  expire(ts_ns);
  Key k = key_of(m);
  bool first = m.frag_off == 0;
  auto it = map_.find(k);
  if (it != map_.end() && first && it->second->complete) {  // IP id reuse: a new datagram
    lru_.erase(it->second);
    map_.erase(it);
    it = map_.end();
  }
  Lru::iterator node;
  uint32_t hash;
  if (it == map_.end()) {
    if (map_.size() >= opts_.max_entries) {
      map_.erase(lru_.front().key);
      lru_.pop_front();
      stats_.evicted++;
    }
    lru_.push_back(Entry{k, own_hash, ts_ns, 0, 0, first, false});
    node = std::prev(lru_.end());
    map_.emplace(k, node);
    (first ? stats_.firsts : stats_.orphans)++;
    hash = own_hash;
  } else {
    node = it->second;
    lru_.splice(lru_.end(), lru_, node);  // most recently used
    node->last_ns = ts_ns > node->last_ns ? ts_ns : node->last_ns;
    node->has_first = node->has_first || first;
    stats_.followed++;
    hash = node->hash;
  }
  if (!node->complete) {
    node->seen += m.frag_len;
    if (!(m.flags & kMetaMoreFragments)) node->total = uint32_t(m.frag_off) + m.frag_len;
    if (node->total && node->seen >= node->total && node->has_first) {
      node->complete = true;
      stats_.completed++;
    }
  }
  return hash;
}

}  // namespace pfw
