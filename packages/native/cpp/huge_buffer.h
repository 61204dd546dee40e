// Large zero-filled memory for the flow table (its entries and its index),
// backed by transparent huge pages where the kernel offers them.
//
// Why: a flow table of 100,000 flows spans ~13 MB of entries and a 2 MiB
// index, read at random, one entry per packet. With 4 KiB pages that is
// ~3,700 pages, far more than the TLB holds, so nearly every lookup also
// walks the page tables (costly under virtualisation, and a software
// prefetch that misses the TLB may be dropped). 2 MiB pages cover the same
// memory with 8 entries. Linux's default THP mode is "madvise": the mapping
// is aligned to 2 MiB and marked MADV_HUGEPAGE; where THP is off this is an
// ordinary anonymous mapping, pages still appear only when first written.
#pragma once
#include <cstddef>

namespace pfw {

class HugeBuffer {
 public:
  HugeBuffer() = default;
  // Throws std::bad_alloc when the memory cannot be mapped. `reserve_only`:
  // address space for a size that is a ceiling, not a need (the flow table's
  // entries for maxFlows): MAP_NORESERVE, so the kernel's overcommit check
  // does not count what may never be written.
  explicit HugeBuffer(size_t bytes, bool reserve_only = false);
  ~HugeBuffer();
  HugeBuffer(HugeBuffer&& o) noexcept;
  HugeBuffer& operator=(HugeBuffer&& o) noexcept;
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;

  void* data() const { return p_; }
  size_t size() const { return size_; }

 private:
  void release();
  void* p_ = nullptr;
  size_t size_ = 0;     // what was asked for
  void* map_ = nullptr; // the whole mapping (alignment slack included)
  size_t map_size_ = 0;
};

}  // namespace pfw
