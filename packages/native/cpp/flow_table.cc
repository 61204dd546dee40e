// FlowTable: see flow_table.h. Storage is one array of 128-byte Flow entries
// (reserved for maxFlows, its pages written as the table fills, so an idle
// table costs little), an open-addressing index of (hash, entry) slots with linear
// probing and backward-shift deletion (no tombstones), and one intrusive
// least-recently-seen list per timeout class, so expiry and eviction only
// ever look at list heads.
#include "flow_table.h"

#include "byte_order.h"

#include <algorithm>
#include <cstring>

namespace pfw {

namespace {

enum FlowState : uint8_t {
  kStOrigIsLo = 1,      // the originator is the key's lower endpoint
  kStFinSent0 = 2,      // FIN sent by the originator ([0]); kStFinSent0 << 1 for the responder
  kStFinAcked0 = 8,     // the originator's FIN was acknowledged; << 1 for the responder's
  kStClosedFin = 32,
  kStClosedRst = 64,
};
constexpr uint8_t kStClosed = kStClosedFin | kStClosedRst;

// History letter codes: 0..7 originator (upper case), 8..15 responder (lower case).
enum Letter : uint8_t { kLS = 0, kLH, kLA, kLD, kLF, kLR, kLQ, kLI };
constexpr char kLetters[] = "SHADFRQIshadfrqi";

constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;


uint32_t next_pow2(uint64_t v) {
  uint64_t p = 1;
  while (p < v) p <<= 1;
  return p > 0x80000000ull ? 0x80000000u : uint32_t(p);
}

uint32_t index_cap_for(uint32_t max_flows) { return std::max<uint32_t>(1024, next_pow2(uint64_t(max_flows) * 2)); }

// When a flow last seen at `last` times out (saturating: a huge timeout never wraps).
uint64_t deadline(uint64_t last, uint64_t idle) { return last > UINT64_MAX - idle ? UINT64_MAX : last + idle; }

// What prepare() found a packet to be (FlowTable::Prepared::kind).
enum PrepKind : uint8_t {
  kPrepClock = 0,    // read, not delivered: moves the clock only
  kPrepNotIp = 1,    // delivered, not IP: counted in stats().packets only
  kPrepPlain = 2,    // IP, not tunneled, not a fragment: key and hash ready
  kPrepLayered = 3,  // tunneled or a fragment: update_layered() walks it at its turn
};

// update_batch(): how far ahead a packet's index slot, then its entry, is
// prefetched. The slot must have arrived before the entry's address can be
// read from it. 16 and 8 packets measured a little better than 8 and 4 (and
// clearly better than 4 and 2) on the bench capture: a prefetch issued too
// late turns into a stall when the entry's address is read from its slot.
constexpr size_t kSlotAhead = 16;
constexpr size_t kEntryAhead = 8;
constexpr size_t kLinksAhead = 4;  // the idle-list neighbours, once the entry has arrived
constexpr size_t kPrepRing = 32;  // > kSlotAhead, a power of two

void add_letter(Flow& f, int dir, Letter l) {
  uint8_t code = uint8_t(l + (dir ? 8 : 0));
  uint16_t bit = uint16_t(1u << code);
  if (f.hist_seen & bit) return;  // Zeek records each letter once per direction
  int n = __builtin_popcount(f.hist_seen);
  f.hist_seen |= bit;
  f.history |= uint64_t(code) << (4 * n);
}

}  // namespace

FlowTable::FlowTable(const FlowTableOptions& o)
    : opt_(o),
      flow_mem_(sizeof(Flow) * size_t(std::max<uint32_t>(o.max_flows, 1)), /*reserve_only=*/true),
      flows_(static_cast<Flow*>(flow_mem_.data())),
      frags_(o.frag_timeout_ns, o.max_frags) {
  idle_ns_[kClassTcp] = o.tcp_idle_ns;
  idle_ns_[kClassUdp] = o.udp_idle_ns;
  idle_ns_[kClassIcmp] = o.icmp_idle_ns;
  idle_ns_[kClassOther] = o.other_idle_ns;
  idle_ns_[kClassClosing] = o.tcp_close_delay_ns;
  for (int c = 0; c < kClassCount; ++c) head_[c] = tail_[c] = kNil;
  index_max_ = index_cap_for(o.max_flows);
  uint32_t cap = std::min<uint32_t>(index_max_, 1024);
  index_ = empty_index(cap);
  index_mask_ = cap - 1;
  st_.max_flows = o.max_flows;
}

FlowTable::~FlowTable() = default;

// An index of `cap` empty slots (every byte 0xFF: idx == kNil).
HugeBuffer FlowTable::empty_index(uint32_t cap) {
  HugeBuffer b(sizeof(Slot) * cap);
  std::memset(b.data(), 0xFF, b.size());
  return b;
}

uint64_t FlowTable::flow_memory_bound(uint32_t max_flows) {
  uint64_t chunks = (uint64_t(max_flows) + kChunkSize - 1) / kChunkSize;
  return chunks * kChunkSize * sizeof(Flow) + uint64_t(index_cap_for(max_flows)) * sizeof(Slot);
}

// ---- index ----

// Measured (docs/bench.md "Hot path notes", perf record on
// bench/programs/native-path.ts, 1,000,000 packets, 100,000 flows): find() is
// the addon's top symbol, and its time is two dependent cache misses, not the
// hash or probe chains: ~43% of its samples wait on the first index slot, ~50%
// on the first word of the entry's key; the probe loop-back is ~1%.
// The key hash (then a multiply-rotate mix over all 42 key bytes) was 0.6% of
// samples. Aligning Flow to 128 bytes did not change the CPU time (not kept).
// Removing a miss needs lookahead (prefetch the next packets' slots within a
// batch) or entries stored in the index, as Baseline A's table does.
inline uint32_t FlowTable::find(const FlowKey& k, uint32_t h) const {
  for (uint32_t i = h & index_mask_;; i = (i + 1) & index_mask_) {
    const Slot& s = slots()[i];
    if (s.idx == kNil) return kNil;
    if (s.hash == h && at(s.idx).key == k) return s.idx;
  }
}

void FlowTable::index_insert(uint32_t h, uint32_t idx) {
  uint32_t i = h & index_mask_;
  Slot* t = slots();
  while (t[i].idx != kNil) i = (i + 1) & index_mask_;
  t[i] = Slot{h, idx};
}

void FlowTable::grow_index() {
  HugeBuffer old = std::move(index_);
  uint32_t old_cap = index_mask_ + 1;
  uint32_t cap = old_cap * 2;
  index_ = empty_index(cap);
  index_mask_ = cap - 1;
  const Slot* o = static_cast<const Slot*>(old.data());
  for (uint32_t i = 0; i < old_cap; i++)
    if (o[i].idx != kNil) index_insert(o[i].hash, o[i].idx);
}

void FlowTable::index_erase(uint32_t idx) {
  uint32_t h = at(idx).hash;
  uint32_t i = h & index_mask_;
  Slot* t = slots();
  while (t[i].idx != idx) i = (i + 1) & index_mask_;
  // Backward shift: pull later members of the probe run into the hole.
  uint32_t j = i;
  for (;;) {
    j = (j + 1) & index_mask_;
    if (t[j].idx == kNil) break;
    uint32_t home = t[j].hash & index_mask_;
    bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!stays) {
      t[i] = t[j];
      i = j;
    }
  }
  t[i].idx = kNil;
}

// ---- storage and lists ----

uint32_t FlowTable::alloc_slot() {
  if (free_ != kNil) {
    uint32_t i = free_;
    free_ = at(i).next;
    return i;
  }
  return used_slots_++;  // below max_flows: create() makes room first when the table is full
}

void FlowTable::list_push(uint32_t idx) {
  Flow& f = at(idx);
  f.prev = tail_[f.cls];
  f.next = kNil;
  if (f.prev != kNil) {
    at(f.prev).next = idx;
  } else {
    head_[f.cls] = idx;
    next_expiry_ = std::min(next_expiry_, deadline(f.last_ns, idle_ns_[f.cls]));
  }
  tail_[f.cls] = idx;
}

void FlowTable::list_unlink(uint32_t idx) {
  Flow& f = at(idx);
  if (f.prev != kNil) {
    at(f.prev).next = f.next;
  } else {
    head_[f.cls] = f.next;
    // The next flow becomes the head. Packet time can go backwards (merged
    // files, reordered capture), so it may time out before the old head did.
    if (f.next != kNil) next_expiry_ = std::min(next_expiry_, deadline(at(f.next).last_ns, idle_ns_[f.cls]));
  }
  if (f.next != kNil) at(f.next).prev = f.prev;
  else tail_[f.cls] = f.prev;
}

// list_unlink() then list_push() for a flow that is not its list's tail
// (so the list keeps another member and its tail stays): one pass, on most
// packets.
void FlowTable::move_to_tail(uint32_t idx) {
  Flow& f = at(idx);
  const uint8_t c = f.cls;
  Flow& after = at(f.next);
  after.prev = f.prev;
  if (f.prev != kNil) {
    at(f.prev).next = f.next;
  } else {
    head_[c] = f.next;
    // As in list_unlink: the new head may time out before the old one did.
    next_expiry_ = std::min(next_expiry_, deadline(after.last_ns, idle_ns_[c]));
  }
  const uint32_t t = tail_[c];
  at(t).next = idx;
  f.prev = t;
  f.next = kNil;
  tail_[c] = idx;
}

uint32_t FlowTable::tunnel_alloc(const Layer* layers, int flow_layer) {
  uint32_t t;
  if (!tunnel_free_.empty()) {
    t = tunnel_free_.back();
    tunnel_free_.pop_back();
  } else {
    t = uint32_t(tunnels_.size());
    tunnels_.emplace_back();
  }
  TunnelStack& s = tunnels_[t];
  s.count = uint8_t(flow_layer);
  for (int i = 0; i < flow_layer; ++i) {
    const PacketMeta& m = layers[i].meta;
    const Layer& inner = layers[i + 1];
    TunnelLayer& tl = s.layers[i];
    std::memset(&tl, 0, sizeof(tl));
    layer_addrs(m, tl.src, tl.dst);
    tl.ip_version = m.ip_version;
    tl.type = inner.via;
    tl.has_id = inner.has_id;
    tl.id = inner.tunnel_id;
    bool udp_based = inner.via == kTunnelVXLAN || inner.via == kTunnelGeneve || inner.via == kTunnelGTPU ||
                     inner.via == kTunnelTeredo;
    if (udp_based) {
      tl.sport = m.sport;
      tl.dport = m.dport;
    }
  }
  return t;
}

void FlowTable::tunnel_free(uint32_t t) { tunnel_free_.push_back(t); }

uint32_t FlowTable::create(const FlowKey& k, uint32_t h, bool orig_is_lo, uint64_t ts, const Layer* layers,
                           int flow_layer) {
  if (active_ >= opt_.max_flows) evict_one();
  if (uint64_t(active_ + 1) * 2 > uint64_t(index_mask_) + 1 && index_mask_ + 1 < index_max_) grow_index();
  uint32_t idx = alloc_slot();
  Flow& f = at(idx);
  std::memset(&f, 0, sizeof(f));
  f.key = k;
  f.hash = h;
  f.first_ns = f.last_ns = ts;
  f.state = orig_is_lo ? kStOrigIsLo : 0;
  f.cls = class_of(k.proto);
  f.tunnel = flow_layer > 0 && layers ? tunnel_alloc(layers, flow_layer) : kNil;
  index_insert(h, idx);
  list_push(idx);
  active_++;
  st_.created++;
  return idx;
}

// ---- ending flows ----

void FlowTable::finish(uint32_t idx, FlowEnd why) {
  Flow& f = at(idx);
  if (f.state & kStClosedRst) why = kEndRst;        // a closed flow keeps its reason, even when
  else if (f.state & kStClosedFin) why = kEndFin;   // flushed or evicted while lingering
  FinishedFlow out;
  std::memset(&out, 0, sizeof(out));
  bool lo = f.state & kStOrigIsLo;
  const FlowKey& k = f.key;
  std::memcpy(out.orig, lo ? k.lo : k.hi, 16);
  std::memcpy(out.resp, lo ? k.hi : k.lo, 16);
  out.orig_port = lo ? k.lo_port : k.hi_port;
  out.resp_port = lo ? k.hi_port : k.lo_port;
  out.first_ns = f.first_ns;
  out.last_ns = f.last_ns;
  out.pkts[0] = f.pkts[0];
  out.pkts[1] = f.pkts[1];
  out.bytes[0] = f.bytes[0];
  out.bytes[1] = f.bytes[1];
  out.vlan = k.vlan;
  out.inner_vlan = k.inner_vlan;
  out.proto = k.proto;
  out.ip_version = (k.flags & kKeyV6) ? 6 : 4;
  out.key_flags = k.flags;
  out.end = why;
  out.tcp_flags[0] = f.tcp_flags[0];
  out.tcp_flags[1] = f.tcp_flags[1];
  int n = __builtin_popcount(f.hist_seen);
  for (int i = 0; i < n; ++i) out.history[i] = kLetters[(f.history >> (4 * i)) & 0xF];
  out.tunnel_start = uint32_t(finished_tunnels_.size());
  if (f.tunnel != kNil) {
    const TunnelStack& s = tunnels_[f.tunnel];
    out.tunnel_count = s.count;
    for (int i = 0; i < s.count; ++i) finished_tunnels_.push_back(s.layers[i]);
    tunnel_free(f.tunnel);
  }
  finished_.push_back(out);
  index_erase(idx);
  list_unlink(idx);
  f.cls = kClassFree;
  f.next = free_;
  free_ = idx;
  active_--;
  st_.finished++;
  if (why == kEndEvicted) st_.evicted++;
}

void FlowTable::evict_one() {
  // The least recently seen flow: the oldest of the list heads.
  uint32_t victim = kNil;
  for (int c = 0; c < kClassCount; ++c) {
    uint32_t h = head_[c];
    if (h != kNil && (victim == kNil || at(h).last_ns < at(victim).last_ns)) victim = h;
  }
  if (victim != kNil) finish(victim, kEndEvicted);
}

// Idle flows end in the order of their deadlines, across the classes (ties:
// the lower class first). So moving the clock to a time in one step ends the
// same flows in the same order as moving it there packet by packet: a file
// worker reading through a cluster index (cluster_index.h) sees only its own
// packets' times, and still writes exactly the records of a worker that read
// every packet of the file. Each list is in last-seen order, so its head has
// the earliest deadline of its class (timestamps going backwards aside:
// then a head waits for its own deadline, as before).
void FlowTable::expire_idle(uint64_t now) {
  uint64_t next = UINT64_MAX;
  for (;;) {
    int first = -1;
    next = UINT64_MAX;
    for (int c = 0; c < kClassCount; ++c) {
      if (head_[c] == kNil) continue;
      uint64_t d = deadline(at(head_[c]).last_ns, idle_ns_[c]);
      if (d < next) {
        next = d;
        first = c;
      }
    }
    if (first < 0 || next > now) break;
    finish(head_[first], kEndIdle);  // closing flows keep fin/rst (finish() sees the state)
  }
  // A lower bound on every head's deadline from now on: a head's last_ns
  // only grows, and list_push()/list_unlink()/move_to_tail() lower it for
  // every new head.
  next_expiry_ = next;
}

void FlowTable::advance(uint64_t now_ns) {
  if (now_ns > now_) now_ = now_ns;
  expire(now_);
}

void FlowTable::flush(FlowEnd why) {
  frags_.flush(*this);
  // Room for every open flow at once: at the end of a big file most of the
  // table ends here, and growing the queue by doubling copied it ~log2(n)
  // times into freshly faulted memory (100,000 flows: ~3,000 page faults).
  finished_.reserve(finished_.size() + active_);
  for (int c = 0; c < kClassCount; ++c)
    while (head_[c] != kNil) finish(head_[c], why);
}

void FlowTable::clear_finished() {
  finished_.clear();
  finished_tunnels_.clear();
  // A flush of a big table grows these to its size: give that memory back.
  if (finished_.capacity() > 65536) finished_.shrink_to_fit();
  if (finished_tunnels_.capacity() > 65536) finished_tunnels_.shrink_to_fit();
}

// ---- counting ----

uint32_t FlowTable::account_hashed(const FlowKey& k, uint32_t h, bool sender_is_lo, uint64_t first_ts,
                                   uint64_t last_ts, uint64_t pkts, uint64_t bytes, bool syn_only, const Layer* layers,
                                   int flow_layer, int* dir) {
  return account_inline(k, h, sender_is_lo, first_ts, last_ts, pkts, bytes, syn_only, layers, flow_layer, dir);
}

inline uint32_t FlowTable::account_inline(const FlowKey& k, uint32_t h, bool sender_is_lo, uint64_t first_ts,
                                          uint64_t last_ts, uint64_t pkts, uint64_t bytes, bool syn_only,
                                          const Layer* layers, int flow_layer, int* dir) {
  uint32_t idx = find(k, h);
  bool orig_is_lo = sender_is_lo;
  if (idx != kNil) {
    Flow& f = at(idx);
    if ((f.state & kStClosed) && syn_only) {
      // A new connection on a closed one's ports: report the old one now.
      finish(idx, kEndFin);
      idx = kNil;
    } else if (first_ts >= f.first_ns && first_ts - f.first_ns >= opt_.active_ns) {
      // Active timeout: report what was counted so far; counting starts afresh
      // with the same originator (and the TCP state carries over).
      orig_is_lo = f.state & kStOrigIsLo;
      uint8_t keep = f.state;
      uint32_t fin_ack0 = f.fin_ack[0], fin_ack1 = f.fin_ack[1];
      uint8_t cls = f.cls;
      finish(idx, kEndActive);
      idx = create(k, h, orig_is_lo, first_ts, layers, flow_layer);
      Flow& g = at(idx);
      g.state = keep;
      g.fin_ack[0] = fin_ack0;
      g.fin_ack[1] = fin_ack1;
      if (cls != g.cls) {
        list_unlink(idx);
        g.cls = cls;
        list_push(idx);
      }
    }
  }
  if (idx == kNil) idx = create(k, h, orig_is_lo, first_ts, layers, flow_layer);
  Flow& f = at(idx);
  int d = (sender_is_lo == bool(f.state & kStOrigIsLo)) ? 0 : 1;
  f.pkts[d] += pkts;
  f.bytes[d] += bytes;
  if (first_ts < f.first_ns) f.first_ns = first_ts;
  if (last_ts > f.last_ns) f.last_ns = last_ts;
  if (f.next != kNil) move_to_tail(idx);  // the tail of its idle list: most recently seen
  *dir = d;
  return idx;
}

void FlowTable::close_tcp(uint32_t idx, uint8_t why_bit) {
  Flow& f = at(idx);
  if (f.state & kStClosed) return;
  f.state |= why_bit;
  list_unlink(idx);
  f.cls = kClassClosing;
  list_push(idx);
}

// Zeek's history rules (TCPSessionAdapter's update_history): a packet with
// more than one of SYN/FIN/RST records Q (I for FIN+RST); exactly one records
// S or H (SYN without/with ACK), F or R; none records D if it carries payload,
// else A if it has ACK. Each letter once per direction.
namespace {
// TCP payload bytes per the IP header's length (0 when unknown).
inline uint32_t tcp_payload_len(const PacketMeta& m) {
  if (m.payload_off == kNoOffset || m.l3_off == kNoOffset) return 0;
  uint32_t ip_end = uint32_t(m.l3_off) + m.ip_len;
  return ip_end > m.payload_off ? ip_end - m.payload_off : 0;
}
}  // namespace

// Most packets carry data or a bare ACK in an open connection whose other
// side has sent no FIN: then only a history letter can change (D or A, each
// recorded once), and nothing of the close state (tcp_full() closes a flow the
// moment both FINs are acknowledged, so there is nothing left to check).
inline void FlowTable::tcp(uint32_t idx, int dir, const PacketMeta& m, uint32_t base, const uint8_t* data,
                           uint32_t caplen) {
  Flow& f = at(idx);
  const uint8_t fl = m.tcp_flags;
  if ((fl & (kTcpSyn | kTcpFin | kTcpRst)) || (f.state & (kStFinSent0 << (1 - dir)))) {
    tcp_full(f, idx, dir, m, base, data, caplen);
    return;
  }
  f.tcp_flags[dir] |= fl;
  if (tcp_payload_len(m)) add_letter(f, dir, kLD);
  else if (fl & kTcpAck) add_letter(f, dir, kLA);
}

void FlowTable::tcp_full(Flow& f, uint32_t idx, int dir, const PacketMeta& m, uint32_t base, const uint8_t* data,
                         uint32_t caplen) {
  uint8_t fl = m.tcp_flags;
  f.tcp_flags[dir] |= fl;
  uint32_t plen = tcp_payload_len(m);
  bool syn = fl & kTcpSyn, fin = fl & kTcpFin, rst = fl & kTcpRst, ack = fl & kTcpAck;
  int bits = syn + fin + rst;
  if (bits > 1) add_letter(f, dir, fin && rst ? kLI : kLQ);
  else if (syn) add_letter(f, dir, ack ? kLH : kLS);
  else if (fin) add_letter(f, dir, kLF);
  else if (rst) add_letter(f, dir, kLR);
  else if (plen) add_letter(f, dir, kLD);
  else if (ack) add_letter(f, dir, kLA);

  // Sequence numbers matter only around a FIN: this packet's own, or an ACK
  // once the other side has sent one (most packets read neither).
  const int other = 1 - dir;
  const bool watch_ack = ack && (f.state & (kStFinSent0 << other));
  uint32_t l4 = base + m.l4_off;
  if ((fin || watch_ack) && m.l4_off != kNoOffset && l4 <= caplen && caplen - l4 >= 12) {
    if (fin) {
      // FIN takes a sequence number after the data
      f.fin_ack[dir] = be32(data + l4 + 4) + plen + (syn ? 1 : 0) + 1;
      f.state |= uint8_t(kStFinSent0 << dir);
    }
    if (watch_ack && int32_t(be32(data + l4 + 8) - f.fin_ack[other]) >= 0) {
      f.state |= uint8_t(kStFinAcked0 << other);
    }
  }
  if (rst) close_tcp(idx, kStClosedRst);
  else if ((f.state & (kStFinAcked0 | (kStFinAcked0 << 1))) == (kStFinAcked0 | (kStFinAcked0 << 1)))
    close_tcp(idx, kStClosedFin);
}

void FlowTable::add_held(const FragTarget& t, uint64_t pkts, uint64_t bytes, uint64_t first, uint64_t last) {
  int dir;
  account(t.key, t.sender_is_lo, first, last, pkts, t.same_layer ? bytes : 0, false, nullptr, 0, &dir);
}

void FlowTable::add_unmatched(const FragKey& fk, uint64_t pkts, uint64_t bytes, uint64_t first, uint64_t last) {
  FlowKey k;
  bool s_lo;
  make_portless_key(fk.src, fk.dst, fk.v6, fk.proto, fk.vlan, fk.inner_vlan, &k, &s_lo);
  int dir;
  account(k, s_lo, first, last, pkts, bytes, false, nullptr, 0, &dir);
  st_.frag_unmatched += pkts;
}

void FlowTable::update(const uint8_t* data, uint32_t caplen, const PacketMeta& meta, uint64_t ts) {
  FlowInput in;
  in.data = data;
  in.caplen = caplen;
  in.meta = &meta;
  in.ts_ns = ts;
  Prepared p;
  prepare(in, &p);
  apply(in, p);
}

void FlowTable::update_batch(const FlowInput* in, size_t count) {
  Prepared pre[kPrepRing];
  size_t prepared = 0;
  for (; prepared < count && prepared < kSlotAhead; prepared++) {
    prepare(in[prepared], &pre[prepared % kPrepRing]);
    prefetch_slot(pre[prepared % kPrepRing]);
  }
  for (size_t i = 0; i < count; i++) {
    if (prepared < count) {
      prepare(in[prepared], &pre[prepared % kPrepRing]);
      prefetch_slot(pre[prepared % kPrepRing]);
      prepared++;
    }
    if (i + kEntryAhead < count) prefetch_entry(pre[(i + kEntryAhead) % kPrepRing]);
    if (i + kLinksAhead < count) prefetch_links(pre[(i + kLinksAhead) % kPrepRing]);
    apply(in[i], pre[i % kPrepRing]);
  }
}

// Only what the packet's own bytes decide: the table may change before the
// packet's turn (flows end, the index shifts), so nothing here reads it.
inline void FlowTable::prepare(const FlowInput& in, Prepared* p) const {
  if (!in.meta) {
    p->kind = kPrepClock;
    return;
  }
  const PacketMeta& m = *in.meta;
  if (!(m.flags & (kMetaIPv4 | kMetaIPv6)) || !in.data) {
    p->kind = kPrepNotIp;
    return;
  }
  if (m.flags & kMetaFragment) {
    p->kind = kPrepLayered;
    return;
  }
  if (may_carry_tunnel(m)) {
    Layer layers[kMaxLayers];
    if (walk_layers(in.data, in.caplen, m, layers) > 1) {
      p->kind = kPrepLayered;
      return;
    }
  }
  p->kind = kPrepPlain;
  make_flow_key(m, m.vlan_id, m.inner_vlan_id, &p->key, &p->sender_is_lo);
  p->hash = key_hash_(p->key);
}

// Hints only: a wrong guess (the index changed meanwhile) costs a miss later, never a wrong count.
inline void FlowTable::prefetch_slot(const Prepared& p) const {
  if (p.kind == kPrepPlain) __builtin_prefetch(&slots()[p.hash & index_mask_]);
}

inline void FlowTable::prefetch_entry(const Prepared& p) const {
  if (p.kind != kPrepPlain) return;
  const Slot& s = slots()[p.hash & index_mask_];
  if (s.idx == kNil) return;
  const char* e = reinterpret_cast<const char*>(&at(s.idx));
  __builtin_prefetch(e, 1);       // key, hash, times
  __builtin_prefetch(e + 64, 1);  // counters, links, state
}

// The entry's idle-list neighbours: counting the packet moves the flow to
// the tail of its list, which writes both (two more misses otherwise).
inline void FlowTable::prefetch_links(const Prepared& p) const {
  if (p.kind != kPrepPlain) return;
  const Slot& s = slots()[p.hash & index_mask_];
  if (s.idx == kNil) return;
  const Flow& f = at(s.idx);
  if (f.prev != kNil) __builtin_prefetch(&at(f.prev).prev, 1);
  if (f.next != kNil) __builtin_prefetch(&at(f.next).prev, 1);
}

inline void FlowTable::apply(const FlowInput& in, const Prepared& p) {
  if (p.kind == kPrepClock) {
    advance(in.ts_ns);
    return;
  }
  uint64_t ts = in.ts_ns;
  st_.packets++;
  if (ts > now_) now_ = ts;
  expire(now_);
  if (p.kind == kPrepNotIp) return;
  if (p.kind == kPrepLayered) {
    update_layered(in.data, in.caplen, *in.meta, ts);
    return;
  }
  st_.ip_packets++;
  const PacketMeta& m = *in.meta;
  bool is_tcp = m.proto == 6 && (m.flags & kMetaHasPorts) && m.l4_off != kNoOffset;
  bool syn_only = is_tcp && (m.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn;
  int dir;
  uint32_t idx = account_inline(p.key, p.hash, p.sender_is_lo, ts, ts, 1, m.ip_len, syn_only, nullptr, 0, &dir);
  if (is_tcp) tcp(idx, dir, m, 0, in.data, in.caplen);
}

void FlowTable::update_layered(const uint8_t* data, uint32_t caplen, const PacketMeta& meta, uint64_t ts) {
  st_.ip_packets++;
  Layer layers[kMaxLayers];
  int n = walk_layers(data, caplen, meta, layers);
  int fl = n - 1;
  const Layer& L = layers[fl];
  const PacketMeta& m = L.meta;
  if (fl > 0) st_.tunneled++;
  uint16_t vlan = meta.vlan_id, inner_vlan = meta.inner_vlan_id;
  int dir;

  if ((m.flags & kMetaFragment) && !(m.flags & kMetaFirstFragment)) {
    FragTarget t;
    if (!frags_.later(make_frag_key(m, vlan, inner_vlan), m.ip_len, ts, &t, *this)) {
      st_.frag_pending++;
      return;
    }
    account(t.key, t.sender_is_lo, ts, ts, 1, t.same_layer ? m.ip_len : 0, false, layers, fl, &dir);
    return;
  }

  FlowKey k;
  bool s_lo;
  make_flow_key(m, vlan, inner_vlan, &k, &s_lo);
  bool is_tcp = m.proto == 6 && (m.flags & kMetaHasPorts) && m.l4_off != kNoOffset;
  bool syn_only = is_tcp && (m.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn;
  uint32_t idx = account(k, s_lo, ts, ts, 1, m.ip_len, syn_only, layers, fl, &dir);
  if (is_tcp) tcp(idx, dir, m, L.base, data, caplen);
  // Every layer that is a first fragment: its later fragments belong here.
  for (int i = 0; i <= fl; ++i) {
    const PacketMeta& li = layers[i].meta;
    if ((li.flags & kMetaFragment) && (li.flags & kMetaFirstFragment)) {
      FragTarget t{k, s_lo, i == fl};
      frags_.first(make_frag_key(li, vlan, inner_vlan), t, ts, *this);
    }
  }
}

void FlowTable::insert_synthetic(uint32_t n, uint64_t ts, bool ipv6) {
  if (ts > now_) now_ = ts;
  for (uint32_t i = 0; i < n; ++i) {
    FlowKey k;
    std::memset(&k, 0, sizeof(k));
    k.proto = 17;
    // lower endpoint 10.x.y.z (or 2001:db8::x:y:z), higher 192.0.2.1, one port per flow
    uint32_t a = 0x0A000000u | (i >> 4);
    if (ipv6) {
      k.flags = kKeyV6;
      k.lo[0] = 0x20; k.lo[1] = 0x01; k.lo[2] = 0x0d; k.lo[3] = 0xb8;
      k.hi[0] = 0x20; k.hi[1] = 0x01; k.hi[2] = 0x0d; k.hi[3] = 0xb9;
      k.hi[15] = 1;
    } else {
      k.hi[0] = 192; k.hi[1] = 0; k.hi[2] = 2; k.hi[3] = 1;
    }
    int o = ipv6 ? 12 : 0;
    k.lo[o] = uint8_t(a >> 24); k.lo[o + 1] = uint8_t(a >> 16); k.lo[o + 2] = uint8_t(a >> 8); k.lo[o + 3] = uint8_t(a);
    k.lo_port = uint16_t(1024 + (i & 15));
    k.hi_port = 53;
    int dir;
    account(k, true, ts, ts, 1, 60, false, nullptr, 0, &dir);
  }
}

FlowTableStats FlowTable::stats() const {
  FlowTableStats s = st_;
  s.active = active_;
  s.max_flows = opt_.max_flows;
  s.memory_bytes = (uint64_t(used_slots_) + kChunkSize - 1) / kChunkSize * kChunkSize * sizeof(Flow) + (uint64_t(index_mask_) + 1) * sizeof(Slot) +
                   uint64_t(tunnels_.capacity()) * sizeof(TunnelStack) + tunnel_free_.capacity() * sizeof(uint32_t) +
                   frags_.memory_bytes() + finished_.capacity() * sizeof(FinishedFlow) +
                   finished_tunnels_.capacity() * sizeof(TunnelLayer);
  return s;
}

}  // namespace pfw
