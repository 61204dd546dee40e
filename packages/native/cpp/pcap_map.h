// The fast path of the capture-file backend: a classic pcap file (version 2.4,
// microsecond or nanosecond magic, either byte order) is mapped into memory
// and its records are walked in place, so a packet is never copied: libpcap
// reads every record with two fread()s through a 4 KiB stdio buffer (one
// read(2) per 4 KiB) and the backend then copied it into its arena, three
// copies of every byte plus stdio's locking per packet (docs/bench.md, "Hot
// path notes"). With several workers over one file, every worker walks every
// record (DESIGN section 3), so this walk is what caps their scaling.
//
// libpcap stays the authority on anything unusual. The walker takes only
// records that libpcap would deliver unchanged (the whole 16-byte header and
// the whole captured data inside the mapping, caplen within the file's
// snapshot length as libpcap computed it); at the first record that is not
// like that (damage, a record libpcap would cut to the snapshot length, or the
// end of the mapping), it stops and the backend hands the rest of the file to
// libpcap from that record's offset (fseek on libpcap's FILE). So a damaged
// file reports exactly what libpcap reports, at the same packet, and a file
// that grew after it was opened is read on by libpcap.
//
// pcapng, PPI, other pcap versions and files that are not regular files
// (FIFOs) are read by libpcap alone.
//
// Memory: the mapping is private (a JS view that writes into a packet writes
// into its own copy of the page, never the file) and read sequentially; pages
// behind the read position are given back (MADV_DONTNEED) as reading moves
// on, so a worker's resident memory stays bounded whatever the file's size.
// A file truncated by another process while mapped: pages are mapped in bulk
// ahead of the walk, and the kernel refuses pages past the new end (EFAULT),
// so the walk stops there and libpcap reads on and reports the cut. Only a
// truncation inside the 8 MiB already mapped ahead would still fault
// (SIGBUS). Capture tools append (tcpdump -w); libpcap reads the appended part.
#pragma once
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstring>

namespace pfw {

// PFWORK_PCAP_NO_MAP=1 (anything but empty or "0"): read through libpcap
// alone, never map (the tests compare both paths on every shared capture).
bool pcap_map_disabled();

// A classic pcap file's header (magic, version, snaplen, link type...), then
// each record's: ts_sec, ts_frac, caplen, len (4 bytes each).
constexpr size_t kPcapFileHeader = 24;
constexpr size_t kPcapRecordHeader = 16;

// LINKTYPE_PPI: each record starts with a per-packet information header of
// its own length, so PPI files are never walked in place (nor indexed):
// PcapFileBackend reads them through libpcap and strips that header.
constexpr int kDltPpi = 192;

struct MappedRecord {
  const uint8_t* data;
  uint32_t caplen;
  uint32_t len;
  uint64_t ts_ns;
  uint64_t offset;  // of the record's 16-byte header in the file
};

class PcapMap {
 public:
  // Maps `fd` (a classic pcap file whose header libpcap has already accepted)
  // when its header is one the walker reads; otherwise active() is false and
  // nothing is mapped. `snapshot` is libpcap's pcap_snapshot() for the file.
  PcapMap(int fd, uint32_t snapshot);
  ~PcapMap();
  PcapMap(const PcapMap&) = delete;
  PcapMap& operator=(const PcapMap&) = delete;

  bool active() const { return base_ != nullptr && !stopped_; }
  // The next record, or false when the walk stops here (see above): offset()
  // is then the file offset libpcap must continue from.
  // Inline (below): every record of a file read in order comes through here.
  inline bool next(MappedRecord* r);
  uint64_t offset() const { return off_; }
  // The record whose header is at file offset `off` (a reader given offsets
  // by a cluster index, cluster_index.h): false if there is none the walk
  // would take there. Offsets must increase from call to call (the window
  // below follows them). Inline (below): every record a cluster index names
  // comes through here.
  inline bool record_at(uint64_t off, MappedRecord* r);
  // Ends the walk at `off`: libpcap continues from there (offset()).
  void stop_at(uint64_t off);
  // Where offset `off` is mapped (for prefetching; no check).
  const uint8_t* at(uint64_t off) const { return base_ + off; }
  // Called before each fetch. The caller no longer points at anything before
  // offset(): pages behind it may be given back. Pages ahead of it are mapped
  // in bulk (MADV_POPULATE_READ), so the walk takes no page fault per 64 KiB.
  void advance_window();
  void unmap();

 private:
  // The record at `off` if the walk takes it (see above).
  inline bool parse(uint64_t off, MappedRecord* r) const;
  static uint32_t load32(const uint8_t* p, bool swapped) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
  }
  // next() prefetches this far ahead.
  static constexpr size_t kPrefetchAhead = 2048;

  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  uint64_t end_ = 0;       // the walk stays below this offset (size_, less if the file shrank)
  uint64_t off_ = 0;
  uint64_t pf_ = 0;        // lines before this offset were prefetched (next())
  uint64_t released_ = 0;  // pages before this offset were given back
  uint64_t populated_ = 0; // pages before this offset were mapped in bulk
  bool populate_ = true;   // false once the kernel refused MADV_POPULATE_READ (before Linux 5.14)
  uint32_t snapshot_;
  bool swapped_ = false;
  uint32_t frac_ns_ = 1000;  // nanoseconds per unit of the timestamp fraction
  bool stopped_ = false;
};

inline bool PcapMap::parse(uint64_t off, MappedRecord* r) const {
  if (off > end_ || end_ - off < kPcapRecordHeader) return false;
  const uint8_t* h = base_ + off;
  uint32_t sec = load32(h, swapped_);
  uint32_t frac = load32(h + 4, swapped_);
  uint32_t caplen = load32(h + 8, swapped_);
  uint32_t len = load32(h + 12, swapped_);
  // Larger than the snapshot: libpcap either refuses it (damage) or cuts it;
  // cut short by the end of the file: damage. Either way libpcap reports it.
  if (caplen > snapshot_ || end_ - off - kPcapRecordHeader < caplen) return false;
  r->data = h + kPcapRecordHeader;
  r->caplen = caplen;
  r->len = len;
  r->offset = off;
  // As libpcap at nanosecond precision: the fraction scaled in 32 bits
  // (pcap_file.cc then carries a damaged fraction into the seconds the same way).
  r->ts_ns = uint64_t(sec) * 1000000000ull + uint64_t(uint32_t(frac * frac_ns_));
  return true;
}

inline bool PcapMap::record_at(uint64_t off, MappedRecord* r) {
  if (!active() || off < kPcapFileHeader || !parse(off, r)) return false;
  off_ = off + kPcapRecordHeader + r->caplen;  // the window (advance_window) follows the reader
  return true;
}

inline bool PcapMap::next(MappedRecord* r) {
  if (!active()) return false;
  // The next records' bytes, kPrefetchAhead ahead, every cache line once: the
  // hardware prefetcher stops at every 4 KiB page boundary, and each record is
  // touched first here. (One line per record, as before, left most records'
  // header lines to the hardware: every line measured 6-10% less CPU for the
  // walk and the index writer, alternated runs, docs/bench.md.)
  {
    // Four lines a step: fewer loop instructions per record; the last step
    // may reach up to three lines past `want` (a prefetch never faults,
    // even past the mapping's end).
    uint64_t want = std::min<uint64_t>(end_, off_ + kPrefetchAhead);
    if (pf_ < off_) pf_ = off_ & ~uint64_t(63);
    for (; pf_ < want; pf_ += 256) {
      __builtin_prefetch(base_ + pf_);
      __builtin_prefetch(base_ + pf_ + 64);
      __builtin_prefetch(base_ + pf_ + 128);
      __builtin_prefetch(base_ + pf_ + 192);
    }
  }
  if (!parse(off_, r)) {
    stopped_ = true;  // the end of the mapping, a cut header or damage: libpcap says which
    return false;
  }
  off_ += kPcapRecordHeader + r->caplen;
  return true;
}

}  // namespace pfw
