// Supervisor-owned fanout groups (DESIGN section 8): the N member sockets of a
// PACKET_FANOUT group, created and joined in order by one privileged process
// before any packet is accepted, then handed to workers as inherited
// descriptors (a worker adopts one with Ring.open({ fd }); it needs no
// CAP_NET_RAW). Member i receives exactly the packets whose queue is i: the
// kernel keeps members in join order, and a member never leaves the group
// while the supervisor holds its descriptor, so a restarted worker that adopts
// the same descriptor takes over the same slot.
#pragma once
#include <cstdint>
#include <vector>
#include <linux/filter.h>

#include "backend.h"

namespace pfw {

struct FanoutGroupOptions {
  OpenOptions ring;              // device, snaplen, promiscuous, hw_timestamp, ring geometry
  uint32_t count = 1;            // members
  uint32_t cluster_id = 0;       // fanout id (0..65535)
  int cluster_type = 0;          // ClusterType (cluster_hash.h)
  int direction = 2;             // 0 rx, 1 tx, 2 both (afpacket_filter.h)
  bool has_bpf = false;
  std::vector<sock_filter> bpf;  // compiled user filter
};

// Creates, configures and joins the members; returns their descriptors in
// slot order (close-on-exec: pass them to a child explicitly, e.g. in
// child_process stdio). Each socket accepts nothing until every member has
// joined, so no packet is queued by a partial group. On error every socket
// made so far is closed and the pfw::Error is rethrown.
std::vector<int> create_fanout_group(const FanoutGroupOptions& o);

}  // namespace pfw
