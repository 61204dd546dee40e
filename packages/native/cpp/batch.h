// The batch: one fetch from the backend turned into rows of the descriptor
// table (DESIGN section 2), with everything a Ring does per packet in one
// place. Per packet, in this order (the order of a live kernel path: fanout
// before the socket filter, sampling last):
//   1. locate (L2-L4, with the VLAN tag from packet metadata),
//   2. the cluster hash (the ring's cluster type; per-flow-5-tuple if none or
//      round-robin), fragments following their datagram (frag_cache.h),
//   3. the software cluster slot (files: keep queue == index of count),
//   4. the direction (files with a recorded direction),
//   5. the software BPF filter (files, or a backend that could not attach it),
//   6. sampling (keep 1 of every n, unless the backend samples itself),
//   7. the row is filled; once the whole fetch is, the visitor (flow table
//      hook) sees its packets in order.
// No Node types here: the table is plain memory the Ring exposes to JS.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backend.h"
#include "bpf_compile.h"
#include "fast_mod.h"
#include "frag_cache.h"
#include "packet_meta.h"

namespace pfw {

// Struct-of-arrays columns over one allocation, made once per ring. A 16-byte
// header comes first: f64 count, f64 bytes (sum of wire lengths).
class DescriptorTable {
 public:
  explicit DescriptorTable(uint32_t capacity);
  ~DescriptorTable();
  DescriptorTable(const DescriptorTable&) = delete;
  DescriptorTable& operator=(const DescriptorTable&) = delete;

  uint32_t capacity() const { return capacity_; }
  uint8_t* memory() const { return mem_; }
  size_t size() const { return size_; }
  // (JS name, byte offset) of every column, for the TS side's typed arrays.
  const std::vector<std::pair<std::string, size_t>>& layout() const { return layout_; }
  // The memory now belongs to whoever frees it (the external ArrayBuffer's
  // finalizer); the table keeps using it until detach().
  uint8_t* release_ownership() { owned_ = false; return mem_; }
  static void free_memory(uint8_t* mem);

  void set_header(uint32_t count, double bytes) {
    header_[0] = count;
    header_[1] = bytes;
  }

  double* header_;
  double* ts_sec;
  uint32_t *data_off, *ts_nsec, *caplen, *len, *src4, *dst4, *hash, *ifindex;
  uint16_t *l3_off, *l4_off, *payload_off, *sport, *dport, *vlan, *flags, *ip_len;
  uint8_t *ip_version, *proto, *direction, *tcp_flags;

 private:
  template <typename T> T* column(const char* name, size_t* off);
  uint32_t capacity_;
  uint8_t* mem_ = nullptr;
  size_t size_ = 0;
  bool owned_ = true;
  std::vector<std::pair<std::string, size_t>> layout_;
};

// The flow-table hook: sees one fetch's packets once their rows are filled,
// all at once, so the table can look ahead (prefetch the flows of the next
// packets while it counts this one). Called on the JS thread during
// readBatch; must not call into JS.
class PacketVisitor {
 public:
  // Packet i of the fetch is pkts[i]; rows[i] is its row in the table, or
  // kNoRow when it was read but not delivered (another slot's, filtered,
  // sampled out): the flow table's clock still sees it, so the rings of a
  // software cluster end flows the same way as one ring would. metas[row] is
  // what locate found for a delivered packet.
  virtual ~PacketVisitor() = default;
  virtual void visit_batch(const RawPacket* pkts, const uint32_t* rows, const PacketMeta* metas, size_t count) = 0;
};

constexpr uint32_t kNoRow = 0xFFFFFFFFu;

// Running totals of the software path.
struct BatchCounters {
  uint64_t seen = 0;       // every packet the backend delivered (the packet number in a file)
  uint64_t accepted = 0;   // passed slot, direction and BPF: what a kernel ring would have taken
  uint64_t delivered = 0;  // rows handed to the application (after sampling)
};

struct BatchResult {
  FetchStatus status;      // kPackets iff count > 0
  uint32_t count = 0;
  const uint8_t* base = nullptr;  // the rows' bytes: [base, base + span)
  size_t span = 0;
  double bytes = 0;
};

class BatchBuilder {
 public:
  BatchBuilder(DescriptorTable* table, int link_type);

  // The cluster type the hash column uses (-1: none, hash per-flow-5-tuple).
  void set_hash_type(int type);
  // Software cluster slot (files): keep the packets whose queue is `index` of
  // `count`; count 1 keeps everything.
  void set_slot(int type, uint32_t index, uint32_t count);
  // -1: no direction filter; else keep only kPacketRx (0) or kPacketTx (1).
  void set_direction_filter(int keep);
  void set_software_filter(std::unique_ptr<BpfProgram> prog) { bpf_ = std::move(prog); }
  void set_sampling(uint32_t rate) { rate_ = rate ? rate : 1; sample_at_ = 0; }
  void set_visitor(PacketVisitor* v) { visitor_ = v; }
  // false: no descriptor rows (count, bytes and the span only), and no
  // cluster hash unless a file's cluster slot needs it (Ring option `rows`).
  void set_rows(bool on) { descriptor_rows_ = on; }

  const BatchCounters& counters() const { return counters_; }

  // Fetches from `backend` until at least one row is filled, the input ends,
  // the backend has nothing now, or a bounded number of fetches were all
  // filtered out (then kNone, so a long filtered stretch of a file never
  // holds the event loop: the caller simply asks again).
  BatchResult build(Backend& backend, uint32_t max);

 private:
  // Inlined into build(), its one caller: once per packet.
  [[gnu::always_inline]] inline bool keep(const RawPacket& p, PacketMeta* m, uint32_t* hash);

  DescriptorTable* t_;
  int link_type_;
  int hash_type_;          // the type the column uses
  int slot_type_ = -1;
  uint32_t slot_index_ = 0;
  FastMod slot_mod_;         // the slot count (divisor()) and hash % count
  int dir_keep_ = -1;
  bool descriptor_rows_ = true;
  std::unique_ptr<BpfProgram> bpf_;
  uint32_t rate_ = 1;
  uint64_t sample_at_ = 0;
  PacketVisitor* visitor_ = nullptr;
  BatchCounters counters_;
  FragCache frags_;
  std::vector<RawPacket> raw_;
  std::vector<uint32_t> rows_;      // for the visitor: each fetched packet's row, or kNoRow
  std::vector<PacketMeta> metas_;   // for the visitor: locate()'s result per row
};

}  // namespace pfw
