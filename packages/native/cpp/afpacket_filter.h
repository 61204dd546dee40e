// The socket filter an AF_PACKET ring runs in the kernel, composed from three
// settings so that each is enforced before a packet takes ring space or is
// counted in PACKET_STATISTICS:
//   - enabled: a disabled ring runs `ret #0` (the kernel accepts nothing);
//   - direction: a prefix on the packet type (SKF_AD_PKTTYPE == PACKET_OUTGOING);
//   - the user's program (libpcap-compiled), its accept values capped at snaplen;
//     without one, `ret #snaplen` (the kernel has no other snaplen setting).
// parse_filter() recognises what compose_filter() made, so a ring that adopts
// an inherited socket knows its direction and user program.
#pragma once
#include <cstdint>
#include <vector>
#include <linux/filter.h>

namespace pfw {

enum DirectionValue : int { kDirRx = 0, kDirTx = 1, kDirBoth = 2 };

struct FilterSettings {
  bool enabled = false;
  int direction = kDirBoth;
  bool has_user = false;
  std::vector<sock_filter> user;  // the program as the user gave it (uncapped)
  uint32_t snaplen = 65535;
};

std::vector<sock_filter> compose_filter(const FilterSettings& s);

// Inverse of compose_filter for a program read back with SO_GET_FILTER.
// snaplen is taken from the accept value when there is no user program.
// A program not made by compose_filter is taken as the user's program.
FilterSettings parse_filter(const std::vector<sock_filter>& prog, uint32_t snaplen);

}  // namespace pfw
