#include "afpacket_filter.h"

#include <cstddef>
#include <linux/if_packet.h>

namespace pfw {

namespace {

constexpr uint32_t kLdPktType = SKF_AD_OFF + SKF_AD_PKTTYPE;

sock_filter stmt(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return sock_filter{code, jt, jf, k}; }

bool same(const sock_filter& a, const sock_filter& b) {
  return a.code == b.code && a.jt == b.jt && a.jf == b.jf && a.k == b.k;
}

// The direction prefix: 3 instructions, then `ld #0` so the user's program
// starts with the registers as the kernel would give them (A = 0).
std::vector<sock_filter> direction_prefix(int direction) {
  const bool rx = direction == kDirRx;
  return {
      stmt(BPF_LD | BPF_W | BPF_ABS, kLdPktType),
      // rx: outgoing -> reject (fall through), else skip it; tx: the reverse.
      jump(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, rx ? 0 : 1, rx ? 1 : 0),
      stmt(BPF_RET | BPF_K, 0),
      stmt(BPF_LD | BPF_IMM, 0),
  };
}

}  // namespace

std::vector<sock_filter> compose_filter(const FilterSettings& s) {
  if (!s.enabled) return {stmt(BPF_RET | BPF_K, 0)};
  std::vector<sock_filter> prog;
  if (s.direction == kDirRx || s.direction == kDirTx) prog = direction_prefix(s.direction);
  if (s.has_user && !s.user.empty()) {
    for (sock_filter insn : s.user) {
      // An accept value is the number of bytes kept: cap it at snaplen.
      if (insn.code == (BPF_RET | BPF_K) && insn.k > s.snaplen) insn.k = s.snaplen;
      prog.push_back(insn);
    }
  } else {
    prog.push_back(stmt(BPF_RET | BPF_K, s.snaplen));
  }
  return prog;
}

FilterSettings parse_filter(const std::vector<sock_filter>& prog, uint32_t snaplen) {
  FilterSettings s;
  s.snaplen = snaplen;
  if (prog.empty()) {
    s.enabled = true;
    return s;
  }
  if (prog.size() == 1 && same(prog[0], stmt(BPF_RET | BPF_K, 0))) return s;  // disabled
  s.enabled = true;
  size_t start = 0;
  for (int dir : {kDirRx, kDirTx}) {
    std::vector<sock_filter> pre = direction_prefix(dir);
    if (prog.size() > pre.size()) {
      bool match = true;
      for (size_t i = 0; i < pre.size() && match; i++) match = same(prog[i], pre[i]);
      if (match) {
        s.direction = dir;
        start = pre.size();
        break;
      }
    }
  }
  std::vector<sock_filter> rest(prog.begin() + start, prog.end());
  if (rest.size() == 1 && rest[0].code == (BPF_RET | BPF_K) && rest[0].k != 0) {
    s.snaplen = rest[0].k;  // no user program: the accept-all that carries snaplen
    return s;
  }
  s.has_user = true;
  s.user = std::move(rest);
  return s;
}

}  // namespace pfw
