// Fragment coherence for software clusters (the pcap backend): every fragment
// of an IP datagram goes to the queue of the datagram's first-seen fragment,
// as PF_RING's frag coherence does in its kernel clusters. On afpacket the
// kernel reassembles IPv4 before fanout (PACKET_FANOUT_FLAG_DEFRAG) instead.
//
// The rule, per datagram, keyed by (src, dst, id, proto) for IPv4 and
// (src, dst, id) for IPv6 (RFC 791 / RFC 8200 fragment identity):
// - the offset-0 fragment arriving first (the usual order): its hash (with
//   ports) is remembered; later fragments, which carry no ports, get it too;
// - a later fragment arriving before the offset-0 one (reordering; some stacks
//   send fragments last-first): its own hash (addresses and proto, no ports)
//   is remembered and the whole datagram, offset-0 fragment included, follows
//   it. PF_RING sends such fragments to queue 0 and lets the first fragment go
//   elsewhere; keeping the datagram together is what a reassembler needs.
// - a datagram is complete when the fragments seen cover its length (known
//   from the last fragment). Its entry stays (late duplicates still follow)
//   until an offset-0 fragment with the same key starts a new datagram (IP id
//   reuse), it ages out, or it is the oldest entry of a full cache.
// Age is measured in packet time (capture timestamps), so a file gives the same
// queues however fast it is read. Bounded: at most max_entries datagrams.
// Not thread-safe: one cache per ring.
#pragma once
#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>

#include "cluster_hash.h"
#include "packet_meta.h"

namespace pfw {

struct FragCacheOptions {
  size_t max_entries = 4096;
  uint64_t timeout_ns = 30'000'000'000ull;  // Linux's ipfrag_time default (30 s)
};

struct FragCacheStats {
  uint64_t followed = 0;   // fragments that took a remembered hash
  uint64_t firsts = 0;     // datagrams started by their offset-0 fragment
  uint64_t orphans = 0;    // datagrams started by a later fragment
  uint64_t completed = 0;  // datagrams whose fragments covered their length
  uint64_t expired = 0;    // entries dropped by age
  uint64_t evicted = 0;    // entries dropped because the cache was full
};

class FragCache {
 public:
  explicit FragCache(FragCacheOptions opts = {});

  // The hash that decides this packet's queue. own_hash is cluster_hash(m, type).
  // Packets that are not fragments return own_hash and leave the cache alone.
  // Inline: asked on every packet, and nearly every packet is no fragment.
  uint32_t resolve(const PacketMeta& m, uint32_t own_hash, uint64_t ts_ns) {
    if (!(m.flags & kMetaFragment) || !(m.flags & (kMetaIPv4 | kMetaIPv6))) return own_hash;
    return resolve_fragment(m, own_hash, ts_ns);
  }

  size_t size() const { return map_.size(); }
  const FragCacheStats& stats() const { return stats_; }

 private:
  uint32_t resolve_fragment(const PacketMeta& m, uint32_t own_hash, uint64_t ts_ns);
  struct Key {
    uint8_t src[16], dst[16];
    uint32_t id;
    uint8_t proto, version;
    bool operator==(const Key& o) const;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    Key key;
    uint32_t hash;
    uint64_t last_ns;
    uint32_t total;  // datagram payload length, 0 until the last fragment is seen
    uint32_t seen;   // fragment bytes seen
    bool has_first;
    bool complete;
  };
  using Lru = std::list<Entry>;  // front = least recently used

  void expire(uint64_t now_ns);
  static Key key_of(const PacketMeta& m);

  FragCacheOptions opts_;
  Lru lru_;
  std::unordered_map<Key, Lru::iterator, KeyHash> map_;
  FragCacheStats stats_;
};

// The software cluster of the pcap backend: which queue (worker) of `count`
// a packet belongs to. Hashed types: (fragment-coherent hash) % count;
// round-robin: packet_no % count (packet_no counts from 0 over the file).
class SoftwareCluster {
 public:
  SoftwareCluster(int type, uint32_t count, FragCacheOptions opts = {})
      : type_(type), count_(count ? count : 1), frags_(opts) {}
  uint32_t queue(const PacketMeta& m, uint64_t ts_ns, uint64_t packet_no) {
    if (!cluster_type_hashed(type_)) return uint32_t(packet_no % count_);
    return frags_.resolve(m, cluster_hash(m, type_), ts_ns) % count_;
  }
  const FragCache& frag_cache() const { return frags_; }

 private:
  int type_;
  uint32_t count_;
  FragCache frags_;
};

}  // namespace pfw
