// locate(): see locate.h. Every read goes through fits() first; offsets are
// kept in uint32_t and only stored in the 16-bit PacketMeta fields once they
// are known to be below kNoOffset.
#include "locate.h"
#include "byte_order.h"

#include <cstring>

namespace pfw {
namespace {

constexpr uint16_t kEthIPv4 = 0x0800;
constexpr uint16_t kEthIPv6 = 0x86DD;
constexpr uint16_t kEthMplsUc = 0x8847;
constexpr uint16_t kEthMplsMc = 0x8848;
constexpr uint16_t kEthPppoeSession = 0x8864;
constexpr uint16_t kPppIPv4 = 0x0021;
constexpr uint16_t kPppIPv6 = 0x0057;

constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoIcmp6 = 58;
constexpr uint8_t kProtoSctp = 132;


inline bool is_vlan_tpid(uint16_t t) { return t == 0x8100 || t == 0x88A8 || t == 0x9100; }

inline bool is_ipv6_ext(uint8_t nh) { return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51; }

class Walker {
 public:
  Walker(const uint8_t* d, uint32_t cap, PacketMeta* m) : d_(d), cap_(cap), m_(*m) {}

  // true if [off, off+n) is inside the captured bytes
  bool fits(uint32_t off, uint32_t n) const { return off <= cap_ && n <= cap_ - off; }

  bool link(int link_type, uint16_t* type, uint32_t* off);
  void l2(uint16_t type, uint32_t off);

 private:
  void truncated() { m_.flags |= kMetaTruncated; }
  void malformed() { m_.flags |= kMetaMalformed; }
  // Stores an offset into a 16-bit field; false (malformed) if it does not fit.
  bool store(uint16_t* field, uint32_t off) {
    if (off >= kNoOffset) {
      malformed();
      return false;
    }
    *field = uint16_t(off);
    return true;
  }
  uint16_t family_type(uint32_t family);
  void ipv4(uint32_t off);
  void ipv6(uint32_t off);
  void l4(uint32_t off);

  const uint8_t* d_;
  uint32_t cap_;
  PacketMeta& m_;
};

uint16_t Walker::family_type(uint32_t family) {
  // A capture written on a host of the other byte order: the family lands in
  // the high half (tcpdump's heuristic).
  if (family & 0xFFFF0000u) family = __builtin_bswap32(family);
  switch (family) {
    case 2: return kEthIPv4;
    case 24: case 28: case 30: return kEthIPv6;  // BSD AF_INET6 values (NetBSD/OpenBSD, FreeBSD, Darwin)
    default: return 0;
  }
}

bool Walker::link(int link_type, uint16_t* type, uint32_t* off) {
  switch (link_type) {
    case kLinkEthernet:
      if (!fits(0, 14)) return truncated(), false;
      *type = be16(d_ + 12);
      *off = 14;
      return true;
    case kLinkLinuxSll:  // pkttype(2) hatype(2) halen(2) addr(8) protocol(2)
      if (!fits(0, 16)) return truncated(), false;
      *type = be16(d_ + 14);
      *off = 16;
      return true;
    case kLinkLinuxSll2:  // protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8)
      if (!fits(0, 20)) return truncated(), false;
      *type = be16(d_);
      *off = 20;
      return true;
    case kLinkRaw: case kLinkRaw14: case kLinkRaw101: {
      if (!fits(0, 1)) return truncated(), false;
      uint8_t v = d_[0] >> 4;
      if (v != 4 && v != 6) return malformed(), false;
      *type = v == 4 ? kEthIPv4 : kEthIPv6;
      *off = 0;
      return true;
    }
    case kLinkIPv4: *type = kEthIPv4; *off = 0; return true;
    case kLinkIPv6: *type = kEthIPv6; *off = 0; return true;
    case kLinkNull: case kLinkLoop: {
      if (!fits(0, 4)) return truncated(), false;
      uint32_t family;
      if (link_type == kLinkNull) std::memcpy(&family, d_, 4);  // the capturing host's order
      else family = be32(d_);
      *type = family_type(family);
      *off = 4;
      return true;
    }
    default:
      return false;
  }
}

void Walker::l2(uint16_t type, uint32_t off) {
  // VLAN tags: a tag from metadata already counts as the first.
  while (is_vlan_tpid(type) && m_.vlan_count < 2) {
    if (!fits(off, 4)) return truncated();
    uint16_t vid = be16(d_ + off) & 0x0FFF;
    if (m_.vlan_count == 0) m_.vlan_id = vid;
    else m_.inner_vlan_id = vid;
    m_.vlan_count++;
    type = be16(d_ + off + 2);
    off += 4;
  }
  if (type == kEthMplsUc || type == kEthMplsMc) {
    m_.eth_type = type;
    for (int i = 0;; ++i) {
      if (i == kMaxMplsLabels) return;  // deeper than we walk (as the fanout program): not IP
      if (!fits(off, 4)) return truncated();
      uint32_t lse = be32(d_ + off);
      off += 4;
      if (lse & 0x100) break;  // bottom of stack
    }
    if (!fits(off, 1)) return truncated();
    uint8_t v = d_[off] >> 4;  // no next-protocol field in MPLS: guess from the version nibble
    if (v == 4) type = kEthIPv4;
    else if (v == 6) type = kEthIPv6;
    else return;
  } else if (type == kEthPppoeSession) {
    m_.eth_type = type;
    // ver/type(1) code(1) session(2) length(2), then the PPP protocol (2)
    if (!fits(off, 8)) return truncated();
    uint16_t ppp = be16(d_ + off + 6);
    off += 8;
    if (ppp == kPppIPv4) type = kEthIPv4;
    else if (ppp == kPppIPv6) type = kEthIPv6;
    else return;
  }
  m_.eth_type = type;
  if (type == kEthIPv4) ipv4(off);
  else if (type == kEthIPv6) ipv6(off);
}

void Walker::ipv4(uint32_t off) {
  if (!fits(off, 0) || !store(&m_.l3_off, off)) return truncated();
  if (!fits(off, 1)) return truncated();
  if ((d_[off] >> 4) != 4) return malformed();
  if (!fits(off, 20)) return truncated();
  const uint8_t* h = d_ + off;
  uint32_t ihl = (h[0] & 0x0F) * 4u;
  m_.flags |= kMetaIPv4;
  m_.ip_version = 4;
  m_.ip_len = be16(h + 2);
  m_.ttl = h[8];
  m_.proto = h[9];
  m_.src4 = be32(h + 12);
  m_.dst4 = be32(h + 16);
  uint16_t fo = be16(h + 6);
  uint32_t frag_off = (fo & 0x1FFF) * 8u;
  bool more = fo & 0x2000;
  if (more || frag_off) {
    m_.flags |= kMetaFragment;
    if (frag_off == 0) m_.flags |= kMetaFirstFragment;
    if (more) m_.flags |= kMetaMoreFragments;
    m_.frag_id = be16(h + 4);
    m_.frag_off = uint16_t(frag_off);
    if (m_.ip_len >= ihl) m_.frag_len = uint16_t(m_.ip_len - ihl);
  }
  if (ihl < 20) return malformed();  // addresses and proto stand; where L4 starts is unknown
  if (m_.ip_len < ihl) malformed();  // (0 on some TSO captures) ports are still read, as the kernel program does
  if (frag_off) return;              // later fragments carry no transport header
  l4(off + ihl);
}

void Walker::ipv6(uint32_t off) {
  if (!fits(off, 0) || !store(&m_.l3_off, off)) return truncated();
  if (!fits(off, 1)) return truncated();
  if ((d_[off] >> 4) != 6) return malformed();
  if (!fits(off, 40)) return truncated();
  const uint8_t* h = d_ + off;
  m_.flags |= kMetaIPv6;
  m_.ip_version = 6;
  uint32_t plen = be16(h + 4);
  m_.ip_len = uint16_t(40 + plen > 0xFFFF ? 0xFFFF : 40 + plen);
  m_.ttl = h[7];
  std::memcpy(m_.src6, h + 8, 16);
  std::memcpy(m_.dst6, h + 24, 16);
  uint8_t nh = h[6];
  uint32_t end = off + 40 + plen;  // end of the datagram per its header (for frag_len)
  uint32_t pos = off + 40;
  for (int n = 0; is_ipv6_ext(nh); ++n) {
    if (n == kMaxIPv6ExtHeaders) {
      m_.proto = nh;  // deeper than we walk: the next header counts as the protocol
      return;
    }
    if (nh == 44) {  // fragment header: next(1) reserved(1) offset|M(2) id(4)
      if (!fits(pos, 8)) {
        m_.proto = nh;
        m_.flags |= kMetaProtoTruncated;
        return truncated();
      }
      uint16_t fo = be16(d_ + pos + 2);
      uint32_t frag_off = fo & 0xFFF8u;
      m_.flags |= kMetaFragment;
      if (frag_off == 0) m_.flags |= kMetaFirstFragment;
      if (fo & 1) m_.flags |= kMetaMoreFragments;
      m_.frag_id = be32(d_ + pos + 4);
      m_.frag_off = uint16_t(frag_off);
      m_.frag_len = uint16_t(end > pos + 8 ? end - (pos + 8) : 0);
      nh = d_[pos];
      pos += 8;
      if (frag_off) {  // the rest of the chain and the transport header are in the first fragment
        m_.proto = nh;
        return;
      }
      continue;
    }
    if (!fits(pos, 2)) {
      m_.proto = nh;
      m_.flags |= kMetaProtoTruncated;
      return truncated();
    }
    uint32_t len = nh == 51 ? (d_[pos + 1] + 2u) * 4u : (d_[pos + 1] + 1u) * 8u;  // AH counts 4-byte units
    nh = d_[pos];
    pos += len;
  }
  m_.proto = nh;
  l4(pos);
}

void Walker::l4(uint32_t off) {
  uint8_t p = m_.proto;
  bool ported = p == kProtoTcp || p == kProtoUdp || p == kProtoSctp;
  if (!fits(off, 0)) {
    if (ported) m_.flags |= kMetaPortsTruncated;
    return truncated();
  }
  if (!store(&m_.l4_off, off)) return;
  if (ported) {
    if (!fits(off, 4)) {
      m_.flags |= kMetaPortsTruncated;
      return truncated();
    }
    m_.sport = be16(d_ + off);
    m_.dport = be16(d_ + off + 2);
    m_.flags |= kMetaHasPorts;
    uint32_t hlen;
    if (p == kProtoTcp) {
      if (!fits(off, 14)) return truncated();
      m_.tcp_flags = d_[off + 13];
      hlen = (d_[off + 12] >> 4) * 4u;
      if (hlen < 20) return malformed();
    } else {
      hlen = p == kProtoUdp ? 8 : 12;
    }
    if (!fits(off, hlen)) return truncated();
    store(&m_.payload_off, off + hlen);
  } else if (p == kProtoIcmp || p == kProtoIcmp6) {
    if (!fits(off, 2)) return truncated();
    m_.sport = d_[off];
    m_.dport = d_[off + 1];
    m_.flags |= kMetaIcmp;
    if (!fits(off, 8)) return truncated();
    store(&m_.payload_off, off + 8);
  }
}

}  // namespace

bool link_type_supported(int t) {
  switch (t) {
    case kLinkNull: case kLinkEthernet: case kLinkRaw: case kLinkRaw14: case kLinkLoop:
    case kLinkRaw101: case kLinkIPv4: case kLinkIPv6: case kLinkLinuxSll: case kLinkLinuxSll2:
      return true;
    default:
      return false;
  }
}

void locate_walk(const uint8_t* data, uint32_t caplen, int link_type, int vlan_tci_from_meta, PacketMeta* out) {
  std::memset(out, 0, sizeof(*out));
  out->l3_off = out->l4_off = out->payload_off = kNoOffset;
  if (vlan_tci_from_meta >= 0) {
    out->vlan_id = uint16_t(vlan_tci_from_meta & 0x0FFF);
    out->vlan_count = 1;
    out->flags |= kMetaVlanFromMeta;
  }
  if (!data) caplen = 0;
  Walker w(data, caplen, out);
  uint16_t type = 0;
  uint32_t off = 0;
  if (!w.link(link_type, &type, &off)) return;
  w.l2(type, off);
}

}  // namespace pfw
