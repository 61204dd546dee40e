// The classic-BPF programs the kernel runs for a hashed PACKET_FANOUT_CBPF
// group, taken from the hash helper's generator (cbpf_fanout.h), cached per
// cluster type. The kernel takes the program's return value modulo the number
// of members, so the program is the same whatever N is.
#pragma once
#include <string>
#include <vector>
#include <linux/filter.h>

namespace pfw {

// The program for a hashed cluster type (every type but round-robin).
const std::vector<sock_filter>& fanout_program(int cluster_type);

// "per-flow", "round-robin", ... (the names of ClusterTypeName in types.ts).
std::string cluster_type_name(int cluster_type);

}  // namespace pfw
