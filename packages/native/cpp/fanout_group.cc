#include "fanout_group.h"

#include <unistd.h>

#include "afpacket_filter.h"
#include "afpacket_socket.h"
#include "errors.h"

namespace pfw {

std::vector<int> create_fanout_group(const FanoutGroupOptions& o) {
  const std::string& device = o.ring.device;
  const int ifindex = packet_ifindex(device);
  FilterSettings filter;
  filter.snaplen = o.ring.snaplen;
  filter.direction = o.direction;
  filter.has_user = o.has_bpf;
  filter.user = o.bpf;
  filter.enabled = false;
  const std::vector<sock_filter> reject_all = compose_filter(filter);
  filter.enabled = true;
  const std::vector<sock_filter> accept = compose_filter(filter);

  std::vector<int> fds;
  try {
    for (uint32_t i = 0; i < o.count; i++) {
      int fd = packet_socket(device);
      fds.push_back(fd);
      packet_setup_rx_ring(fd, o.ring);
      if (o.ring.hw_timestamp) packet_enable_hw_timestamps(fd, device);
      packet_attach_filter(fd, reject_all);
      if (o.ring.promiscuous) packet_set_promiscuous(fd, ifindex, device);
      packet_bind(fd, ifindex, device);
      packet_join_fanout(fd, o.cluster_id, o.cluster_type, device, /*set_program=*/i == 0);
    }
    // The group is complete: from now on the kernel's choice of member is final.
    for (int fd : fds) packet_attach_filter(fd, accept);
  } catch (...) {
    for (int fd : fds) ::close(fd);
    throw;
  }
  return fds;
}

}  // namespace pfw
