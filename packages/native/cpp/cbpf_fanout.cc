// Generates the fanout cBPF programs (see cbpf_fanout.h). A tiny assembler with
// labels resolves forward jumps; a conditional jump whose target is more than
// 255 instructions ahead gets a `ja` trampoline right after it.
#include "cbpf_fanout.h"

#include <stdexcept>
#include <string>

#include "cluster_hash.h"
#include "errors.h"
#include "locate.h"

namespace pfw {
namespace {

// Scratch memory cells. All are zeroed first: the kernel's classic checker
// (check_load_and_stores) rejects a read of a cell not written on every path.
enum Cell : uint32_t { kAcc = 0, kOff, kVlanCount, kTmp, kProto, kLaneP, kLaneQ, kWord, kCells };

constexpr uint32_t kPacketOutgoing = 4;  // PACKET_OUTGOING
constexpr uint32_t kArphrdEther = 1;
constexpr uint32_t kArphrdLoopback = 772;

class Asm {
 public:
  using Label = int;
  static constexpr Label kNext = -1;  // the instruction that follows

  Label label() {
    bound_.push_back(-1);
    return Label(bound_.size() - 1);
  }
  void bind(Label l) { bound_[l] = int(items_.size()); }

  void op(uint16_t code, uint32_t k = 0) { items_.push_back({code, k, kNext, kNext, false}); }
  void jmp(uint16_t code, uint32_t k, Label jt, Label jf) { items_.push_back({code, k, jt, jf, true}); }
  void ja(Label l) { items_.push_back({BPF_JMP | BPF_JA, 0, l, kNext, false, true}); }

  std::vector<sock_filter> finish() const;

 private:
  struct Item {
    uint16_t code;
    uint32_t k;
    Label jt, jf;
    bool cond;
    bool always = false;
    mutable bool tramp_t = false, tramp_f = false;
    int size() const { return 1 + tramp_t + tramp_f; }
  };
  std::vector<Item> items_;
  std::vector<int> bound_;
};

std::vector<sock_filter> Asm::finish() const {
  std::vector<int> addr(items_.size() + 1);
  auto target = [&](size_t i, Label l) -> int {
    if (l == kNext) return addr[i + 1];
    if (bound_[l] < 0) throw std::logic_error("cbpf: unbound label");
    return addr[bound_[l]];
  };
  for (bool changed = true; changed;) {  // relax: trampolines only ever get added
    changed = false;
    for (size_t i = 0; i < items_.size(); ++i) addr[i + 1] = addr[i] + items_[i].size();
    for (size_t i = 0; i < items_.size(); ++i) {
      const Item& it = items_[i];
      if (!it.cond) continue;
      int next = addr[i] + 1;  // jt/jf count from here, trampolines included
      if (!it.tramp_t && target(i, it.jt) - next > 255) it.tramp_t = changed = true;
      if (!it.tramp_f && target(i, it.jf) - next > 255) it.tramp_f = changed = true;
    }
  }
  std::vector<sock_filter> out;
  for (size_t i = 0; i < items_.size(); ++i) {
    const Item& it = items_[i];
    int next = addr[i] + 1;
    if (it.always) {
      int d = target(i, it.jt) - next;
      if (d < 0) throw std::logic_error("cbpf: backward jump");
      out.push_back({it.code, 0, 0, uint32_t(d)});
    } else if (it.cond) {
      int base = next + it.tramp_t + it.tramp_f;
      int t = target(i, it.jt), f = target(i, it.jf);
      if (t < base || f < base) throw std::logic_error("cbpf: backward jump");
      uint8_t jt = it.tramp_t ? 0 : uint8_t(t - next);
      uint8_t jf = it.tramp_f ? uint8_t(it.tramp_t) : uint8_t(f - next);
      out.push_back({it.code, jt, jf, it.k});
      if (it.tramp_t) out.push_back({BPF_JMP | BPF_JA, 0, 0, uint32_t(t - int(out.size()) - 1)});
      if (it.tramp_f) out.push_back({BPF_JMP | BPF_JA, 0, 0, uint32_t(f - int(out.size()) - 1)});
    } else {
      out.push_back({it.code, 0, 0, it.k});
    }
  }
  return out;
}

// Emits one walk of the packet, from A = ethertype and X = offset of what
// follows it; every packet load is at X + base + k (base 0: relative to
// skb->data; base SKF_LL_OFF: relative to the MAC header).
class Body {
 public:
  Body(Asm& a, int type, int32_t base) : a_(a), type_(type), base_(uint32_t(base)) {}
  void emit();

 private:
  using L = Asm::Label;
  // packet loads at X + k
  void ldb(uint32_t k) { a_.op(BPF_LD | BPF_B | BPF_IND, base_ + k); }
  void ldh(uint32_t k) { a_.op(BPF_LD | BPF_H | BPF_IND, base_ + k); }
  void ldw(uint32_t k) { a_.op(BPF_LD | BPF_W | BPF_IND, base_ + k); }
  void ld_mem(Cell c) { a_.op(BPF_LD | BPF_MEM, c); }
  void ldx_mem(Cell c) { a_.op(BPF_LDX | BPF_MEM, c); }
  void st(Cell c) { a_.op(BPF_ST, c); }
  void stx(Cell c) { a_.op(BPF_STX, c); }
  void alu(uint16_t op, uint32_t k) { a_.op(BPF_ALU | op | BPF_K, k); }
  void add_x() { a_.op(BPF_ALU | BPF_ADD | BPF_X); }
  void tax() { a_.op(BPF_MISC | BPF_TAX); }
  void txa() { a_.op(BPF_MISC | BPF_TXA); }
  void jeq(uint32_t k, L t, L f = Asm::kNext) { a_.jmp(BPF_JMP | BPF_JEQ | BPF_K, k, t, f); }
  void ret0() { a_.op(BPF_RET | BPF_K, 0); }
  void ret_acc() {
    ld_mem(kAcc);
    a_.op(BPF_RET | BPF_A);
  }
  // X += n, A preserved through kTmp
  void advance(uint32_t n) {
    st(kTmp);
    txa();
    alu(BPF_ADD, n);
    tax();
    ld_mem(kTmp);
  }
  // ACC += A; X preserved through kOff
  void acc_add_a() {
    stx(kOff);
    ldx_mem(kAcc);
    add_x();
    st(kAcc);
    ldx_mem(kOff);
  }

  bool per_flow() const { return type_ == kClusterPerFlow; }
  bool adds_proto() const { return type_ == kClusterPerFlow || type_ == kClusterPerFlow5Tuple || type_ == kClusterPerFlowTcp5Tuple; }

  void tags(L after);
  void mpls(L v4, L v6);
  void pppoe(L v4, L v6);
  void ipv4(L l4, L l4_noports);
  void ipv6(L l4, L l4_noports);
  void l4(L l4, L l4_noports);

  Asm& a_;
  int type_;
  uint32_t base_;
};

void Body::emit() {
  L after_tags = a_.label(), v4 = a_.label(), v6 = a_.label(), mpls_l = a_.label(), pppoe_l = a_.label();
  L l4_l = a_.label(), l4_np = a_.label();
  tags(after_tags);
  a_.bind(after_tags);
  jeq(0x0800, v4);
  jeq(0x86DD, v6);
  jeq(0x8847, mpls_l);
  jeq(0x8848, mpls_l);
  jeq(0x8864, pppoe_l);
  ret0();
  a_.bind(mpls_l);
  mpls(v4, v6);
  a_.bind(pppoe_l);
  pppoe(v4, v6);
  a_.bind(v4);
  ipv4(l4_l, l4_np);
  a_.bind(v6);
  ipv6(l4_l, l4_np);
  if (type_ != kClusterPerFlow2Tuple) l4(l4_l, l4_np);  // the 2-tuple ends at the addresses
}

// Up to two tags in the bytes, or one if the outer tag came from metadata.
void Body::tags(L after) {
  for (int i = 0; i < 2; ++i) {
    L tag = a_.label();
    jeq(0x8100, tag);
    jeq(0x88A8, tag);
    jeq(0x9100, tag, after);
    a_.bind(tag);
    ld_mem(kVlanCount);
    if (i == 0) {
      if (per_flow()) {  // the first tag in the bytes is the outer one unless metadata had one
        L counted = a_.label(), first = a_.label();
        jeq(0, first, counted);
        a_.bind(first);
        ldh(0);
        alu(BPF_AND, 0x0FFF);
        st(kAcc);
        a_.bind(counted);
        ld_mem(kVlanCount);
      }
      alu(BPF_ADD, 1);
      st(kVlanCount);
    } else {
      L walk = a_.label();
      jeq(2, Asm::kNext, walk);
      ret0();  // a third tag: not walked, not IP (as locate)
      a_.bind(walk);
    }
    ldh(2);
    advance(4);
  }
}

void Body::mpls(L v4, L v6) {
  L bos = a_.label();
  for (int i = 0; i < kMaxMplsLabels; ++i) {
    ldw(0);
    a_.jmp(BPF_JMP | BPF_JSET | BPF_K, 0x100, bos, Asm::kNext);
    txa();
    alu(BPF_ADD, 4);
    tax();
  }
  ret0();  // deeper than locate walks
  a_.bind(bos);
  txa();
  alu(BPF_ADD, 4);
  tax();
  ldb(0);
  alu(BPF_RSH, 4);
  jeq(4, v4);
  jeq(6, v6);
  ret0();
}

void Body::pppoe(L v4, L v6) {
  ldh(6);
  advance(8);
  jeq(0x0021, v4);
  jeq(0x0057, v6);
  ret0();
}

void Body::ipv4(L l4_l, L l4_np) {
  L ok = a_.label();
  ldb(0);
  alu(BPF_AND, 0xF0);
  jeq(0x40, ok);
  ret0();
  a_.bind(ok);
  ldw(12);
  st(kTmp);
  ldw(16);
  stx(kOff);
  ldx_mem(kTmp);
  add_x();
  ldx_mem(kAcc);
  add_x();
  st(kAcc);
  ldx_mem(kOff);
  if (type_ == kClusterPerFlow2Tuple) return ret_acc();
  L first = a_.label(), ihl_ok = a_.label(), proto_only = a_.label();
  ldh(6);
  a_.jmp(BPF_JMP | BPF_JSET | BPF_K, 0x1FFF, proto_only, first);  // a later fragment: no ports
  a_.bind(first);
  ldb(0);
  alu(BPF_AND, 0x0F);
  a_.jmp(BPF_JMP | BPF_JGE | BPF_K, 5, ihl_ok, proto_only);  // IHL < 5: where L4 starts is unknown
  a_.bind(proto_only);
  ldb(9);
  a_.ja(l4_np);
  a_.bind(ihl_ok);
  alu(BPF_LSH, 2);
  st(kTmp);
  ldb(9);
  st(kProto);
  txa();
  ldx_mem(kTmp);
  add_x();
  tax();
  ld_mem(kProto);
  a_.ja(l4_l);
}

void Body::ipv6(L l4_l, L l4_np) {
  L ok = a_.label();
  ldb(0);
  alu(BPF_AND, 0xF0);
  jeq(0x60, ok);
  ret0();
  a_.bind(ok);
  stx(kOff);
  // A(addr) = sum of little-endian words. With only big-endian loads: sum the
  // words' byte lanes in two 16-bit-lane accumulators (8 bytes of at most 255
  // never overflow a 16-bit lane), then put the lanes back in LE weight.
  //   P = sum(w & 0x00FF00FF): lanes b3 (low) and b1 (high)
  //   Q = sum((w >> 8) & 0x00FF00FF): lanes b2 (low) and b0 (high)
  //   sum LE(w) = b0 + b1<<8 + b2<<16 + b3<<24 = Q>>16 + (P>>16)<<8 + Q<<16 + P<<24 (mod 2^32)
  for (int w = 0; w < 8; ++w) {
    if (w) ldx_mem(kOff);
    ldw(8 + 4 * w);
    st(kWord);
    alu(BPF_AND, 0x00FF00FF);
    ldx_mem(kLaneP);
    add_x();
    st(kLaneP);
    ld_mem(kWord);
    alu(BPF_RSH, 8);
    alu(BPF_AND, 0x00FF00FF);
    ldx_mem(kLaneQ);
    add_x();
    st(kLaneQ);
  }
  ld_mem(kLaneQ);
  alu(BPF_RSH, 16);
  st(kTmp);
  ld_mem(kLaneP);
  alu(BPF_RSH, 16);
  alu(BPF_LSH, 8);
  ldx_mem(kTmp);
  add_x();
  st(kTmp);
  ld_mem(kLaneQ);
  alu(BPF_LSH, 16);
  ldx_mem(kTmp);
  add_x();
  st(kTmp);
  ld_mem(kLaneP);
  alu(BPF_LSH, 24);
  ldx_mem(kTmp);
  add_x();
  ldx_mem(kAcc);
  add_x();
  st(kAcc);
  if (type_ == kClusterPerFlow2Tuple) return ret_acc();

  ldx_mem(kOff);
  ldb(6);
  st(kProto);
  txa();
  alu(BPF_ADD, 40);
  tax();
  L done = a_.label();
  for (int n = 0; n < kMaxIPv6ExtHeaders; ++n) {
    L ext = a_.label(), ah = a_.label(), frag = a_.label(), adv = a_.label(), next = a_.label();
    L later = a_.label(), first = a_.label();
    ld_mem(kProto);
    jeq(0, ext);
    jeq(43, ext);
    jeq(60, ext);
    jeq(51, ah);
    jeq(44, frag, done);
    a_.bind(ext);  // hop-by-hop, routing, destination options: (len + 1) * 8
    ldb(1);
    alu(BPF_ADD, 1);
    alu(BPF_LSH, 3);
    a_.ja(adv);
    a_.bind(ah);  // AH: (len + 2) * 4
    ldb(1);
    alu(BPF_ADD, 2);
    alu(BPF_LSH, 2);
    a_.bind(adv);
    st(kTmp);
    ldb(0);
    st(kProto);
    txa();
    ldx_mem(kTmp);
    add_x();
    tax();
    a_.ja(next);
    a_.bind(frag);
    ldb(7);  // locate needs the whole 8-byte header: end here too if it is cut
    ldh(2);
    alu(BPF_AND, 0xFFF8);
    jeq(0, first, later);
    a_.bind(later);  // a later fragment: its next header is the protocol, no ports
    ldb(0);
    a_.ja(l4_np);
    a_.bind(first);
    ldb(0);
    st(kProto);
    txa();
    alu(BPF_ADD, 8);
    tax();
    a_.bind(next);
  }
  a_.bind(done);
  ld_mem(kProto);
  a_.ja(l4_l);
}

// l4_l: A = protocol, X = offset of the transport header.
// l4_np: A = protocol, no transport header (later fragment, bad IHL).
void Body::l4(L l4_l, L l4_np) {
  L ports = a_.label();
  a_.bind(l4_l);
  st(kProto);
  if (type_ == kClusterPerFlowTcp5Tuple) {
    L tcp = a_.label();
    jeq(6, tcp);
    ret_acc();  // not TCP: the 2-tuple hash
    a_.bind(tcp);
  }
  if (adds_proto()) {
    acc_add_a();
    ld_mem(kProto);
  }
  if (type_ != kClusterPerFlowTcp5Tuple) {
    jeq(6, ports);
    jeq(17, ports);
    jeq(132, ports);
    ret_acc();
  }
  a_.bind(ports);
  ldh(0);
  st(kTmp);
  ldh(2);
  ldx_mem(kTmp);
  add_x();
  ldx_mem(kAcc);
  add_x();
  a_.op(BPF_RET | BPF_A);

  a_.bind(l4_np);
  if (type_ == kClusterPerFlowTcp5Tuple) {
    L tcp = a_.label();
    jeq(6, tcp);
    ret_acc();
    a_.bind(tcp);
  }
  if (adds_proto()) {
    tax();
    ld_mem(kAcc);
    add_x();
    a_.op(BPF_RET | BPF_A);
  } else {
    ret_acc();
  }
}

void anc(Asm& a, uint32_t what) { a.op(BPF_LD | BPF_W | BPF_ABS, uint32_t(SKF_AD_OFF) + what); }

}  // namespace

std::vector<sock_filter> fanout_program(int type) {
  if (!cluster_type_hashed(type)) {
    throw Error("PFW_INVALID_ARGUMENT",
                type == kClusterRoundRobin
                    ? "round-robin has no fanout program: the kernel balances it itself (PACKET_FANOUT_LB)"
                    : "unknown cluster type " + std::to_string(type));
  }
  Asm a;
  a.op(BPF_LD | BPF_IMM, 0);
  for (uint32_t c = 0; c < kCells; ++c) a.op(BPF_ST, c);

  // A tag in metadata is the outer tag.
  Asm::Label no_meta = a.label();
  anc(a, SKF_AD_VLAN_TAG_PRESENT);
  a.jmp(BPF_JMP | BPF_JEQ | BPF_K, 0, no_meta, Asm::kNext);
  if (type == kClusterPerFlow) {
    anc(a, SKF_AD_VLAN_TAG);
    a.op(BPF_ALU | BPF_AND | BPF_K, 0x0FFF);
    a.op(BPF_ST, kAcc);
  }
  a.op(BPF_LD | BPF_IMM, 1);
  a.op(BPF_ST, kVlanCount);
  a.bind(no_meta);

  // Where the bytes are: received packets at the network header; outgoing
  // ones on an Ethernet-like device from the MAC header.
  Asm::Label incoming = a.label(), tx_eth = a.label();
  anc(a, SKF_AD_PKTTYPE);
  a.jmp(BPF_JMP | BPF_JEQ | BPF_K, kPacketOutgoing, Asm::kNext, incoming);
  anc(a, SKF_AD_HATYPE);
  a.jmp(BPF_JMP | BPF_JEQ | BPF_K, kArphrdEther, tx_eth, Asm::kNext);
  a.jmp(BPF_JMP | BPF_JEQ | BPF_K, kArphrdLoopback, tx_eth, incoming);
  a.bind(tx_eth);
  a.op(BPF_LD | BPF_H | BPF_ABS, uint32_t(SKF_LL_OFF + 12));
  a.op(BPF_LDX | BPF_IMM, 14);
  Body(a, type, SKF_LL_OFF).emit();
  a.bind(incoming);
  anc(a, SKF_AD_PROTOCOL);
  a.op(BPF_LDX | BPF_IMM, 0);
  Body(a, type, 0).emit();

  std::vector<sock_filter> prog = a.finish();
  if (prog.size() > BPF_MAXINSNS) throw std::logic_error("cbpf: program too long");
  return prog;
}

}  // namespace pfw
