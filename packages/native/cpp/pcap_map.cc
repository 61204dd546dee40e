// Mapped classic pcap records; see pcap_map.h.
#include "pcap_map.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace pfw {
namespace {

constexpr uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kMagicNano = 0xa1b23c4d;
// Pages behind the read position are given back once this much has been read
// past the last time: one madvise() per 32 MiB costs nothing per packet.
constexpr uint64_t kReleaseEvery = 32u << 20;
// Mapped ahead of the read position, one madvise() at a time: the page cache
// already holds the file (or readahead brings it); what this saves is the
// page fault that would otherwise map every 16 pages (~10% of the walk's
// CPU time on the bench capture).
constexpr uint64_t kPopulateAhead = 8u << 20;
// Both windows move in whole 2 MiB units, aligned in the file (and so in the
// mapping, which the kernel aligns for large files): a file read in from disk
// sits in the page cache mostly in 2 MiB folios, each mapped by one entry
// when its first page is the one faulted in, and given back whole. A window
// edge inside such a unit would split its entry into 512 (docs/bench.md,
// "The page cache's folios"). A multiple of every page size madvise() needs.
constexpr uint64_t kHugeUnit = 2u << 20;

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14; older kernels answer EINVAL and the walk faults pages in
#endif

}  // namespace

bool pcap_map_disabled() {
  const char* v = std::getenv("PFWORK_PCAP_NO_MAP");
  return v && *v && std::strcmp(v, "0") != 0;
}

PcapMap::PcapMap(int fd, uint32_t snapshot) : snapshot_(snapshot) {
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || size_t(st.st_size) < kPcapFileHeader) return;
  uint8_t hdr[kPcapFileHeader];
  if (pread(fd, hdr, sizeof(hdr), 0) != ssize_t(sizeof(hdr))) return;
  uint32_t magic;
  std::memcpy(&magic, hdr, 4);
  if (magic == kMagicMicro || magic == kMagicNano) {
    swapped_ = false;
  } else if (__builtin_bswap32(magic) == kMagicMicro || __builtin_bswap32(magic) == kMagicNano) {
    swapped_ = true;
    magic = __builtin_bswap32(magic);
  } else {
    return;  // pcapng, or a pcap variant libpcap knows better
  }
  uint16_t major, minor;
  std::memcpy(&major, hdr + 4, 2);
  std::memcpy(&minor, hdr + 6, 2);
  if (swapped_) {
    major = __builtin_bswap16(major);
    minor = __builtin_bswap16(minor);
  }
  // 2.4 only: before it, libpcap may swap caplen and len (lengths_swapped).
  if (major != 2 || minor != 4) return;
  frac_ns_ = magic == kMagicNano ? 1 : 1000;
  void* p = mmap(nullptr, size_t(st.st_size), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) return;  // libpcap reads it instead
  madvise(p, size_t(st.st_size), MADV_SEQUENTIAL);
  base_ = static_cast<uint8_t*>(p);
  size_ = size_t(st.st_size);
  end_ = size_;
  off_ = kPcapFileHeader;
}

PcapMap::~PcapMap() { unmap(); }

void PcapMap::unmap() {
  if (base_) munmap(base_, size_);
  base_ = nullptr;
  size_ = 0;
}

void PcapMap::stop_at(uint64_t off) {
  off_ = off;
  stopped_ = true;
}

void PcapMap::advance_window() {
  if (!base_) return;
  if (off_ - released_ >= kReleaseEvery) {
    uint64_t upto = off_ & ~(kHugeUnit - 1);
    if (upto > released_) {
      madvise(base_ + released_, size_t(upto - released_), MADV_DONTNEED);
      released_ = upto;
    }
  }
  if (populate_ && populated_ < size_ && off_ + kPopulateAhead / 2 >= populated_) {
    uint64_t from = std::max(populated_, off_ & ~(kHugeUnit - 1));
    uint64_t to = std::min<uint64_t>(size_, from + kPopulateAhead);
    if (madvise(base_ + from, size_t(to - from), MADV_POPULATE_READ) != 0) {
      if (errno == EFAULT) {
        // Pages past the file's end: it was truncated after it was mapped.
        // The walk stops before them and libpcap reads on (and reports it).
        end_ = std::min<uint64_t>(end_, from);
      }
      populate_ = false;
    }
    populated_ = to;
  }
}

}  // namespace pfw
