// The cluster index of a capture file; see cluster_index.h.
#include "cluster_index.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>

#include "cluster_hash.h"
#include "cluster_hash_shortcut.h"
#include "errors.h"
#include "frag_cache.h"
#include "locate.h"
#include "packet_meta.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older kernels answer EINVAL and the pages are touched one by one
#endif

namespace pfw {
namespace {

// Records indexed between two publications: the workers see the index grow
// in steps this size (a worker's batch is up to 4096 packets of its own), or
// a quarter of a small ring.
constexpr uint64_t kPublishEvery = 4096;
// How long the writer sleeps at most before looking at a full ring again
// (a reader that consumes wakes it at once; this only bounds a lost wake-up).
constexpr uint64_t kWriterWaitNs = 10000000;

uint64_t clock_ns(clockid_t clock) {
  timespec t;
  clock_gettime(clock, &t);
  return uint64_t(t.tv_sec) * 1000000000ull + uint64_t(t.tv_nsec);
}

// Shared (not FUTEX_PRIVATE): the word lives in memory mapped by several processes.
void futex_wait(const std::atomic<uint32_t>* word, uint32_t seen, uint64_t timeout_ns) {
  timespec t{time_t(timeout_ns / 1000000000ull), long(timeout_ns % 1000000000ull)};
  syscall(SYS_futex, reinterpret_cast<const uint32_t*>(word), FUTEX_WAIT, seen, &t, nullptr, 0);
}

void futex_wake(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

// A reader consumed (or left): a writer waiting for room looks again.
void wake_writer(ClusterIndexHeader* h) {
  h->consumed_seq.fetch_add(1);
  futex_wake(&h->consumed_seq);
}

// No ring reads `slot` through the index any more: the writer stops waiting
// for it, and no ring may claim it.
void detach_slot(ClusterIndexHeader* h, uint32_t slot) {
  h->claimed[slot].store(1);
  h->consumed[slot].store(kIndexDetached);
  wake_writer(h);
}

// Its reader is gone (closed, or its process died): a slot it read nothing
// of may be claimed again (true); one it read from is detached (false).
bool release_slot(ClusterIndexHeader* h, uint32_t slot) {
  if (h->consumed[slot].load() == 0) {
    h->claimed[slot].store(0);
    return true;
  }
  detach_slot(h, slot);
  return false;
}

uint64_t page_size() { return uint64_t(sysconf(_SC_PAGESIZE)); }
uint64_t round_up(uint64_t n, uint64_t to) { return (n + to - 1) / to * to; }
uint64_t header_bytes() { return round_up(sizeof(ClusterIndexHeader), page_size()); }

Error not_indexable(const std::string& path, const std::string& why) {
  return Error("PFW_NOT_SUPPORTED", "capture file " + quoted_path(path) + " cannot be indexed for a cluster: " + why);
}

}  // namespace

// ---- the writer (supervisor) ----

ClusterIndexWriter::ClusterIndexWriter(const std::string& path, int cluster_type, uint32_t count, uint32_t snaplen,
                                       uint64_t slot_bytes)
    : path_(path), type_(cluster_type), slot_mod_(count), snaplen_(snaplen) {
  if (!cluster_type_hashed(cluster_type)) throw not_indexable(path, "round-robin clusters need no index");
  if (count < 2 || count > kIndexMaxSlots) {
    throw not_indexable(path, "a cluster of " + std::to_string(count) + " slots (2 to " +
                                  std::to_string(kIndexMaxSlots) + " are indexed)");
  }
  if (slot_bytes < kIndexMinSlotBytes || slot_bytes > kIndexMaxSlotBytes || (slot_bytes & (slot_bytes - 1)) != 0) {
    throw Error("PFW_INVALID_ARGUMENT", "cluster index: slot ring of " + std::to_string(slot_bytes) +
                                            " bytes (a power of two from " + std::to_string(kIndexMinSlotBytes) + " to " +
                                            std::to_string(kIndexMaxSlotBytes) + ")");
  }
  // The workers would not map the file either: they read it whole, as with libpcap alone.
  if (pcap_map_disabled()) throw not_indexable(path, "PFWORK_PCAP_NO_MAP is set (files are read through libpcap alone)");
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_ = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!pcap_) throw not_indexable(path, errbuf);
  try {
    link_type_ = pcap_datalink(pcap_);
    if (link_type_ == kDltPpi || !link_type_supported(link_type_)) {
      throw not_indexable(path, "its link type (" + std::to_string(link_type_) + ") is read by each worker");
    }
    int file_fd = fileno(pcap_file(pcap_));
    struct stat st;
    if (fstat(file_fd, &st) != 0) throw sys_error("PFW_NOT_SUPPORTED", "cannot index " + quoted_path(path), "fstat", errno);
    map_ = std::make_unique<PcapMap>(file_fd, uint32_t(pcap_snapshot(pcap_)));
    if (!map_->active()) throw not_indexable(path, "not a classic pcap file that can be mapped (pcapng and others are read by each worker)");

    const uint64_t head = header_bytes();
    const uint64_t ring_bytes = std::max(slot_bytes, page_size());  // each ring its own pages
    mem_bytes_ = size_t(head + uint64_t(count) * ring_bytes);
    fd_ = memfd_create("pfwork-cluster-index", MFD_CLOEXEC);
    if (fd_ < 0) throw sys_error("PFW_NOT_SUPPORTED", "cannot create the cluster index of " + quoted_path(path), "memfd_create", errno);
    if (ftruncate(fd_, off_t(mem_bytes_)) != 0) {
      throw sys_error("PFW_NOT_SUPPORTED", "cannot size the cluster index of " + quoted_path(path), "ftruncate", errno);
    }
    void* p = mmap(nullptr, mem_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) throw sys_error("PFW_NOT_SUPPORTED", "cannot map the cluster index of " + quoted_path(path), "mmap", errno);
    mem_ = static_cast<uint8_t*>(p);
    // Every page now, before the workers start, not one fault per 512
    // records while they read (a kernel without MADV_POPULATE_WRITE, 5.14:
    // one write per page).
    if (madvise(mem_, mem_bytes_, MADV_POPULATE_WRITE) != 0) {
      if (errno != EINVAL) {
        throw sys_error("PFW_NOT_SUPPORTED", "cannot take the memory of the cluster index of " + quoted_path(path),
                        "madvise(MADV_POPULATE_WRITE)", errno);
      }
      for (size_t off = 0; off < mem_bytes_; off += page_size()) mem_[off] = 0;
    }
    hdr_ = new (mem_) ClusterIndexHeader();
    hdr_->magic = kIndexMagic;
    hdr_->version = kIndexVersion;
    hdr_->slots = count;
    hdr_->cluster_type = cluster_type;
    hdr_->snaplen = snaplen;
    hdr_->dev = uint64_t(st.st_dev);
    hdr_->ino = uint64_t(st.st_ino);
    hdr_->header_bytes = head;
    hdr_->ring_bytes = ring_bytes;
    hdr_->ring_words = slot_bytes / sizeof(uint64_t);
    hdr_->waiting_for = -1;
    ring_mask_ = hdr_->ring_words - 1;
    tails_.resize(count);
    for (uint32_t i = 0; i < count; i++) tails_[i] = {ring(i), 0, 0};
  } catch (...) {
    close();
    throw;
  }
}

ClusterIndexWriter::~ClusterIndexWriter() { close(); }

void ClusterIndexWriter::start() {
  if (thread_.joinable() || !hdr_) return;
  started_ns_ = clock_ns(CLOCK_MONOTONIC);
  thread_ = std::thread([this] { run(); });
  // Named so that `top -H` and `ps -L` tell it from Node's threads: with many
  // workers this one thread walks the whole file for all of them, and a
  // supervisor thread at 100% there is the index keeping up, or not.
  pthread_setname_np(thread_.native_handle(), kIndexThreadName);
}

void ClusterIndexWriter::close() {
  stop_.store(true);
  if (hdr_) wake_writer(hdr_);
  if (thread_.joinable()) thread_.join();
  map_.reset();
  if (mem_) munmap(mem_, mem_bytes_);
  mem_ = nullptr;
  hdr_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (pcap_) pcap_close(pcap_);
  pcap_ = nullptr;
}

ClusterIndexStatus ClusterIndexWriter::status() const {
  ClusterIndexStatus s{};
  if (!hdr_) return s;
  s.done = hdr_->done.load(std::memory_order_acquire) != 0;
  s.records = hdr_->records.load(std::memory_order_relaxed);
  s.handover_offset = s.done ? hdr_->handover_offset : 0;
  s.bytes = mem_bytes_;
  s.waiting_for = hdr_->waiting_for.load(std::memory_order_relaxed);
  if (started_ns_) {
    const uint64_t ended = ended_ns_.load();
    s.elapsed_ns = (ended ? ended : clock_ns(CLOCK_MONOTONIC)) - started_ns_;
  }
  s.cpu_ns = cpu_ns_.load(std::memory_order_relaxed);
  s.waited_ns = waited_ns_.load(std::memory_order_relaxed);
  return s;
}

bool ClusterIndexWriter::release(uint32_t slot) { return hdr_ && slot < slots() && release_slot(hdr_, slot); }

void ClusterIndexWriter::detach(uint32_t slot) {
  if (hdr_ && slot < slots()) detach_slot(hdr_, slot);
}

uint64_t* ClusterIndexWriter::ring(uint32_t slot) const {
  return reinterpret_cast<uint64_t*>(mem_ + hdr_->header_bytes + slot * hdr_->ring_bytes);
}

// A clock word: ring `slot`'s reader moves its flow table's clock to the
// file's time so far (see cluster_index.h).
void ClusterIndexWriter::put_clock(StreamTail& t) {
  t.ring[t.written++ & ring_mask_] = kIndexClock | file_clock_;
  t.clock = file_clock_;
}

// Appends a record (or a fragment's copy) to ring `slot`, after a clock
// word when the reader's flow table would otherwise not have reached the
// file's time before this record.
inline void ClusterIndexWriter::put(uint32_t slot, uint64_t word, uint64_t ts) {
  StreamTail& t = tails_[slot];
  if (t.clock < file_clock_ && ts < file_clock_) put_clock(t);
  t.ring[t.written++ & ring_mask_] = word;
  if (ts > t.clock) t.clock = ts;
}

void ClusterIndexWriter::publish() {
  for (uint32_t i = 0; i < slots(); i++) {
    hdr_->published[i].store(tails_[i].written, std::memory_order_release);
  }
  hdr_->published_seq.fetch_add(1);
  if (hdr_->readers_waiting.load() != 0) futex_wake(&hdr_->published_seq);
}

// Waits until every ring being read has room for `words` more words; false
// when close() stops the writer meanwhile. A ring without room is waited for
// until half of it is free, so the writer sleeps once per half lap.
bool ClusterIndexWriter::has_room(uint32_t slot, uint64_t words) const {
  const uint64_t done = hdr_->consumed[slot].load();
  return done == kIndexDetached || tails_[slot].written - done + words <= hdr_->ring_words;
}

bool ClusterIndexWriter::wait_for_room(uint64_t words) {
  const uint64_t cap = hdr_->ring_words;
  for (uint32_t s = 0; s < slots(); s++) {
    if (has_room(s, words)) continue;
    // consumed[s] must reach this: tails_[s].written + max(words, cap / 2) - cap
    const uint64_t want = tails_[s].written - cap + std::max(words, cap / 2);
    hdr_->wake_at.store(want);
    hdr_->waiting_for.store(int32_t(s));
    const uint64_t since = clock_ns(CLOCK_MONOTONIC);
    for (;;) {
      const uint32_t seq = hdr_->consumed_seq.load();
      // Say so, then look: a reader that got there before it could see the
      // flag is seen here; one that gets there after it wakes the futex.
      hdr_->writer_waiting.store(1);
      const uint64_t now = hdr_->consumed[s].load();
      if (now == kIndexDetached || now >= want || stop_.load()) break;
      futex_wait(&hdr_->consumed_seq, seq, kWriterWaitNs);
    }
    hdr_->writer_waiting.store(0);
    hdr_->waiting_for.store(-1);
    waited_ns_.fetch_add(clock_ns(CLOCK_MONOTONIC) - since, std::memory_order_relaxed);
    if (stop_.load()) return false;
  }
  return true;
}

void ClusterIndexWriter::run() {
  FragCache frags;  // as batch.cc's: every fragment, in file order
  PacketMeta m;
  MappedRecord r;
  uint64_t records = 0;
  bool end = false;
  const bool ethernet = link_type_ == kLinkEthernet;
  // A record puts at most 2 words in a ring (a clock word and itself; a
  // fragment puts them in every ring), and the end one clock word more.
  const uint64_t block = std::min(kPublishEvery, hdr_->ring_words / 4);
  while (!end && !stop_.load(std::memory_order_relaxed)) {
    if (!wait_for_room(2 * block + 1)) break;
    map_->advance_window();
    for (uint64_t i = 0; i < block; i++) {
      if (!map_->next(&r)) {
        end = true;
        break;
      }
      const uint32_t caplen = r.caplen > snaplen_ ? snaplen_ : r.caplen;
      uint32_t h;
      bool fragment = false;
      // Most frames: the hash straight from the bytes; the rest (fragments
      // among them) through locate and the fragment cache, as a worker would.
      if (!ethernet || !ethernet_cluster_hash(r.data, caplen, type_, &h)) {
        locate(r.data, caplen, link_type_, -1, &m);
        h = frags.resolve(m, cluster_hash(m, type_), r.ts_ns);
        fragment = m.flags & kMetaFragment;
      }
      if (fragment) {
        for (uint32_t s = 0; s < slots(); s++) put(s, r.offset, r.ts_ns);
      } else {
        put(slot_mod_.of(h), r.offset, r.ts_ns);
      }
      if (r.ts_ns > file_clock_) file_clock_ = r.ts_ns;
      records++;
    }
    publish();
    hdr_->records.store(records, std::memory_order_relaxed);
    cpu_ns_.store(clock_ns(CLOCK_THREAD_CPUTIME_ID), std::memory_order_relaxed);
  }
  // The end of the index: every reader's clock reaches the file's, then reads
  // on by itself from here (the last wait_for_room() left room for this
  // word, unless close() stopped the writer while it waited: then only where
  // there is room).
  for (uint32_t s = 0; s < slots(); s++) {
    if (tails_[s].clock < file_clock_ && has_room(s, 1)) put_clock(tails_[s]);
  }
  publish();
  hdr_->handover_offset = map_->offset();
  hdr_->handover_record = records;
  hdr_->done.store(1, std::memory_order_release);
  hdr_->published_seq.fetch_add(1);
  futex_wake(&hdr_->published_seq);
  map_->unmap();
  cpu_ns_.store(clock_ns(CLOCK_THREAD_CPUTIME_ID), std::memory_order_relaxed);
  ended_ns_.store(clock_ns(CLOCK_MONOTONIC));
}

// ---- the reader (a worker) ----

ClusterIndexReader::ClusterIndexReader(int fd, const std::string& path, int file_fd, int cluster_type, uint32_t slot,
                                       uint32_t count, uint32_t snaplen)
    : slot_(slot) {
  auto mismatch = [&](const std::string& why) {
    return Error("PFW_CLUSTER_MISMATCH", "cluster index (descriptor " + std::to_string(fd) + ") for capture file " +
                                             quoted_path(path) + ": " + why);
  };
  struct stat st;
  if (fstat(fd, &st) != 0) throw sys_error("PFW_CLUSTER_MISMATCH", "cluster index descriptor " + std::to_string(fd), "fstat", errno);
  const uint64_t head = header_bytes();
  if (uint64_t(st.st_size) < head) throw mismatch("not a pfwork cluster index (too small)");
  // Writable: a waiting reader counts itself in (readers_waiting).
  void* p = mmap(nullptr, size_t(head), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) throw sys_error("PFW_CLUSTER_MISMATCH", "cannot map cluster index descriptor " + std::to_string(fd), "mmap", errno);
  mem_ = static_cast<uint8_t*>(p);
  mem_bytes_ = size_t(head);
  hdr_ = reinterpret_cast<ClusterIndexHeader*>(mem_);
  try {
    if (hdr_->magic != kIndexMagic || hdr_->version != kIndexVersion) throw mismatch("not a pfwork cluster index");
    struct stat fst;
    if (fstat(file_fd, &fst) != 0 || uint64_t(fst.st_dev) != hdr_->dev || uint64_t(fst.st_ino) != hdr_->ino) {
      throw mismatch("the index was built for another file");
    }
    if (hdr_->cluster_type != cluster_type) {
      throw mismatch("built for cluster type " + std::to_string(hdr_->cluster_type) + ", this ring's is " +
                     std::to_string(cluster_type));
    }
    if (hdr_->slots != count) {
      throw mismatch("built for " + std::to_string(hdr_->slots) + " slots, this ring's clusterSlot.count is " +
                     std::to_string(count));
    }
    if (hdr_->snaplen != snaplen) {
      throw mismatch("built with snaplen " + std::to_string(hdr_->snaplen) + ", this ring's is " + std::to_string(snaplen));
    }
    if (slot >= count) throw mismatch("slot " + std::to_string(slot) + " of " + std::to_string(count));
    if (uint64_t(st.st_size) < hdr_->header_bytes + uint64_t(count) * hdr_->ring_bytes) throw mismatch("truncated");
    uint32_t free = 0;
    if (!hdr_->claimed[slot].compare_exchange_strong(free, 1)) {
      throw mismatch("slot " + std::to_string(slot) + " is read through it by another ring, or was: a slot is read once " +
                     "(a ring that takes it over reads the whole file, without clusterIndexFd)");
    }
    // MAP_POPULATE: the writer took every page; map them all now, not at the first read of each.
    void* q = mmap(nullptr, size_t(hdr_->ring_bytes), PROT_READ, MAP_SHARED | MAP_POPULATE, fd,
                   off_t(hdr_->header_bytes + uint64_t(slot) * hdr_->ring_bytes));
    if (q == MAP_FAILED) {
      hdr_->claimed[slot].store(0);
      throw sys_error("PFW_CLUSTER_MISMATCH", "cannot map cluster index ring " + std::to_string(slot), "mmap", errno);
    }
    ring_ = static_cast<const uint64_t*>(q);
    ring_mask_ = hdr_->ring_words - 1;
  } catch (...) {
    munmap(mem_, mem_bytes_);
    throw;
  }
}

// A ring closed before it read anything leaves the slot to another; one that
// read some lets the writer go on without it (consumed[] holds pos_).
ClusterIndexReader::~ClusterIndexReader() {
  if (ring_) {
    release_slot(hdr_, slot_);
    munmap(const_cast<uint64_t*>(ring_), size_t(hdr_->ring_bytes));
  }
  if (mem_) munmap(mem_, mem_bytes_);
}

size_t ClusterIndexReader::available(const uint64_t** words) const {
  const uint64_t end = hdr_->published[slot_].load(std::memory_order_acquire);
  const uint64_t at = pos_ & ring_mask_;
  *words = ring_ + at;
  return size_t(std::min(end - pos_, hdr_->ring_words - at));
}

void ClusterIndexReader::consume(size_t n) {
  pos_ += n;
  // Sequentially consistent, as the writer's flag and its second look: either
  // the writer sees this position or this reader sees it waiting.
  hdr_->consumed[slot_].store(pos_);
  if (hdr_->writer_waiting.load() != 0 && hdr_->waiting_for.load() == int32_t(slot_) && pos_ >= hdr_->wake_at.load()) {
    wake_writer(hdr_);
  }
}

void ClusterIndexReader::wait(uint64_t timeout_ns) const {
  uint32_t seq = hdr_->published_seq.load();
  hdr_->readers_waiting.fetch_add(1);
  if (hdr_->published[slot_].load() == pos_ && !hdr_->done.load()) futex_wait(&hdr_->published_seq, seq, timeout_ns);
  hdr_->readers_waiting.fetch_sub(1);
}

bool ClusterIndexReader::finished() const {
  return hdr_->done.load(std::memory_order_acquire) != 0 &&
         hdr_->published[slot_].load(std::memory_order_acquire) == pos_;
}

}  // namespace pfw
