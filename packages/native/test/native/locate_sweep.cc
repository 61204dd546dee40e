// Sanitizer sweep of locate(), cluster_hash() and FragCache (no Node): every
// truncation length of a set of hand-built frames and of every packet of the
// captures named on the command line, plus seeded random mutations. Each cut
// is copied into a heap buffer of exactly that size, so AddressSanitizer flags
// any read at or past caplen. Run by scripts/asan-locate.sh.
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cluster_hash.h"
#include "frag_cache.h"
#include "locate.h"

using pfw::PacketMeta;
using Bytes = std::vector<uint8_t>;

namespace {

struct Frame {
  std::string name;
  Bytes data;
  int link;
};

void put16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
void put32(Bytes& b, uint32_t v) {
  put16(b, uint16_t(v >> 16));
  put16(b, uint16_t(v));
}
Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Bytes l4(uint8_t proto) {
  Bytes b;
  switch (proto) {
    case 6: put16(b, 40000); put16(b, 80); put32(b, 1); put32(b, 0); b.push_back(0x50); b.push_back(0x12); put16(b, 512); put32(b, 0); break;
    case 17: put16(b, 53); put16(b, 5353); put16(b, 12); put16(b, 0); put32(b, 0xdeadbeef); break;
    case 132: put16(b, 1); put16(b, 2); put32(b, 0); put32(b, 0); break;
    case 1: case 58: b = {8, 0, 0, 0, 0, 1, 0, 1}; break;
    default: b = {1, 2, 3, 4}; break;
  }
  return b;
}

Bytes ipv4(uint8_t proto, int opt_words = 0, uint16_t frag = 0) {
  Bytes body = (frag & 0x1FFF) ? Bytes{9, 9, 9, 9, 9, 9, 9, 9} : l4(proto);
  Bytes h;
  h.push_back(uint8_t(0x40 | (5 + opt_words)));
  h.push_back(0);
  put16(h, uint16_t(20 + 4 * opt_words + body.size()));
  put16(h, 0x1234);
  put16(h, frag);
  h.push_back(64);
  h.push_back(proto);
  put16(h, 0);
  put32(h, 0x0A000001);
  put32(h, 0xC0A80102);
  for (int i = 0; i < opt_words; ++i) put32(h, 0x01010101);
  return cat(h, body);
}

// exts: extension header numbers in order; the last one's next header is proto.
Bytes ipv6(uint8_t proto, std::vector<uint8_t> exts = {}, bool later_fragment = false) {
  Bytes chain;
  for (size_t i = 0; i < exts.size(); ++i) {
    uint8_t next = i + 1 < exts.size() ? exts[i + 1] : proto;
    Bytes e = {next, 0, 0, 0, 0, 0, 0, 0};
    if (exts[i] == 44 && later_fragment) e[3] = 0x08;  // offset 8
    if (exts[i] == 60 || exts[i] == 0) e = {next, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // 16 bytes
    chain = cat(chain, e);
  }
  Bytes body = cat(chain, later_fragment ? Bytes{7, 7, 7, 7} : l4(proto));
  Bytes h = {0x60, 0, 0, 0};
  put16(h, uint16_t(body.size()));
  h.push_back(exts.empty() ? proto : exts[0]);
  h.push_back(64);
  for (int i = 0; i < 16; ++i) h.push_back(uint8_t(i == 0 ? 0x20 : i == 15 ? 1 : 0));
  for (int i = 0; i < 16; ++i) h.push_back(uint8_t(i == 0 ? 0xfe : i == 15 ? 2 : 0));
  return cat(h, body);
}

Bytes eth(const std::vector<uint16_t>& tpids, uint16_t type, const Bytes& l3) {
  Bytes b = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
  uint16_t vid = 100;
  for (uint16_t t : tpids) {
    put16(b, t);
    put16(b, vid++);
  }
  put16(b, type);
  return cat(b, l3);
}

Bytes mpls(int labels, const Bytes& l3) {
  Bytes b;
  for (int i = 0; i < labels; ++i) put32(b, (uint32_t(16 + i) << 12) | (i == labels - 1 ? 0x100 : 0) | 64);
  return cat(b, l3);
}

Bytes pppoe(uint16_t ppp, const Bytes& l3) {
  Bytes b = {0x11, 0, 0, 1};
  put16(b, uint16_t(l3.size() + 2));
  put16(b, ppp);
  return cat(b, l3);
}

std::vector<Frame> frames() {
  std::vector<Frame> f;
  auto add = [&](const char* n, Bytes d, int link = pfw::kLinkEthernet) { f.push_back({n, std::move(d), link}); };
  for (uint8_t p : {6, 17, 132, 1, 47}) add("eth ipv4", eth({}, 0x0800, ipv4(p)));
  add("ipv4 options", eth({}, 0x0800, ipv4(6, 10)));
  add("ipv4 first fragment", eth({}, 0x0800, ipv4(17, 0, 0x2000)));
  add("ipv4 later fragment", eth({}, 0x0800, ipv4(17, 0, 0x0003)));
  add("vlan", eth({0x8100}, 0x0800, ipv4(6)));
  add("qinq", eth({0x88A8, 0x8100}, 0x86DD, ipv6(17)));
  add("three tags", eth({0x9100, 0x8100, 0x8100}, 0x0800, ipv4(6)));
  add("mpls", eth({0x8100}, 0x8847, mpls(3, ipv4(6))));
  add("mpls deep", eth({}, 0x8847, mpls(12, ipv6(6))));
  add("pppoe v4", eth({}, 0x8864, pppoe(0x0021, ipv4(17))));
  add("pppoe v6", eth({0x8100}, 0x8864, pppoe(0x0057, ipv6(6))));
  for (uint8_t p : {6, 17, 58, 59}) add("ipv6", eth({}, 0x86DD, ipv6(p)));
  add("ipv6 exts", eth({}, 0x86DD, ipv6(6, {0, 43, 60, 51})));
  add("ipv6 first frag", eth({}, 0x86DD, ipv6(17, {44})));
  add("ipv6 later frag", eth({}, 0x86DD, ipv6(6, {44}, true)));
  add("ipv6 deep exts", eth({}, 0x86DD, ipv6(17, {0, 60, 60, 60, 60, 60, 60, 60, 60, 60})));
  Bytes sll = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
  add("sll", cat(sll, ipv4(6)), pfw::kLinkLinuxSll);
  Bytes sll2 = {0x86, 0xDD, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0};
  add("sll2", cat(sll2, ipv6(17)), pfw::kLinkLinuxSll2);
  for (int lt : {12, 14, 101, 228}) add("raw v4", ipv4(6), lt);
  for (int lt : {12, 101, 229}) add("raw v6", ipv6(6), lt);
  add("null v4", cat(Bytes{2, 0, 0, 0}, ipv4(17)), pfw::kLinkNull);
  add("null v6", cat(Bytes{30, 0, 0, 0}, ipv6(17)), pfw::kLinkNull);
  add("loop v6", cat(Bytes{0, 0, 0, 24}, ipv6(6)), pfw::kLinkLoop);
  return f;
}

uint64_t g_checks = 0;

void check(const uint8_t* data, uint32_t len, int link, int tci, pfw::FragCache& cache, const std::string& what) {
  // An exact-size heap copy: one byte past the end is a redzone.
  std::unique_ptr<uint8_t[]> copy(len ? new uint8_t[len] : nullptr);
  if (len) std::memcpy(copy.get(), data, len);
  PacketMeta m;
  pfw::locate(copy.get(), len, link, tci, &m);
  auto bad = [&](const char* why) {
    std::fprintf(stderr, "locate_sweep: %s (cut at %u): %s\n", what.c_str(), len, why);
    std::exit(1);
  };
  for (uint16_t off : {m.l3_off, m.l4_off, m.payload_off}) {
    if (off != pfw::kNoOffset && off > len) bad("offset past caplen");
  }
  if ((m.flags & pfw::kMetaIPv4) && uint32_t(m.l3_off) + 20 > len) bad("IPv4 without its header");
  if ((m.flags & pfw::kMetaIPv6) && uint32_t(m.l3_off) + 40 > len) bad("IPv6 without its header");
  if ((m.flags & pfw::kMetaHasPorts) && uint32_t(m.l4_off) + 4 > len) bad("ports without their bytes");
  for (int t = 0; t <= 5; ++t) {
    uint32_t h = pfw::cluster_hash(m, t);
    cache.resolve(m, h, g_checks);
  }
  g_checks++;
}

void sweep(const Bytes& d, int link, pfw::FragCache& cache, const std::string& what, uint32_t max_cut = 0xFFFFFFFF) {
  uint32_t n = uint32_t(d.size());
  for (uint32_t len = 0; len <= n && len <= max_cut; ++len) {
    check(d.data(), len, link, -1, cache, what);
    if (link == pfw::kLinkEthernet) check(d.data(), len, link, 0x2005, cache, what + " +meta tag");
  }
  if (n > max_cut) check(d.data(), n, link, -1, cache, what);
}

void mutate(const Bytes& d, int link, pfw::FragCache& cache, const std::string& what, uint32_t& seed, int rounds) {
  auto rnd = [&](uint32_t n) {
    seed = seed * 1664525u + 1013904223u;
    return n ? (seed >> 8) % n : 0;
  };
  for (int r = 0; r < rounds; ++r) {
    Bytes m = d;
    if (m.empty()) return;
    uint32_t lim = uint32_t(std::min<size_t>(m.size(), 96));
    for (uint32_t i = 0, k = 1 + rnd(4); i < k; ++i) m[rnd(lim)] = uint8_t(rnd(256));
    check(m.data(), uint32_t(m.size()), link, -1, cache, what + " mutated");
    check(m.data(), rnd(uint32_t(m.size()) + 1), link, -1, cache, what + " mutated+cut");
  }
}

}  // namespace

int main(int argc, char** argv) {
  pfw::FragCache cache(pfw::FragCacheOptions{64, 1000});
  uint32_t seed = 12345;
  size_t nframes = 0;
  for (const Frame& f : frames()) {
    sweep(f.data, f.link, cache, f.name);
    mutate(f.data, f.link, cache, f.name, seed, 300);
    nframes++;
  }
  for (int a = 1; a < argc; ++a) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(argv[a], err);
    if (!p) continue;  // damaged or unsupported files are the reader's business
    int link = pcap_datalink(p);
    pcap_pkthdr* h;
    const u_char* d;
    while (pcap_next_ex(p, &h, &d) == 1) {
      Bytes b(d, d + h->caplen);
      std::string what = std::string(argv[a]) + " packet";
      sweep(b, link, cache, what, 160);  // headers live in the first bytes; longer cuts change nothing
      mutate(b, link, cache, what, seed, 4);
      nframes++;
    }
    pcap_close(p);
  }
  std::printf("locate_sweep: %zu frames, %llu cuts and mutations checked, frag cache %zu entries\n", nframes,
              static_cast<unsigned long long>(g_checks), cache.size());
  return 0;
}
