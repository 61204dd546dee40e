// See bpf_compile.h.
#include "bpf_compile.h"

#include <pcap/pcap.h>

#include "errors.h"

namespace pfw {

static_assert(sizeof(sock_filter) == sizeof(bpf_insn), "sock_filter and bpf_insn must have one layout");

sock_fprog BpfProgram::fprog() const {
  sock_fprog p;
  p.len = static_cast<unsigned short>(insns.size());
  p.filter = const_cast<sock_filter*>(insns.data());
  return p;
}

bool BpfProgram::match(const uint8_t* data, uint32_t caplen, uint32_t len) const {
  return bpf_filter(reinterpret_cast<const bpf_insn*>(insns.data()), data, len, caplen) != 0;
}

BpfProgram compile_bpf(const std::string& expr, int link_type, uint32_t snaplen) {
  pcap_t* dead = pcap_open_dead(link_type, int(snaplen));
  if (!dead) throw Error("PFW_BPF_INVALID", "libpcap cannot compile filters (pcap_open_dead failed)");
  bpf_program prog;
  if (pcap_compile(dead, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    std::string why = pcap_geterr(dead);
    pcap_close(dead);
    const char* ln = pcap_datalink_val_to_name(link_type);
    throw Error("PFW_BPF_INVALID", "BPF filter \"" + expr + "\" does not compile for link type " +
                                       (ln ? std::string(ln) : std::to_string(link_type)) + ": " + why);
  }
  BpfProgram out;
  out.expr = expr;
  const auto* in = reinterpret_cast<const sock_filter*>(prog.bf_insns);
  out.insns.assign(in, in + prog.bf_len);
  pcap_freecode(&prog);
  pcap_close(dead);
  return out;
}

}  // namespace pfw
