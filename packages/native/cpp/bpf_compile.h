// BPF expressions, compiled by libpcap for every backend (as PF_RING itself
// does): pcap_compile on a pcap_open_dead handle of the ring's link type and
// snaplen. Live backends attach the program to the socket
// (Backend::attach_filter, struct sock_filter has bpf_insn's layout); files
// run it in software (bpf_filter).
//
// A dead handle compiles VLAN tests against in-band tags only: on AF_PACKET,
// where the kernel moved the outer tag to metadata, "vlan" primitives do not
// see it (libpcap does that special handling only for its own live handles).
#pragma once
#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

namespace pfw {

struct BpfProgram {
  std::string expr;
  std::vector<sock_filter> insns;

  // A sock_fprog over insns (valid while this program lives, unchanged).
  sock_fprog fprog() const;
  // True when the program accepts the packet (returns non-zero).
  bool match(const uint8_t* data, uint32_t caplen, uint32_t len) const;
};

// Throws pfw::Error PFW_BPF_INVALID with libpcap's reason and the expression.
BpfProgram compile_bpf(const std::string& expr, int link_type, uint32_t snaplen);

}  // namespace pfw
