// See batch.h.
#include "batch.h"

#include <cstdlib>
#include <cstring>

#include "cluster_hash.h"
#include "locate.h"

namespace pfw {

namespace {
constexpr size_t kAlign = 64;
// build(): fetches that may all be filtered out before giving the event loop
// a turn (a file behind a filter that matches nothing would otherwise be read
// to its end in one call).
constexpr int kMaxEmptyFetches = 64;
// build(): how many packets ahead the headers to locate are prefetched.
constexpr size_t kLocateAhead = 8;
size_t round_up(size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }
}  // namespace

template <typename T> T* DescriptorTable::column(const char* name, size_t* off) {
  layout_.emplace_back(name, *off);
  T* p = reinterpret_cast<T*>(mem_ + *off);
  *off = round_up(*off + sizeof(T) * capacity_);
  return p;
}

DescriptorTable::DescriptorTable(uint32_t capacity) : capacity_(capacity ? capacity : 1) {
  // Sizes first (a dry run over a null base), then one allocation.
  for (int pass = 0; pass < 2; pass++) {
    layout_.clear();
    size_t off = 0;
    header_ = reinterpret_cast<double*>(mem_);
    off = round_up(2 * sizeof(double));
    ts_sec = column<double>("tsSec", &off);
    data_off = column<uint32_t>("dataOff", &off);
    ts_nsec = column<uint32_t>("tsNsec", &off);
    caplen = column<uint32_t>("caplen", &off);
    len = column<uint32_t>("len", &off);
    src4 = column<uint32_t>("src4", &off);
    dst4 = column<uint32_t>("dst4", &off);
    hash = column<uint32_t>("hash", &off);
    ifindex = column<uint32_t>("ifindex", &off);
    l3_off = column<uint16_t>("l3Off", &off);
    l4_off = column<uint16_t>("l4Off", &off);
    payload_off = column<uint16_t>("payloadOff", &off);
    sport = column<uint16_t>("sport", &off);
    dport = column<uint16_t>("dport", &off);
    vlan = column<uint16_t>("vlan", &off);
    flags = column<uint16_t>("flags", &off);
    ip_len = column<uint16_t>("ipLen", &off);
    ip_version = column<uint8_t>("ipVersion", &off);
    proto = column<uint8_t>("proto", &off);
    direction = column<uint8_t>("direction", &off);
    tcp_flags = column<uint8_t>("tcpFlags", &off);
    if (pass == 0) {
      size_ = off;
      mem_ = static_cast<uint8_t*>(std::aligned_alloc(kAlign, size_));
      if (!mem_) throw std::bad_alloc();
      std::memset(mem_, 0, size_);
    }
  }
}

DescriptorTable::~DescriptorTable() {
  if (owned_) free_memory(mem_);
}

void DescriptorTable::free_memory(uint8_t* mem) { std::free(mem); }

BatchBuilder::BatchBuilder(DescriptorTable* table, int link_type)
    : t_(table), link_type_(link_type), hash_type_(kClusterPerFlow5Tuple) {}

void BatchBuilder::set_hash_type(int type) {
  int t = (type < 0 || !cluster_type_hashed(type)) ? int(kClusterPerFlow5Tuple) : type;
  if (t != hash_type_) frags_ = FragCache();  // remembered hashes were of the other type
  hash_type_ = t;
}

void BatchBuilder::set_slot(int type, uint32_t index, uint32_t count) {
  slot_type_ = type;
  slot_index_ = index;
  slot_mod_ = FastMod(count);  // 0 counts as 1
}

void BatchBuilder::set_direction_filter(int keep) { dir_keep_ = keep; }

inline bool BatchBuilder::keep(const RawPacket& p, PacketMeta* m, uint32_t* h) {
  const uint64_t number = counters_.seen++;
  locate(p.data, p.caplen, link_type_, p.vlan_tci, m);
  // A packet of the ring's own slot (in_slot: the cluster index chose it) has
  // no slot left to choose, unless it is a fragment, which every slot gets.
  const bool choose = slot_mod_.divisor() > 1 && !(p.in_slot && !(m->flags & kMetaFragment));
  // Every fragment goes through the cache, kept or not: all rings over one
  // file must resolve the same fragments the same way (other packets leave
  // the cache alone). Without rows and without a slot to choose, nobody reads
  // the hash.
  if (descriptor_rows_ || choose) *h = frags_.resolve(*m, cluster_hash(*m, hash_type_), p.ts_ns);
  if (choose) {
    uint64_t q = slot_type_ == kClusterRoundRobin ? number % slot_mod_.divisor() : slot_mod_.of(*h);
    if (q != slot_index_) return false;
  }
  if (dir_keep_ >= 0 && p.direction != dir_keep_) return false;
  if (bpf_ && !bpf_->match(p.data, p.caplen, p.len)) return false;
  counters_.accepted++;
  if (rate_ > 1 && (sample_at_++ % rate_) != 0) return false;
  return true;
}

BatchResult BatchBuilder::build(Backend& backend, uint32_t max) {
  BatchResult r;
  if (max > t_->capacity()) max = t_->capacity();
  for (int attempt = 0; attempt < kMaxEmptyFetches; attempt++) {
    raw_.clear();
    r.status = backend.fetch_into(max, raw_);
    if (raw_.empty()) {
      if (r.status == FetchStatus::kPackets) r.status = FetchStatus::kNone;
      t_->set_header(0, 0);
      return r;
    }
    // The span every row's bytes lie in (backend.h: one contiguous region).
    const uint8_t* lo = nullptr;
    const uint8_t* hi = nullptr;
    for (const RawPacket& p : raw_) {
      if (!p.data) continue;  // a clock entry (backend.h)
      if (!lo || p.data < lo) lo = p.data;
      if (!hi || p.data + p.caplen > hi) hi = p.data + p.caplen;
    }
    uint32_t n = 0;
    double bytes = 0;
    PacketMeta local;
    uint32_t h = 0;  // written by keep() when something reads it
    if (visitor_) {
      rows_.resize(raw_.size());
      if (metas_.size() < t_->capacity()) metas_.resize(t_->capacity());
    }
    for (size_t i = 0; i < raw_.size(); i++) {
      const RawPacket& p = raw_[i];
      // The headers locate() reads next: a file read through a cluster index
      // jumps from record to record, where the hardware prefetcher does not follow.
      if (i + kLocateAhead < raw_.size() && raw_[i + kLocateAhead].data) {
        __builtin_prefetch(raw_[i + kLocateAhead].data);
        __builtin_prefetch(raw_[i + kLocateAhead].data + 64);
      }
      // With a visitor, locate straight into the row's slot of metas_ (a packet
      // not kept leaves it to the next one).
      PacketMeta& m = visitor_ ? metas_[n] : local;
      if (!p.data || !keep(p, &m, &h)) {
        if (visitor_) rows_[i] = kNoRow;
        continue;
      }
      if (visitor_) rows_[i] = n;
      bytes += p.len;
      if (!descriptor_rows_) {
        n++;
        continue;
      }
      t_->data_off[n] = uint32_t(p.data - lo);
      t_->ts_sec[n] = double(p.ts_ns / 1000000000ull);
      t_->ts_nsec[n] = uint32_t(p.ts_ns % 1000000000ull);
      t_->caplen[n] = p.caplen;
      t_->len[n] = p.len;
      t_->ifindex[n] = p.ifindex;
      t_->direction[n] = p.direction;
      t_->hash[n] = h;
      t_->src4[n] = m.src4;
      t_->dst4[n] = m.dst4;
      t_->l3_off[n] = m.l3_off;
      t_->l4_off[n] = m.l4_off;
      t_->payload_off[n] = m.payload_off;
      t_->sport[n] = m.sport;
      t_->dport[n] = m.dport;
      t_->vlan[n] = m.vlan_id;
      t_->flags[n] = m.flags;
      t_->ip_len[n] = m.ip_len;
      t_->ip_version[n] = m.ip_version;
      t_->proto[n] = m.proto;
      t_->tcp_flags[n] = m.tcp_flags;
      n++;
    }
    // Flow-table hook: every packet read, in order, delivered ones with their row.
    if (visitor_) visitor_->visit_batch(raw_.data(), rows_.data(), metas_.data(), raw_.size());
    counters_.delivered += n;
    if (n > 0) {
      r.status = FetchStatus::kPackets;
      r.count = n;
      r.base = lo;
      r.span = size_t(hi - lo);
      r.bytes = bytes;
      t_->set_header(n, bytes);
      return r;
    }
    backend.release();  // nothing of this fetch reaches JS
    if (r.status != FetchStatus::kPackets) break;
  }
  if (r.status == FetchStatus::kPackets) r.status = FetchStatus::kNone;
  t_->set_header(0, 0);
  return r;
}

}  // namespace pfw
