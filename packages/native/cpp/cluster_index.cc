// The cluster index of a capture file; see cluster_index.h.
#include "cluster_index.h"

#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "cluster_hash.h"
#include "cluster_hash_shortcut.h"
#include "errors.h"
#include "frag_cache.h"
#include "locate.h"
#include "packet_meta.h"

namespace pfw {
namespace {

// Records indexed between two publications: the workers see the index grow
// in steps this size (a worker's batch is up to 4096 packets of its own).
constexpr int kPublishEvery = 4096;

// Shared (not FUTEX_PRIVATE): the word lives in memory mapped by several processes.
void futex_wait(const std::atomic<uint32_t>* word, uint32_t seen, uint64_t timeout_ns) {
  timespec t{time_t(timeout_ns / 1000000000ull), long(timeout_ns % 1000000000ull)};
  syscall(SYS_futex, reinterpret_cast<const uint32_t*>(word), FUTEX_WAIT, seen, &t, nullptr, 0);
}

void futex_wake(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
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
                                       uint64_t max_bytes)
    : path_(path), type_(cluster_type), slot_mod_(count), snaplen_(snaplen), max_bytes_(max_bytes) {
  if (!cluster_type_hashed(cluster_type)) throw not_indexable(path, "round-robin clusters need no index");
  if (count < 2 || count > kIndexMaxSlots) {
    throw not_indexable(path, "a cluster of " + std::to_string(count) + " slots (2 to " +
                                  std::to_string(kIndexMaxSlots) + " are indexed)");
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

    // Each record is one word in one stream, or one in every stream (a
    // fragment), plus at most one clock word before it: 2 words per record at
    // most, and a record takes at least 16 bytes of the file.
    const uint64_t records_max = uint64_t(st.st_size) / kPcapRecordHeader + 1;
    const uint64_t stream_bytes = round_up((2 * records_max + 2) * sizeof(uint64_t), page_size());
    const uint64_t head = header_bytes();
    mem_bytes_ = size_t(head + uint64_t(count) * stream_bytes);
    fd_ = memfd_create("pfwork-cluster-index", MFD_CLOEXEC);
    if (fd_ < 0) throw sys_error("PFW_NOT_SUPPORTED", "cannot create the cluster index of " + quoted_path(path), "memfd_create", errno);
    // Sparse: memory is taken only as the streams are written.
    if (ftruncate(fd_, off_t(mem_bytes_)) != 0) {
      throw sys_error("PFW_NOT_SUPPORTED", "cannot size the cluster index of " + quoted_path(path), "ftruncate", errno);
    }
    void* p = mmap(nullptr, mem_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) throw sys_error("PFW_NOT_SUPPORTED", "cannot map the cluster index of " + quoted_path(path), "mmap", errno);
    mem_ = static_cast<uint8_t*>(p);
    hdr_ = new (mem_) ClusterIndexHeader();
    hdr_->magic = kIndexMagic;
    hdr_->version = kIndexVersion;
    hdr_->slots = count;
    hdr_->cluster_type = cluster_type;
    hdr_->snaplen = snaplen;
    hdr_->dev = uint64_t(st.st_dev);
    hdr_->ino = uint64_t(st.st_ino);
    hdr_->header_bytes = head;
    hdr_->stream_bytes = stream_bytes;
    tails_.resize(count);
    for (uint32_t i = 0; i < count; i++) tails_[i] = {stream(i), 0};
  } catch (...) {
    close();
    throw;
  }
}

ClusterIndexWriter::~ClusterIndexWriter() { close(); }

void ClusterIndexWriter::start() {
  if (!thread_.joinable() && hdr_) thread_ = std::thread([this] { run(); });
}

void ClusterIndexWriter::close() {
  stop_.store(true);
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
  for (uint32_t i = 0; i < slots(); i++) s.bytes += hdr_->published[i].load(std::memory_order_relaxed) * sizeof(uint64_t);
  return s;
}

uint64_t* ClusterIndexWriter::stream(uint32_t slot) const {
  return reinterpret_cast<uint64_t*>(mem_ + hdr_->header_bytes + slot * hdr_->stream_bytes);
}

// A clock word: stream `slot`'s reader moves its flow table's clock to the
// file's time so far (see cluster_index.h).
void ClusterIndexWriter::put_clock(StreamTail& t) {
  *t.next++ = kIndexClock | file_clock_;
  t.clock = file_clock_;
  words_++;
}

// Appends a record (or a fragment's copy) to stream `slot`, after a clock
// word when the reader's flow table would otherwise not have reached the
// file's time before this record.
inline void ClusterIndexWriter::put(uint32_t slot, uint64_t word, uint64_t ts) {
  StreamTail& t = tails_[slot];
  if (t.clock < file_clock_ && ts < file_clock_) put_clock(t);
  *t.next++ = word;
  words_++;
  if (ts > t.clock) t.clock = ts;
}

void ClusterIndexWriter::publish() {
  for (uint32_t i = 0; i < slots(); i++) {
    hdr_->published[i].store(uint64_t(tails_[i].next - stream(i)), std::memory_order_release);
  }
  hdr_->published_seq.fetch_add(1);
  if (hdr_->readers_waiting.load() != 0) futex_wake(&hdr_->published_seq);
}

void ClusterIndexWriter::run() {
  FragCache frags;  // as batch.cc's: every fragment, in file order
  PacketMeta m;
  MappedRecord r;
  uint64_t records = 0;
  bool end = false;
  const bool ethernet = link_type_ == kLinkEthernet;
  // Past max_bytes_ the index ends early, like at damage: the workers read
  // the rest of the file themselves (more slowly, but nothing is lost).
  const uint64_t max_words = max_bytes_ / sizeof(uint64_t);
  while (!end && !stop_.load(std::memory_order_relaxed)) {
    map_->advance_window();
    for (int i = 0; i < kPublishEvery; i++) {
      if (words_ >= max_words || !map_->next(&r)) {
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
  }
  // The end of the index: every reader's clock reaches the file's, then reads
  // on by itself from here.
  for (uint32_t s = 0; s < slots(); s++) {
    if (tails_[s].clock < file_clock_) put_clock(tails_[s]);
  }
  publish();
  hdr_->handover_offset = map_->offset();
  hdr_->handover_record = records;
  hdr_->done.store(1, std::memory_order_release);
  hdr_->published_seq.fetch_add(1);
  futex_wake(&hdr_->published_seq);
  map_->unmap();
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
    if (uint64_t(st.st_size) < hdr_->header_bytes + uint64_t(count) * hdr_->stream_bytes) throw mismatch("truncated");
    void* q = mmap(nullptr, size_t(hdr_->stream_bytes), PROT_READ, MAP_SHARED, fd,
                   off_t(hdr_->header_bytes + uint64_t(slot) * hdr_->stream_bytes));
    if (q == MAP_FAILED) throw sys_error("PFW_CLUSTER_MISMATCH", "cannot map cluster index stream " + std::to_string(slot), "mmap", errno);
    stream_ = static_cast<const uint64_t*>(q);
  } catch (...) {
    munmap(mem_, mem_bytes_);
    throw;
  }
}

ClusterIndexReader::~ClusterIndexReader() {
  if (stream_) munmap(const_cast<uint64_t*>(stream_), size_t(hdr_->stream_bytes));
  if (mem_) munmap(mem_, mem_bytes_);
}

size_t ClusterIndexReader::available(const uint64_t** words) const {
  uint64_t end = hdr_->published[slot_].load(std::memory_order_acquire);
  *words = stream_ + pos_;
  return size_t(end - pos_);
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
