// Sanitizer sweep of the flow table and the tunnel walk (no Node): every
// truncation of hand-built tunnel frames and of every packet of the captures
// named on the command line, plus seeded random mutations, go through
// locate() and FlowTable::update_batch(). Each cut lives in a heap buffer of exactly
// its size, so AddressSanitizer flags any read at or past caplen. A small
// table (64 flows, 4 fragment entries) keeps eviction and the fragment cache
// busy. Run by scripts/asan-flows.sh.
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "flow_table.h"
#include "locate.h"

using Bytes = std::vector<uint8_t>;

namespace {

struct Frame {
  std::string name;
  Bytes data;
  int link;
};

void put16(Bytes& b, uint16_t v) { b.push_back(uint8_t(v >> 8)); b.push_back(uint8_t(v)); }
void put32(Bytes& b, uint32_t v) { put16(b, uint16_t(v >> 16)); put16(b, uint16_t(v)); }
Bytes cat(Bytes a, const Bytes& b) { a.insert(a.end(), b.begin(), b.end()); return a; }

Bytes udp(uint16_t sport, uint16_t dport, const Bytes& payload) {
  Bytes b;
  put16(b, sport); put16(b, dport); put16(b, uint16_t(8 + payload.size())); put16(b, 0);
  return cat(b, payload);
}

Bytes ipv4(uint8_t proto, const Bytes& body, uint16_t frag = 0) {
  Bytes h = {0x45, 0};
  put16(h, uint16_t(20 + body.size())); put16(h, 0x4242); put16(h, frag);
  h.push_back(64); h.push_back(proto); put16(h, 0);
  put32(h, 0xC0000201); put32(h, 0xC0000202);
  return cat(h, body);
}

Bytes ipv6(uint8_t proto, const Bytes& body) {
  Bytes h = {0x60, 0, 0, 0};
  put16(h, uint16_t(body.size())); h.push_back(proto); h.push_back(64);
  for (int i = 0; i < 2; ++i) { put32(h, 0x20010db8); put32(h, 0); put32(h, 0); put32(h, 1 + i); }
  return cat(h, body);
}

Bytes eth(uint16_t type, const Bytes& body) {
  Bytes h = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
  put16(h, type);
  return cat(h, body);
}

std::vector<Frame> handmade() {
  Bytes inner4 = ipv4(17, udp(1111, 2222, Bytes(12, 7)));
  Bytes inner6 = ipv6(17, udp(1111, 2222, Bytes(12, 7)));
  Bytes tcp = {0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x11, 2, 0, 0, 0, 0, 0};
  std::vector<Frame> f;
  auto add = [&](const char* n, const Bytes& ip) { f.push_back({n, eth(ip[0] >> 4 == 6 ? 0x86DD : 0x0800, ip), pfw::kLinkEthernet}); };
  add("4in4", ipv4(4, inner4));
  add("6in4", ipv4(41, inner6));
  add("tcp fin", ipv4(6, tcp));
  Bytes g = {0xB0, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1};  // csum, key, seq
  add("gre csum key seq", ipv4(47, cat(g, inner4)));
  Bytes pptp = {0x30, 0x81, 0x88, 0x0B, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1, 0xFF, 0x03, 0x00, 0x21};
  add("pptp", ipv4(47, cat(pptp, inner4)));
  Bytes cmd = {0x20, 0, 0x89, 0x09, 0, 0, 0, 40, 0x08, 0x00, 1, 1, 0, 1, 0, 0};
  add("gre cmd", ipv4(47, cat(cmd, inner4)));
  Bytes erspan3 = {0x10, 0, 0x22, 0xEB, 0, 0, 0, 1, 0x20, 0, 0, 200, 1, 2, 3, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  add("erspan3", ipv4(47, cat(erspan3, eth(0x0800, inner4))));
  Bytes mpls = {0x00, 0x00, 0x88, 0x47, 0, 0x10, 0x01, 0x40};
  add("gre mpls", ipv4(47, cat(mpls, inner4)));
  Bytes vx = {0x08, 0, 0, 0, 0, 0, 42, 0};
  add("vxlan", ipv4(17, udp(50000, 4789, cat(vx, eth(0x0800, inner4)))));
  Bytes gen = {0x02, 0, 0x65, 0x58, 0, 0, 7, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  add("geneve", ipv4(17, udp(40000, 6081, cat(gen, eth(0x86DD, inner6)))));
  Bytes gtp = {0x34, 0xFF, 0, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 0x85, 1, 0x10, 0x01, 0};
  add("gtpu ext", ipv4(17, udp(2152, 2152, cat(gtp, inner4))));
  Bytes auth = {0x00, 0x01, 2, 1, 9, 9, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0};
  Bytes origin = {0, 0, 0xF2, 0x27, 0x3F, 0xFF, 0xFD, 0xFE};
  add("teredo auth origin", ipv4(17, udp(3544, 40001, cat(cat(auth, origin), inner6))));
  add("fragment first", ipv4(17, udp(3333, 4444, Bytes(16, 1)), 0x2000));
  add("fragment later", ipv4(17, Bytes(16, 1), 0x0003));
  // nested: VXLAN inside GRE inside IPv6
  add("nested", ipv6(47, cat(Bytes{0, 0, 0x08, 0x00}, ipv4(17, udp(50001, 4789, cat(vx, eth(0x0800, ipv4(4, inner4))))))));
  return f;
}

std::vector<Frame> from_capture(const char* path) {
  std::vector<Frame> out;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path, err);
  if (!p) return out;
  int link = pcap_datalink(p);
  pcap_pkthdr* h;
  const u_char* d;
  int n = 0;
  while (pcap_next_ex(p, &h, &d) == 1) out.push_back({std::string(path) + "#" + std::to_string(n++), Bytes(d, d + h->caplen), link});
  pcap_close(p);
  return out;
}

uint64_t rng = 0x9E3779B97F4A7C15ull;
uint32_t next() {
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return uint32_t(rng);
}

uint64_t checked = 0;
uint64_t now = 1700000000ull * 1000000000ull;

// Frames go to the table in batches of kBatch through update_batch() (the
// Ring's path, with its lookahead), each in its own exact-size heap buffer
// that lives until the batch is counted; every 7th is "read, not delivered"
// (meta null: it only moves the clock).
constexpr size_t kBatch = 16;
struct Pending {
  uint8_t* buf;
  size_t n;
  pfw::PacketMeta meta;
};
std::vector<Pending> pending;

void drain(pfw::FlowTable& t) {
  std::vector<pfw::FlowInput> in(pending.size());
  for (size_t i = 0; i < pending.size(); ++i) {
    Pending& p = pending[i];
    in[i].data = p.n ? p.buf : nullptr;
    in[i].caplen = uint32_t(p.n);
    in[i].meta = (checked + i) % 7 == 0 ? nullptr : &p.meta;
    now += 1000;  // 1 us per frame; every 2^20 frames the idle timeouts fire
    in[i].ts_ns = now;
  }
  t.update_batch(in.data(), in.size());
  for (Pending& p : pending) std::free(p.buf);
  checked += pending.size();
  pending.clear();
  if (t.finished().size() > 4096) t.clear_finished();
}

void feed(pfw::FlowTable& t, const uint8_t* src, size_t n, int link) {
  uint8_t* buf = static_cast<uint8_t*>(std::malloc(n ? n : 1));
  if (n) std::memcpy(buf, src, n);
  Pending p{buf, n, {}};
  pfw::locate(n ? buf : nullptr, uint32_t(n), link, -1, &p.meta);
  pending.push_back(p);
  if (pending.size() == kBatch) drain(t);
}

}  // namespace

int main(int argc, char** argv) {
  pfw::FlowTableOptions o;
  o.max_flows = 64;
  o.max_frags = 4;
  o.udp_idle_ns = o.icmp_idle_ns = o.other_idle_ns = 1000000ull;  // 1 ms of packet time
  o.tcp_idle_ns = 2000000ull;
  o.tcp_close_delay_ns = 500000ull;
  o.frag_timeout_ns = 300000ull;
  o.active_ns = 5000000ull;
  pfw::FlowTable t(o);
  std::vector<Frame> frames = handmade();
  for (int i = 1; i < argc; ++i) {
    auto more = from_capture(argv[i]);
    frames.insert(frames.end(), more.begin(), more.end());
  }
  for (const Frame& f : frames) {
    for (size_t cut = 0; cut <= f.data.size(); ++cut) feed(t, f.data.data(), cut, f.link);
    for (int k = 0; k < 8; ++k) {
      Bytes m = f.data;
      if (m.empty()) break;
      int flips = 1 + next() % 4;
      for (int j = 0; j < flips; ++j) m[next() % m.size()] = uint8_t(next());
      feed(t, m.data(), m.size(), f.link);
    }
  }
  drain(t);
  t.flush(pfw::kEndEnd);
  pfw::FlowTableStats s = t.stats();
  if (s.active != 0 || s.created != s.finished) {
    std::fprintf(stderr, "flow_sweep: after flush %u flows are open, %llu created, %llu finished\n", s.active,
                 (unsigned long long)s.created, (unsigned long long)s.finished);
    return 1;
  }
  std::printf("flow_sweep: %zu frames, %llu cuts and mutations checked, %llu flows\n", frames.size(),
              (unsigned long long)checked, (unsigned long long)s.created);
  return 0;
}
