// See huge_buffer.h.
#include "huge_buffer.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <utility>

namespace pfw {
namespace {
constexpr size_t kHuge = 2u << 20;
}

HugeBuffer::HugeBuffer(size_t bytes, bool reserve_only) : size_(bytes) {
  if (bytes == 0) return;
  // Map 2 MiB more than asked, so the buffer can start on a 2 MiB boundary.
  size_t want = bytes >= kHuge ? bytes + kHuge : bytes;
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | (reserve_only ? MAP_NORESERVE : 0);
  void* m = mmap(nullptr, want, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (m == MAP_FAILED) throw std::bad_alloc();
  map_ = m;
  map_size_ = want;
  uintptr_t a = reinterpret_cast<uintptr_t>(m);
  if (bytes >= kHuge) {
    a = (a + kHuge - 1) & ~uintptr_t(kHuge - 1);
    madvise(reinterpret_cast<void*>(a), bytes, MADV_HUGEPAGE);  // a hint: no error if THP is off
  }
  p_ = reinterpret_cast<void*>(a);
}

HugeBuffer::~HugeBuffer() { release(); }

void HugeBuffer::release() {
  if (map_) munmap(map_, map_size_);
  p_ = map_ = nullptr;
  size_ = map_size_ = 0;
}

HugeBuffer::HugeBuffer(HugeBuffer&& o) noexcept
    : p_(std::exchange(o.p_, nullptr)), size_(std::exchange(o.size_, 0)),
      map_(std::exchange(o.map_, nullptr)), map_size_(std::exchange(o.map_size_, 0)) {}

HugeBuffer& HugeBuffer::operator=(HugeBuffer&& o) noexcept {
  if (this != &o) {
    release();
    p_ = std::exchange(o.p_, nullptr);
    size_ = std::exchange(o.size_, 0);
    map_ = std::exchange(o.map_, nullptr);
    map_size_ = std::exchange(o.map_size_, 0);
  }
  return *this;
}

}  // namespace pfw
