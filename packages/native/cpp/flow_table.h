// FlowTable: bidirectional per-flow counters, updated in C++ for every packet
// (DESIGN sections 2 and 6). No Node types: the Ring's batch builder and the
// FlowTable export (flow_wrap.cc) both drive it; finished flows wait in a
// queue until JS takes them in a batch.
//
// Key: the canonical (lower, higher) endpoint pair of the innermost IP layer
// (tunnel.h) + IP protocol + both VLAN ids of the capture. Time is packet
// time: the clock is the newest timestamp seen, so a file replays the same way
// every time. docs/flows.md documents every rule and the memory per flow.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "flow_frags.h"
#include "flow_key.h"
#include "huge_buffer.h"
#include "packet_meta.h"
#include "tunnel.h"

namespace pfw {

// Why a flow ended. Values are the FlowBatch endReason column
// (FLOW_END_REASONS in packages/core/src/flow/flow-record.ts, same order).
enum FlowEnd : uint8_t {
  kEndFin = 0,      // TCP: both FINs acknowledged
  kEndRst = 1,      // TCP: RST
  kEndIdle = 2,     // no packet for the idle timeout of its protocol
  kEndActive = 3,   // open longer than the active timeout (counting restarts)
  kEndEnd = 4,      // end of input
  kEndStop = 5,     // stop requested
  kEndEvicted = 6,  // table full: the least recently seen flow made room
};

// Fully resolved options (validated in packages/native/src/flows.ts).
struct FlowTableOptions {
  uint64_t tcp_idle_ns = 300ull * 1000000000ull;
  uint64_t udp_idle_ns = 60ull * 1000000000ull;
  uint64_t icmp_idle_ns = 30ull * 1000000000ull;
  uint64_t other_idle_ns = 60ull * 1000000000ull;
  uint64_t active_ns = 1800ull * 1000000000ull;
  // After a TCP close (FINs acknowledged, or RST) the flow lingers this long to
  // take the last ACKs and retransmissions (Zeek's tcp_close_delay, 5 s).
  uint64_t tcp_close_delay_ns = 5ull * 1000000000ull;
  uint64_t frag_timeout_ns = 30ull * 1000000000ull;  // as Linux's ipfrag_time
  uint32_t max_flows = 1000000;
  uint32_t max_frags = 16384;  // datagrams the fragment cache follows at once
};

// One outer layer of a tunneled flow (its first packet's).
struct TunnelLayer {
  uint8_t src[16];
  uint8_t dst[16];
  uint32_t id;
  uint16_t sport, dport;  // UDP-based tunnels; 0 for IP-level ones
  uint8_t type;           // TunnelType of the tunnel this layer carries
  uint8_t ip_version;
  uint8_t has_id;
  uint8_t _pad;
};
static_assert(sizeof(TunnelLayer) == 44, "TunnelLayer layout");

struct TunnelStack {
  uint8_t count;
  TunnelLayer layers[kMaxTunnelDepth];
};

// The live state of one flow. 128 bytes (static_assert): see docs/flows.md.
struct Flow {
  FlowKey key;             // 42
  uint8_t tcp_flags[2];    // OR of the TCP flags sent by [0] originator, [1] responder
  uint32_t hash;
  uint64_t first_ns, last_ns;
  uint64_t pkts[2];
  uint64_t bytes[2];       // IP bytes (IP total length)
  uint64_t history;        // up to 16 letter codes, 4 bits each, oldest in the low bits
  uint32_t prev, next;     // the idle list of its timeout class; `next` links the free list
  uint32_t fin_ack[2];     // the ack number that acknowledges [dir]'s FIN
  uint32_t tunnel;         // index in the tunnel pool, kNil if not tunneled
  uint16_t hist_seen;      // one bit per (letter, direction)
  uint8_t state;           // FlowState bits
  uint8_t cls;             // timeout class (FlowClass), kClassFree when unused
};
static_assert(sizeof(Flow) == 128, "Flow must stay 128 bytes (docs/flows.md)");

// A finished flow, queued for JS.
struct FinishedFlow {
  uint64_t first_ns, last_ns;
  uint64_t pkts[2], bytes[2];
  uint8_t orig[16], resp[16];
  uint16_t orig_port, resp_port;
  uint16_t vlan, inner_vlan;
  uint8_t proto, ip_version, end, key_flags;
  uint8_t tcp_flags[2];
  uint8_t tunnel_count;
  char history[17];
  uint32_t tunnel_start;   // index of its first layer in the finished tunnel layers
};

struct FlowTableStats {
  uint64_t packets;        // packets given to update()
  uint64_t ip_packets;     // of which IP (counted in a flow or pending as a fragment)
  uint64_t tunneled;       // packets whose flow layer is inside a tunnel
  uint64_t created;        // flows created
  uint64_t finished;       // flows finished (any reason)
  uint64_t evicted;        // flows ended because the table was full
  uint64_t frag_pending;   // fragments held until their first fragment shows up
  uint64_t frag_unmatched; // fragments counted in a flow without ports (first fragment never seen)
  uint64_t frag_dropped_entries;  // fragment cache entries evicted because it was full
  uint32_t active;         // flows in the table now
  uint32_t max_flows;
  uint64_t memory_bytes;   // bytes allocated by the table now (flows, index, tunnels, fragments)
};

// One packet for update_batch().
struct FlowInput {
  const uint8_t* data = nullptr;
  uint32_t caplen = 0;
  const PacketMeta* meta = nullptr;  // null: read but not delivered, so it only moves the clock
  uint64_t ts_ns = 0;
};

class FlowTable {
 public:
  explicit FlowTable(const FlowTableOptions& o);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // Accounts one frame. `meta` is locate()'s result for it; `data` may be
  // null only when meta says it is not IP.
  void update(const uint8_t* data, uint32_t caplen, const PacketMeta& meta, uint64_t ts_ns);
  // The same for many packets in input order (a Ring's fetch), looking ahead:
  // while packet i is counted, the index slots and entries of the packets a
  // few places later are already on their way into the cache. The result is
  // exactly that of calling update() (or advance(), for a packet without
  // meta) on each in turn.
  void update_batch(const FlowInput* in, size_t count);
  // Moves the clock to `now_ns` (if later) and ends what timed out. Live
  // capture calls this when no packet came for a while.
  void advance(uint64_t now_ns);
  // Ends every open flow (and every held fragment) with `why` (end or stop).
  void flush(FlowEnd why);
  // Test entry point: creates `n` distinct UDP flows (one packet each) at
  // `ts_ns`, as fast as the table can; the 1,000,000-flow memory test uses it.
  void insert_synthetic(uint32_t n, uint64_t ts_ns, bool ipv6);

  std::vector<FinishedFlow>& finished() { return finished_; }
  std::vector<TunnelLayer>& finished_tunnels() { return finished_tunnels_; }
  void clear_finished();

  FlowTableStats stats() const;
  const FlowTableOptions& options() const { return opt_; }
  // The most memory a table with this maxFlows can hold for its flows and
  // index (tunnel layers and the fragment cache are extra: docs/flows.md).
  static uint64_t flow_memory_bound(uint32_t max_flows);

 private:
  friend class FragTracker;
  struct Slot {
    uint32_t hash;
    uint32_t idx;  // kNil = empty
  };
  Flow& at(uint32_t i) { return flows_[i]; }
  const Flow& at(uint32_t i) const { return flows_[i]; }
  static HugeBuffer empty_index(uint32_t cap);
  Slot* slots() const { return static_cast<Slot*>(index_.data()); }

  // A packet's key and index hash, computed ahead of its turn (update_batch).
  struct Prepared {
    FlowKey key;
    uint32_t hash;
    bool sender_is_lo;
    uint8_t kind;  // PrepKind (flow_table.cc)
  };
  // prepare() and apply() run once per packet, from update_batch() (and
  // update()): inlined there, as is account_hashed()'s body (account_inline)
  // in apply(). Their calls (11 arguments to account_hashed) were ~90
  // instructions per packet (callgrind, docs/bench.md).
  [[gnu::always_inline]] inline void prepare(const FlowInput& in, Prepared* p) const;
  // Hints issued on every packet of a batch, from update_batch() only
  // (flow_table.cc): inlined there, not calls.
  [[gnu::always_inline]] inline void prefetch_slot(const Prepared& p) const;
  [[gnu::always_inline]] inline void prefetch_entry(const Prepared& p) const;
  [[gnu::always_inline]] inline void prefetch_links(const Prepared& p) const;
  [[gnu::always_inline]] inline void apply(const FlowInput& in, const Prepared& p);
  // update() for a packet whose flow layer lies inside a tunnel, or a fragment.
  void update_layered(const uint8_t* data, uint32_t caplen, const PacketMeta& meta, uint64_t ts);

  // Called from account_hashed() only, on every packet: inlined there.
  [[gnu::always_inline]] inline uint32_t find(const FlowKey& k, uint32_t h) const;
  uint32_t create(const FlowKey& k, uint32_t h, bool orig_is_lo, uint64_t ts, const Layer* layers, int flow_layer);
  void index_insert(uint32_t h, uint32_t idx);
  void index_erase(uint32_t idx);
  void grow_index();
  uint32_t alloc_slot();
  void list_push(uint32_t idx);
  void list_unlink(uint32_t idx);
  void move_to_tail(uint32_t idx);
  void finish(uint32_t idx, FlowEnd why);
  void evict_one();
  // Ends what timed out by `now`. Asked on every packet: the walk of the list
  // heads runs only once a head can be due (next_expiry_).
  void expire(uint64_t now) {
    if (now >= next_expiry_) expire_idle(now);
    frags_.expire(now, *this);
  }
  void expire_idle(uint64_t now);
  // Counts `pkts` packets / `bytes` IP bytes sent by the key's lower endpoint
  // (sender_is_lo) or higher one in the flow with key `k`, created if missing.
  // `syn_only`: a TCP SYN without ACK (starts a new flow on a closed one).
  // Returns the flow's index; *dir = 0 originator, 1 responder.
  uint32_t account(const FlowKey& k, bool sender_is_lo, uint64_t first_ts, uint64_t last_ts, uint64_t pkts,
                   uint64_t bytes, bool syn_only, const Layer* layers, int flow_layer, int* dir) {
    return account_hashed(k, key_hash_(k), sender_is_lo, first_ts, last_ts, pkts, bytes, syn_only, layers,
                          flow_layer, dir);
  }
  uint32_t account_hashed(const FlowKey& k, uint32_t h, bool sender_is_lo, uint64_t first_ts, uint64_t last_ts,
                          uint64_t pkts, uint64_t bytes, bool syn_only, const Layer* layers, int flow_layer, int* dir);
  [[gnu::always_inline]] inline uint32_t account_inline(const FlowKey& k, uint32_t h, bool sender_is_lo,
                                                        uint64_t first_ts, uint64_t last_ts, uint64_t pkts,
                                                        uint64_t bytes, bool syn_only, const Layer* layers,
                                                        int flow_layer, int* dir);
  // `m` is the flow layer's meta; `base` where that layer starts in `data`.
  // Inline in apply() and update_layered(): its common case is a few
  // instructions; tcp_full() is everything else (flow_table.cc).
  [[gnu::always_inline]] inline void tcp(uint32_t idx, int dir, const PacketMeta& m, uint32_t base,
                                         const uint8_t* data, uint32_t caplen);
  void tcp_full(Flow& f, uint32_t idx, int dir, const PacketMeta& m, uint32_t base, const uint8_t* data,
                uint32_t caplen);
  void close_tcp(uint32_t idx, uint8_t why_bit);
  void add_held(const FragTarget& t, uint64_t pkts, uint64_t bytes, uint64_t first, uint64_t last);
  void add_unmatched(const FragKey& fk, uint64_t pkts, uint64_t bytes, uint64_t first, uint64_t last);
  uint32_t tunnel_alloc(const Layer* layers, int flow_layer);
  void tunnel_free(uint32_t t);

  // Entries are counted (stats().memory_bytes, flow_memory_bound) in steps
  // of this many: at most what the pages written so far hold.
  static constexpr uint32_t kChunkSize = 1u << 16;


  FlowTableOptions opt_;
  FlowKeyHash key_hash_;         // seeded per table (flow_key.h)
  uint64_t idle_ns_[kClassCount];
  // One array for max_flows entries, reserved, not committed: pages appear as
  // entries are first written, so an idle table costs little. One array, not
  // chunks allocated as the table fills, because every packet reaches five or
  // more entries (lookup, counters, idle-list neighbours): a chunk lookup on
  // each was ~50 instructions per packet (callgrind, docs/bench.md).
  HugeBuffer flow_mem_;
  Flow* flows_;
  uint32_t used_slots_ = 0;      // entries handed out so far (free ones are on free_)
  uint32_t free_ = kNil;         // free list through Flow::next
  uint32_t active_ = 0;
  HugeBuffer index_;             // index_mask_ + 1 Slots
  uint32_t index_mask_ = 0;
  uint32_t index_max_ = 0;       // the index never grows past this many slots
  uint32_t head_[kClassCount];   // idle lists, least recently seen first
  uint32_t tail_[kClassCount];
  std::vector<TunnelStack> tunnels_;
  std::vector<uint32_t> tunnel_free_;
  uint64_t now_ = 0;
  // No list head can time out before this packet time (expire() skips its
  // walk until then): the earliest head deadline at the last walk, lowered
  // whenever a flow becomes a head (list_push on an empty list, list_unlink
  // or move_to_tail of a head).
  uint64_t next_expiry_ = 0;
  FragTracker frags_;
  std::vector<FinishedFlow> finished_;
  std::vector<TunnelLayer> finished_tunnels_;
  FlowTableStats st_{};
};

}  // namespace pfw
