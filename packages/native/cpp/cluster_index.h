// The cluster index of a capture file: one reader assigns every record of the
// file to its cluster slot, once, and the N workers of the cluster read only
// their own records, at the offsets the index gives them.
//
// Why: without it, every file worker reads, locates and hashes every record of
// the file and keeps 1/N of them (batch.cc, the software cluster), so N workers
// share only the per-packet work after the hash and their throughput cannot
// grow much past the cost of one walk over the file (docs/bench.md, "What
// bounds the targets"). With the index the walk and the hash are done once,
// by a thread of the supervisor (ClusterIndexWriter), while the workers
// process: the role the kernel's fanout or PF_RING's cluster plays for a live
// interface.
//
// What a worker gets is exactly what it kept before, in the same order, with
// the same hash and flow records (packages/native/test/cluster-index.test.ts,
// test/workers-cluster-index.test.ts):
// - the records of its slot (slot = fragment-coherent hash % count, as
//   batch.cc computes it), by file offset;
// - every IP fragment, whatever its slot: the worker's fragment cache must see
//   all of them to resolve later fragments as the writer did; the worker drops
//   those of other slots as before (they only move its flow table's clock);
// - clock entries: a worker's flow table keeps time by the newest timestamp it
//   has seen, and records of other slots moved it. Flows end in the order of
//   their deadlines (flow_table.cc, expire), so reaching a time in one step
//   ends the same flows in the same order as reaching it record by record;
//   the writer therefore only adds a clock entry where the next record is
//   older than the file's clock so far (timestamps going backwards) and once
//   at the end of the index (the file's last time).
// Where the index ends (the end of the mapped walk: end of file, damage, a
// record libpcap must judge), the worker reads on by itself through libpcap
// from that offset, with the software cluster, as before: damage is reported
// the same way, at the same packet, and a file that grew is read on.
//
// Only hashed cluster types over classic pcap files that the mapped walk
// takes (pcap_map.h) are indexed; round-robin, pcapng and PPI files are read
// the old way (the supervisor falls back when the writer refuses a file).
//
// Shared memory: an anonymous file (memfd) the supervisor creates and its
// workers inherit: a header page, then one append-only stream of 64-bit words
// per slot. Streams only grow (a restarted worker reads its stream again from
// the start), sparse: about 8 bytes per packet in memory until the run ends.
#pragma once
#include <pcap/pcap.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fast_mod.h"
#include "pcap_map.h"

namespace pfw {

constexpr uint64_t kIndexMagic = 0x3158444943574650ull;  // "PFWCIDX1"
constexpr uint32_t kIndexVersion = 1;
constexpr uint32_t kIndexMaxSlots = 1024;
// A stream word is a record's file offset, or a clock entry: this bit and the
// time (ns) in the rest.
constexpr uint64_t kIndexClock = 1ull << 63;

struct ClusterIndexHeader {
  uint64_t magic;
  uint32_t version;
  uint32_t slots;
  int32_t cluster_type;
  uint32_t snaplen;
  uint64_t dev, ino;           // the file indexed (a worker checks it opened the same one)
  uint64_t header_bytes;       // stream s starts at header_bytes + s * stream_bytes
  uint64_t stream_bytes;
  std::atomic<uint32_t> done;  // 1: the streams are complete and the handover fields valid
  uint32_t pad;
  uint64_t handover_offset;    // where workers read on through libpcap
  uint64_t handover_record;    // records of the file before that offset
  std::atomic<uint64_t> records;  // records indexed so far (progress)
  // A worker that has read everything published sleeps on published_seq (a
  // futex shared between the processes); the writer bumps it at every
  // publication and wakes the sleepers.
  std::atomic<uint32_t> published_seq;
  std::atomic<uint32_t> readers_waiting;
  std::atomic<uint64_t> published[kIndexMaxSlots];  // words of each stream a worker may read
};
static_assert(std::atomic<uint64_t>::is_always_lock_free, "index words are shared between processes");

struct ClusterIndexStatus {
  bool done;
  uint64_t records;
  uint64_t handover_offset;
  uint64_t bytes;  // stream memory written so far
};

// The supervisor's side: opens the file, maps it, and indexes it on its own
// thread from start(). Throws pfw::Error PFW_NOT_SUPPORTED (with the reason)
// when the file cannot be indexed: the caller then lets each worker read the
// whole file (the errors of a missing or damaged file are theirs to report).
class ClusterIndexWriter {
 public:
  // `max_bytes`: the most memory the streams may take; past it the index
  // ends (the workers read the rest of the file themselves).
  ClusterIndexWriter(const std::string& path, int cluster_type, uint32_t count, uint32_t snaplen, uint64_t max_bytes);
  ~ClusterIndexWriter();
  ClusterIndexWriter(const ClusterIndexWriter&) = delete;
  ClusterIndexWriter& operator=(const ClusterIndexWriter&) = delete;

  int fd() const { return fd_; }
  void start();
  ClusterIndexStatus status() const;
  // Stops the thread (the index then ends where it got to: workers read the
  // rest themselves), unmaps, closes this process's descriptor. Idempotent.
  void close();

 private:
  void run();
  uint32_t slots() const { return slot_mod_.divisor(); }
  // Where each stream's next word goes, and the newest time its reader will
  // have seen (put() compares it with the file's).
  struct StreamTail {
    uint64_t* next;
    uint64_t clock;
  };
  uint64_t* stream(uint32_t slot) const;
  void put_clock(StreamTail& t);
  void put(uint32_t slot, uint64_t word, uint64_t ts);
  void publish();

  std::string path_;
  int type_;
  // The slot count and hash % count, as BatchBuilder's (a worker reading on
  // without the index keeps the same slots).
  FastMod slot_mod_;
  uint32_t snaplen_;
  uint64_t max_bytes_;
  uint64_t words_ = 0;  // written to all streams
  int link_type_ = 0;
  pcap_t* pcap_ = nullptr;
  std::unique_ptr<PcapMap> map_;
  int fd_ = -1;
  uint8_t* mem_ = nullptr;
  size_t mem_bytes_ = 0;
  ClusterIndexHeader* hdr_ = nullptr;
  std::vector<StreamTail> tails_;  // one per stream
  uint64_t file_clock_ = 0;        // the newest time of the file so far
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

// A worker's side: its stream, read in order.
class ClusterIndexReader {
 public:
  // Maps the index behind `fd` and checks it was built for this file, type,
  // slot count and snaplen; throws pfw::Error PFW_CLUSTER_MISMATCH otherwise.
  ClusterIndexReader(int fd, const std::string& path, int file_fd, int cluster_type, uint32_t slot, uint32_t count,
                     uint32_t snaplen);
  ~ClusterIndexReader();
  ClusterIndexReader(const ClusterIndexReader&) = delete;
  ClusterIndexReader& operator=(const ClusterIndexReader&) = delete;

  // The words published and not yet read: [*words, *words + n).
  size_t available(const uint64_t** words) const;
  void consume(size_t n) { pos_ += n; }
  // Waits up to `timeout_ns` for the writer to publish more (or finish).
  void wait(uint64_t timeout_ns) const;
  // True when the stream is complete and fully read: the worker reads on
  // from handover_offset() through libpcap.
  bool finished() const;
  uint64_t handover_offset() const { return hdr_->handover_offset; }
  uint64_t handover_record() const { return hdr_->handover_record; }

 private:
  uint8_t* mem_ = nullptr;
  size_t mem_bytes_ = 0;
  ClusterIndexHeader* hdr_ = nullptr;
  const uint64_t* stream_ = nullptr;
  uint32_t slot_;
  uint64_t pos_ = 0;
};

}  // namespace pfw
