// The AF_PACKET system calls, one function per step, each turning errno into a
// pfw::Error that names the device and says what to do. Shared by the ring
// backend (afpacket_ring.cc) and the supervisor's fanout group builder
// (fanout_group.cc), so a socket is configured the same way wherever it is made.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include <linux/filter.h>
#include "backend.h"

namespace pfw {

// socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0): protocol 0 so that nothing is
// queued before the ring, the filter and the binding are in place.
// EPERM/EACCES -> PFW_NO_CAP_NET_RAW.
int packet_socket(const std::string& device);

// if_nametoindex; a missing device -> PFW_NO_SUCH_DEVICE naming it.
int packet_ifindex(const std::string& device);

// PACKET_VERSION = TPACKET_V3, then PACKET_RX_RING with tpacket_req3 built from
// the geometry in `o` (validated in TypeScript; asserted here).
void packet_setup_rx_ring(int fd, const OpenOptions& o);

// PACKET_ADD_MEMBERSHIP PACKET_MR_PROMISC (dropped by the kernel when the
// socket closes).
void packet_set_promiscuous(int fd, int ifindex, const std::string& device);

// Hardware receive timestamps: checks the driver (ETHTOOL_GET_TS_INFO), turns
// them on (SIOCSHWTSTAMP, HWTSTAMP_FILTER_ALL) and asks the ring for them
// (PACKET_TIMESTAMP = SOF_TIMESTAMPING_RAW_HARDWARE). A device without them
// -> PFW_NO_HW_TIMESTAMP with the exact reason.
void packet_enable_hw_timestamps(int fd, const std::string& device);

// bind(sll_ifindex, ETH_P_ALL): from here on the kernel delivers (through the
// socket filter) into the ring.
void packet_bind(int fd, int ifindex, const std::string& device);

// SO_ATTACH_FILTER (replaces any previous filter atomically).
void packet_attach_filter(int fd, const std::vector<sock_filter>& prog);

// SO_GET_FILTER: the classic program attached now (empty if none).
std::vector<sock_filter> packet_read_filter(int fd);

// PACKET_FANOUT with id = cluster id; round-robin -> PACKET_FANOUT_LB, every
// hashed type -> PACKET_FANOUT_CBPF | PACKET_FANOUT_FLAG_DEFRAG with the
// program of cbpf_fanout.h attached through PACKET_FANOUT_DATA when
// `set_program` (replacing a group's program costs an RCU grace period, so a
// caller that builds the whole group sets it on the first member only).
// Errors: PFW_CLUSTER_MISMATCH (EINVAL: the group exists with other settings),
// PFW_CLUSTER_FULL (ENOSPC), PFW_NO_CBPF_FANOUT (kernel older than 4.3).
void packet_join_fanout(int fd, uint32_t cluster_id, int cluster_type, const std::string& device,
                        bool set_program = true);

// PACKET_FANOUT getsockopt: true and (id, kernel fanout type|flags) when the
// socket is a member of a group.
bool packet_fanout_of(int fd, uint32_t* id, uint32_t* type_flags);

// "per-flow", "round-robin", ... (ClusterTypeName in types.ts) for messages.
std::string cluster_type_label(int cluster_type);

// The page size the kernel maps rings with.
uint32_t page_size();

}  // namespace pfw
