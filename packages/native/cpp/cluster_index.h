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
// workers inherit: a header page, then one ring of 64-bit words per slot,
// taken and faulted in when the index is created (before the workers start),
// then reused lap after lap: the walk writes no fresh page, where an
// append-only stream faulted in a zeroed page per 512 records (a quarter of
// the writer's CPU, docs/bench.md) and held 8 bytes per packet until the run
// ended. A ring whose reader is a lap behind stops the writer until that
// reader consumes (back-pressure, as a capture thread's bounded queues in
// Suricata's autofp mode): all slots must be read at once, as the workers do.
// A slot is read by one ring; a ring closed or dead after it began leaves the
// slot to the whole-file path (release()).
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
constexpr uint32_t kIndexVersion = 2;
constexpr uint32_t kIndexMaxSlots = 1024;
// A ring word is a record's file offset, or a clock entry: this bit and the
// time (ns) in the rest.
constexpr uint64_t kIndexClock = 1ull << 63;
// The writer thread's name (at most 15 characters: the kernel's limit).
constexpr const char* kIndexThreadName = "pfw-index";
// Ring sizes (bytes per slot): powers of two in this range.
constexpr uint64_t kIndexMinSlotBytes = 4096;
constexpr uint64_t kIndexMaxSlotBytes = 1ull << 30;
// consumed[s] of a slot no ring will read through the index any more: the
// writer no longer waits for it.
constexpr uint64_t kIndexDetached = ~0ull;

struct ClusterIndexHeader {
  uint64_t magic;
  uint32_t version;
  uint32_t slots;
  int32_t cluster_type;
  uint32_t snaplen;
  uint64_t dev, ino;           // the file indexed (a worker checks it opened the same one)
  uint64_t header_bytes;       // ring s starts at header_bytes + s * ring_bytes
  uint64_t ring_bytes;
  uint64_t ring_words;         // slotBytes / 8, a power of two (ring_bytes: that, at least a page)
  std::atomic<uint32_t> done;  // 1: the index is complete and the handover fields valid
  uint32_t pad;
  uint64_t handover_offset;    // where workers read on through libpcap
  uint64_t handover_record;    // records of the file before that offset
  std::atomic<uint64_t> records;  // records indexed so far (progress)
  // A worker that has read everything published sleeps on published_seq (a
  // futex shared between the processes); the writer bumps it at every
  // publication and wakes the sleepers.
  std::atomic<uint32_t> published_seq;
  std::atomic<uint32_t> readers_waiting;
  // A writer with no room in ring `waiting_for` sleeps on consumed_seq until
  // that ring's reader has consumed up to wake_at (half the ring free: one
  // wake-up per half lap, not one per batch); the reader that gets there
  // bumps consumed_seq and wakes it.
  std::atomic<uint32_t> consumed_seq;
  std::atomic<uint32_t> writer_waiting;
  std::atomic<int32_t> waiting_for;  // -1 when the writer does not wait
  uint32_t pad2;
  std::atomic<uint64_t> wake_at;
  // Word counts since the start (a word's place in ring s is count % ring_words).
  std::atomic<uint64_t> published[kIndexMaxSlots];  // words of each ring a worker may read
  std::atomic<uint64_t> consumed[kIndexMaxSlots];   // words its reader is done with, or kIndexDetached
  std::atomic<uint32_t> claimed[kIndexMaxSlots];    // 1: a ring reads this slot
};
static_assert(std::atomic<uint64_t>::is_always_lock_free, "index words are shared between processes");

struct ClusterIndexStatus {
  bool done;
  uint64_t records;
  uint64_t handover_offset;
  uint64_t bytes;       // the rings' memory
  int32_t waiting_for = -1;  // the slot whose full ring holds the writer back, -1 if none
  // What the writer's thread has cost so far (up to its last block): whether
  // the index keeps up with the workers or waits for them.
  uint64_t elapsed_ns = 0;  // since start(), until done
  uint64_t cpu_ns = 0;      // the thread's CPU time
  uint64_t waited_ns = 0;   // time it waited for a full ring's reader (back-pressure)
};

// The supervisor's side: opens the file, maps it, and indexes it on its own
// thread from start(). Throws pfw::Error PFW_NOT_SUPPORTED (with the reason)
// when the file cannot be indexed: the caller then lets each worker read the
// whole file (the errors of a missing or damaged file are theirs to report).
class ClusterIndexWriter {
 public:
  // `slot_bytes`: each slot's ring, a power of two from kIndexMinSlotBytes
  // to kIndexMaxSlotBytes, taken now.
  ClusterIndexWriter(const std::string& path, int cluster_type, uint32_t count, uint32_t snaplen, uint64_t slot_bytes);
  ~ClusterIndexWriter();
  ClusterIndexWriter(const ClusterIndexWriter&) = delete;
  ClusterIndexWriter& operator=(const ClusterIndexWriter&) = delete;

  int fd() const { return fd_; }
  void start();
  ClusterIndexStatus status() const;
  // After the ring of `slot` closed or its process died: true if it had
  // consumed nothing (another ring may read the slot through the index, from
  // its first record); false otherwise: the writer no longer waits for the
  // slot, and whoever reads it must read the whole file (clusterSlot without
  // the index), since its first records are gone from the ring.
  bool release(uint32_t slot);
  // No ring will read `slot` through the index (any more): the writer no
  // longer waits for it.
  void detach(uint32_t slot);
  // Stops the thread (the index then ends where it got to: workers read the
  // rest themselves), unmaps, closes this process's descriptor. Idempotent.
  void close();

 private:
  void run();
  uint32_t slots() const { return slot_mod_.divisor(); }
  // Words written to each ring so far, and the newest time its reader will
  // have seen (put() compares it with the file's).
  struct StreamTail {
    uint64_t* ring;
    uint64_t written;
    uint64_t clock;
  };
  uint64_t* ring(uint32_t slot) const;
  void put_clock(StreamTail& t);
  void put(uint32_t slot, uint64_t word, uint64_t ts);
  void publish();
  // Ring `slot` has room for `words` more words (or nobody reads it any more).
  bool has_room(uint32_t slot, uint64_t words) const;
  bool wait_for_room(uint64_t words);

  std::string path_;
  int type_;
  // The slot count and hash % count, as BatchBuilder's (a worker reading on
  // without the index keeps the same slots).
  FastMod slot_mod_;
  uint32_t snaplen_;
  uint64_t ring_mask_ = 0;  // ring_words - 1
  int link_type_ = 0;
  pcap_t* pcap_ = nullptr;
  std::unique_ptr<PcapMap> map_;
  int fd_ = -1;
  uint8_t* mem_ = nullptr;
  size_t mem_bytes_ = 0;
  ClusterIndexHeader* hdr_ = nullptr;
  std::vector<StreamTail> tails_;  // one per ring
  uint64_t file_clock_ = 0;        // the newest time of the file so far
  std::thread thread_;
  std::atomic<bool> stop_{false};
  // status()'s cost figures: the thread stores them once per block.
  uint64_t started_ns_ = 0;  // CLOCK_MONOTONIC at start()
  std::atomic<uint64_t> ended_ns_{0};
  std::atomic<uint64_t> cpu_ns_{0};
  std::atomic<uint64_t> waited_ns_{0};
};

// A worker's side: its slot's ring, read in order.
class ClusterIndexReader {
 public:
  // Maps the index behind `fd`, checks it was built for this file, type,
  // slot count and snaplen and that no other ring reads this slot (or read
  // from it: its first records are gone); throws pfw::Error
  // PFW_CLUSTER_MISMATCH otherwise.
  ClusterIndexReader(int fd, const std::string& path, int file_fd, int cluster_type, uint32_t slot, uint32_t count,
                     uint32_t snaplen);
  ~ClusterIndexReader();
  ClusterIndexReader(const ClusterIndexReader&) = delete;
  ClusterIndexReader& operator=(const ClusterIndexReader&) = delete;

  // Words published and not yet read, up to the end of the ring: [*words, *words + n).
  size_t available(const uint64_t** words) const;
  // Hands the next `n` words back to the writer (a packet's bytes are in the
  // file's mapping, not in the ring: nothing read from them is still needed).
  void consume(size_t n);
  // Waits up to `timeout_ns` for the writer to publish more (or finish).
  void wait(uint64_t timeout_ns) const;
  // True when the index is complete and this slot fully read: the worker reads on
  // from handover_offset() through libpcap.
  bool finished() const;
  uint64_t handover_offset() const { return hdr_->handover_offset; }
  uint64_t handover_record() const { return hdr_->handover_record; }

 private:
  uint8_t* mem_ = nullptr;
  size_t mem_bytes_ = 0;
  ClusterIndexHeader* hdr_ = nullptr;
  const uint64_t* ring_ = nullptr;
  uint64_t ring_mask_ = 0;
  uint32_t slot_;
  uint64_t pos_ = 0;
};

}  // namespace pfw
