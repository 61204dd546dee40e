// x % d for 32-bit x and a divisor fixed in advance, without a division
// (Lemire, Kaser and Kurz, "Faster remainder by direct computation", 2019:
// exact for every 32-bit x and d >= 1). The slot of a cluster hash is taken
// on every packet of a file, by each worker (batch.cc) and by the index
// writer (cluster_index.cc); the division showed up in both profiles.
#pragma once
#include <cstdint>

namespace pfw {

class FastMod {
 public:
  explicit FastMod(uint32_t d = 1) : d_(d ? d : 1), magic_(UINT64_MAX / d_ + 1) {}
  uint32_t divisor() const { return d_; }
  uint32_t of(uint32_t x) const {
    uint64_t low = magic_ * x;
    return uint32_t((static_cast<unsigned __int128>(low) * d_) >> 64);
  }

 private:
  uint32_t d_;
  uint64_t magic_;
};

}  // namespace pfw
